"""Report formats: terminal, Markdown, CSV and JSON. HTML lives in html.py."""

from __future__ import annotations

import csv
import io

from .tables import all_tables

CSV_COLUMNS = ["model", "judge", "lang", "category", "turn", "n", "mean", "ci_low", "ci_high", "items", "unscored"]


def to_terminal(report, console) -> None:
    if not report.cells and not report.pairs:
        console.print("No judgments yet: run `seabench judge` (or import ratings) first.")
    to_terminal_tables(all_tables(report), console)


def to_terminal_tables(tables, console) -> None:
    from rich.table import Table as RichTable

    for t in tables:
        table = RichTable(title=t.title, caption=t.caption or None, show_lines=len(t.columns) > 6)
        for i, col in enumerate(t.columns):
            table.add_column(col, justify="left" if i == 0 else "right", overflow="fold")
        for row in t.rows:
            table.add_row(*[_stack(cell) if len(t.columns) > 6 else cell for cell in row])
        console.print(table)


def _stack(cell: str) -> str:
    """`6.82 [6.27, 7.36] n=160` as three short lines, so wide grids fit a terminal."""
    return cell.replace(" [", "\n[").replace(", ", ",").replace(" n=", "\nn=")


def to_markdown(report) -> str:
    out = [f"# seabench report\n\n{len(report.models)} models, judges: {', '.join(report.judges) or 'none'}; "
           f"{report.settings.rounds} bootstrap rounds, seed {report.settings.seed}, {report.settings.confidence:.0%} intervals.\n"]
    for t in all_tables(report):
        out.append(f"## {t.title}\n")
        out.append("| " + " | ".join(_md(c) for c in t.columns) + " |")
        out.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(t.columns))) + "|")
        out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in t.rows]
        if t.caption:
            out.append(f"\n_{_md(t.caption)}_")
        out.append("")
    return "\n".join(out)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_csv(report) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for c in report.cells:
        writer.writerow([c.model, c.judge, c.lang, c.category, c.turn, c.n, _f(c.mean), _f(c.ci_low), _f(c.ci_high), c.items, c.unscored])
    return buf.getvalue()


def _f(x: float | None) -> str:
    return "" if x is None else repr(float(x))


def to_json(report) -> str:
    return report.model_dump_json(indent=1)
