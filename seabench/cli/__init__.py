"""The `seabench` command: thin typer commands, each calling one library function.

`app` holds the group; the commands live by what they do: `run` (generate, check, judge, tokens, eval), `read`
(report, compare, agreement, answers: read-only), `data` (bench, human sheets, FastChat folders); `views` draws the
CLI's own status tables.
"""

from __future__ import annotations

from . import data, read, run  # noqa: F401  (registers the commands)
from .app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
