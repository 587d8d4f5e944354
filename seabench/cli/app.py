"""The `seabench` command group: one-line errors with exit 2, Ctrl-C with exit 130, `--version`.

Library modules are imported inside the commands so that `seabench --help` starts without pydantic, numpy or torch.
Results go to stdout and status to stderr, so `seabench report --format csv > scores.csv` stays clean.
"""

from __future__ import annotations

from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup


class _Group(TyperGroup):
    """Turns user errors raised anywhere below into one-line messages and exit code 2, with no traceback."""

    def invoke(self, ctx: Any) -> Any:  # typer's own click Context
        from ..errors import SeabenchError, SpecError
        from .spec_layer import OPTION_NAMES

        try:
            return super().invoke(ctx)
        except SeabenchError as e:
            # The library names settings; here they are the options of this command line.
            for line in [e.render(OPTION_NAMES)] if isinstance(e, SpecError) else e.lines():
                click.echo(f"error: {line}", err=True)
            hint = _hint(e)
            if hint:
                click.echo(f"hint: {hint}", err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            click.echo(
                "interrupted: everything finished so far is stored; run the same command again to go on", err=True
            )
            raise typer.Exit(130) from None


def _hint(error: Exception) -> str | None:
    """What to do about a library error, in terms of this command line (the library itself names no flags)."""
    from ..errors import NameTaken, NoStore, OldStore, StoreDamaged, StoreReadOnly

    hints = {
        StoreDamaged: "nothing was changed; restore the file from a copy, or save what is readable: sqlite3 FILE "
        "'.recover' | sqlite3 NEW",
        StoreReadOnly: "copy the store somewhere writable (or pass --db); report, compare, agreement, answers and "
        "export only read",
        NoStore: "run `seabench generate` (or `import fastchat`) first, or point --db / $SEABENCH_DB at your store",
        OldStore: "run a command that writes to it once (e.g. `seabench check`) to upgrade it",
        NameTaken: "store this run under another name with --name",
    }
    return next((h for cls, h in hints.items() if isinstance(error, cls)), None)


def _sub(help_text: str) -> typer.Typer:
    # Plain click help: rendering help through rich costs ~0.15 s of start-up on every `--help`.
    return typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None)


app = typer.Typer(
    cls=_Group,
    name="seabench",
    help="Evaluate chat models on Sea-bench: Southeast-Asian languages, LLM judges and human ratings.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
bench_app = _sub("Inspect and validate benches.")
human_app = _sub("Rating sheets for human annotators, and their ratings back in.")
import_app = _sub("Bring other tools' files into the store.")
export_app = _sub("Write the store out in other tools' formats.")
app.add_typer(bench_app, name="bench")
app.add_typer(human_app, name="human")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"seabench {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool | None, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = None,
) -> None:
    """Evaluate chat models on Sea-bench: Southeast-Asian languages, LLM judges and human ratings."""
