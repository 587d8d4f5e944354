"""`seabench compare`: the significant regressions and improvements first, then every cell."""

from __future__ import annotations

import csv
import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..records import CompareCell, GateVerdict
from ..textio import inert_row
from .tables import ci, num


def headline(cell: CompareCell) -> str:
    """`km / math-reasoning: −1.20 [−1.90, −0.50], p_adj = 0.010`"""
    sign = lambda x: f"{x:+.2f}".replace("-", "−")  # noqa: E731
    where = f"{cell.lang} / {cell.category}"
    interval = f" [{sign(cell.ci_low)}, {sign(cell.ci_high)}]" if cell.ci_low is not None else ""
    p = f", p_adj = {cell.p_adj:.3g}" if cell.p_adj is not None else ""
    return f"{where}: {sign(cell.diff)}{interval}{p} (n={cell.n}{', underpowered' if cell.underpowered else ''})"


def compare_terminal(console: Console, model_a: str, model_b: str, judge: str, cells: list[CompareCell]) -> None:
    significant = [c for c in cells if c.significant]
    console.print(
        Text(
            f"{model_a} − {model_b}, judge {judge}: paired by question (turns and samples pooled per question, as in "
            f"the "
            f"report); paired t test, Holm-adjusted over {len(cells)} cells",
            style="bold",
        )
    )
    if not significant:
        console.print("No significant differences at p_adj < 0.05.")
    for c in significant:
        console.print(
            Text(
                ("regression  " if (c.diff or 0) < 0 else "improvement ") + headline(c),
                style="red" if (c.diff or 0) < 0 else "green",
            )
        )
    table = Table(
        caption="cells under --min-n paired questions are underpowered: read their intervals, not their p-values"
    )
    for col in ("lang", "category", "n", model_a, model_b, "A − B [95% CI]", "p", "p_adj", ""):
        table.add_column(col, justify="left" if col in ("lang", "category", "") else "right", overflow="fold")
    for c in cells:
        table.add_row(
            c.lang,
            c.category,
            str(c.n),
            num(c.mean_a),
            num(c.mean_b),
            f"{num(c.diff)} {ci(c.ci_low, c.ci_high)}",
            _p(c.p),
            _p(c.p_adj),
            ("*" if c.significant else "") + (" underpowered" if c.underpowered else ""),
        )
    console.print(table)


def compare_csv(cells: list[CompareCell]) -> str:
    buf = io.StringIO()
    columns = list(cells[0].model_dump()) if cells else ["lang", "category"]
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(inert_row(c.model_dump()) for c in cells)
    return buf.getvalue()


def _p(p: float | None) -> str:
    return "–" if p is None else f"{p:.3g}"


def gate_lines(verdict: GateVerdict) -> str:
    """The gate's decision: each regression on a line of its own, or a line saying there is none."""
    where = {
        "language": "overall and per language",
        "category": "overall and per category",
        "cell": "overall and per language × category",
    }[verdict.by]
    margin = f" by more than {verdict.margin:g}" if verdict.margin > 0 else ""
    head = (
        f"gate: {verdict.new} against {verdict.base} ({verdict.judge}), {where}, Holm over {len(verdict.cells)} cells"
    )
    lines = [head]
    for g in verdict.cells:
        if g.regressed:
            lines.append(
                f"REGRESSION {g.lang} / {g.category}: {num(g.diff)} [{num(g.ci_low)}, {num(g.ci_high)}], n={g.n}, "
                f"p_adj={g.p_adj:.3g}"
            )
    if not verdict.failed:
        lines.append(f"no significant regression{margin}")
    return "\n".join(lines)
