"""The `seabench` command: thin typer wrappers, each calling one library function.

Library modules are imported inside the commands so that `seabench --help` starts without pydantic, pandas or
torch. A `SeabenchError` from anywhere becomes `error: …` lines on stderr and exit code 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import click
import typer
from typer.core import TyperGroup


class _Group(TyperGroup):
    """Turns user errors raised anywhere below into one-line messages and exit code 2, with no traceback."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        from .errors import SeabenchError

        try:
            return super().invoke(ctx)
        except SeabenchError as e:
            for line in e.lines():
                click.echo(f"error: {line}", err=True)
            raise typer.Exit(2) from None


app = typer.Typer(
    cls=_Group,
    name="seabench",
    help="Evaluate chat models on Sea-bench: Southeast-Asian languages, LLM judges and human ratings.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain click help: rendering help through rich costs ~0.15 s of start-up on every `--help`.
    rich_markup_mode=None,
)
bench_app = typer.Typer(help="Inspect and validate benches.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(bench_app, name="bench")

BenchOpt = Annotated[
    Optional[str],
    typer.Option("--bench", help="Bench file or folder, or hf:OWNER/NAME. Default: the bundled seabench-starter bench."),
]


@bench_app.command("stats")
def bench_stats(bench: BenchOpt = None, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False):
    """Questions per language × category, with multi-turn and reference counts."""
    from .bench import load_bench, stats
    from .report.terminal import bench_stats_table, console

    loaded = load_bench(bench)
    cells = stats(loaded)
    if as_json:
        total = sum(c.questions for c in cells)
        typer.echo(json.dumps({"total": total, "cells": [c.model_dump() for c in cells]}, ensure_ascii=False))
    else:
        console().print(bench_stats_table(loaded, cells))


@bench_app.command("validate")
def bench_validate(source: Annotated[str, typer.Argument(help="Bench file or folder, or hf:OWNER/NAME.")]):
    """Check a bench file; list every problem (file:line) or print a one-line summary."""
    from .bench import load_bench

    loaded = load_bench(source)
    langs = sorted({q.lang for q in loaded.questions})
    cats = sorted({q.category for q in loaded.questions})
    multi = sum(len(q.turns) > 1 for q in loaded.questions)
    typer.echo(
        f"ok: {source}: {len(loaded.questions)} questions ({loaded.shape} shape), {len(langs)} languages, "
        f"{len(cats)} categories, {multi} multi-turn"
    )


@bench_app.command("show")
def bench_show(question_id: Annotated[str, typer.Argument(help="Question id.")], bench: BenchOpt = None):
    """Print one question with every turn and reference."""
    from .bench import find_question, load_bench
    from .report.terminal import console, question_view

    console().print(question_view(find_question(load_bench(bench), question_id)))


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
