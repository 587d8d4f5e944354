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


DbOpt = Annotated[Optional[Path], typer.Option("--db", help="SQLite store. Default: $SEABENCH_DB or ./seabench.db.")]
BaseUrlOpt = Annotated[Optional[str], typer.Option("--base-url", help="API base URL (any OpenAI-compatible server: vLLM, SGLang, TGI, Ollama, LM Studio).")]
ConcurrencyOpt = Annotated[int, typer.Option("--concurrency", min=1, help="Requests in flight at once, per model.")]
RpmOpt = Annotated[Optional[float], typer.Option("--rpm", min=0.1, help="At most this many requests per minute.")]
TimeoutOpt = Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds before a request is abandoned and retried.")]
AttemptsOpt = Annotated[int, typer.Option("--max-attempts", min=1, help="Tries per request before it is stored as a failure.")]
PricesOpt = Annotated[Optional[Path], typer.Option("--prices", help="JSON price table that overrides the built-in one (also $SEABENCH_PRICES).")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Send nothing; print the plan and its estimated cost.")]


def _split(values: Optional[list[str]]) -> Optional[list[str]]:
    """`--lang th,km --lang lo` → [th, km, lo]."""
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@app.command("generate")
def generate_cmd(
    model: Annotated[list[str], typer.Option("--model", help="PROVIDER:MODEL (openai:, anthropic:, hf:); repeatable.")],
    bench: BenchOpt = None,
    db: DbOpt = None,
    base_url: BaseUrlOpt = None,
    concurrency: ConcurrencyOpt = 8,
    rpm: RpmOpt = None,
    max_tokens: Annotated[int, typer.Option("--max-tokens", min=1, help="Answer length limit, in tokens.")] = 1024,
    temperature: Annotated[float, typer.Option("--temperature", min=0.0, help="Sampling temperature; 0 is greedy.")] = 0.0,
    system_prompt: Annotated[Optional[str], typer.Option("--system-prompt", help="System message for every conversation.")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="Store and report the model under this name (one --model only).")] = None,
    lang: Annotated[Optional[list[str]], typer.Option("--lang", help="Only these languages (comma-separated).")] = None,
    category: Annotated[Optional[list[str]], typer.Option("--category", help="Only these categories (comma-separated).")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Only the first N selected questions.")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Conversations per batch for hf: models.")] = 8,
    chat_template: Annotated[Optional[Path], typer.Option("--chat-template", help="Jinja chat template for hf: models that ship none.")] = None,
    timeout: TimeoutOpt = 120.0,
    max_attempts: AttemptsOpt = 6,
    prices: PricesOpt = None,
    dry_run: DryRunOpt = False,
):
    """Collect answers from candidate models into the store; a re-run sends only what is missing or failed."""
    from .bench import load_bench
    from .generate import ModelRun, estimate_plan, generate, make_plans, select_questions, check_names
    from .backends import BackendOptions, parse_spec
    from .pricing import PriceTable
    from .records import GenerationSettings
    from .report.terminal import console, generate_summary, plan_table
    from .runner import RetryPolicy
    from .store import Store

    if name and len(model) > 1:
        raise _user_error("--name names one model; give each model its own run, or drop --name")
    settings = GenerationSettings(temperature=temperature, max_tokens=max_tokens, system_prompt=system_prompt)
    runs = [ModelRun(name=name or str(parse_spec(m)), spec=str(parse_spec(m)), settings=settings) for m in model]
    check_names(runs)
    loaded = load_bench(bench)
    questions = select_questions(loaded, _split(lang), _split(category), limit)
    table = PriceTable(prices)
    options = BackendOptions(base_url=base_url, timeout=timeout, batch_size=batch_size, chat_template=str(chat_template) if chat_template else None)
    with Store(db) as store:
        if dry_run:
            plans = make_plans(store, runs, questions)
            console().print(plan_table(estimate_plan(plans, table, chat_template=options.chat_template)))
            return
        results = generate(store, loaded, runs, questions, options, concurrency=concurrency, rpm=rpm, policy=RetryPolicy(max_attempts=max_attempts), prices=table)
    console().print(generate_summary(results, total_questions=len(questions)))
    if any(r.failures for r in results):
        raise typer.Exit(1)


@app.command("answers")
def answers_cmd(
    model: Annotated[Optional[str], typer.Option("--model", help="Only this model (its stored name).")] = None,
    db: DbOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table, jsonl or csv.")] = "table",
):
    """List or export the stored answers."""
    from .report.answers import write_answers
    from .store import Store

    if fmt not in ("table", "jsonl", "csv"):
        raise _user_error(f"--format must be table, jsonl or csv, not '{fmt}'")
    with Store(db, create=False) as store:
        write_answers(store, model, fmt, sys.stdout)


def _user_error(message: str):
    from .errors import ConfigError

    return ConfigError(message)


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
