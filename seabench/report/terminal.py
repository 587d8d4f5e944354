"""Rich renderings for the terminal. Untrusted text (questions, answers) is never parsed as markup."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..languages import NAMES
from ..records import Bench, BenchCell, Question


def bench_stats_table(bench: Bench, cells: list[BenchCell]) -> Table:
    """A language × category grid, the shorter dimension across; each cell: n (2+ turns · with reference)."""
    langs = list(dict.fromkeys(c.lang for c in cells))
    cats = sorted(dict.fromkeys(c.category for c in cells), key=lambda c: _cat_rank(bench, c))
    by_key = {(c.lang, c.category): c for c in cells}
    lang_rows = len(cats) <= len(langs)
    rows, cols = (langs, cats) if lang_rows else (cats, langs)
    table = Table(
        title=f"{bench.name}: {sum(c.questions for c in cells)} questions in {len(cells)} cells",
        caption="n (2+ turns·with reference)",
    )
    table.add_column("lang" if lang_rows else "category", no_wrap=True)
    for col in cols:
        table.add_column(SHORT.get(col, col), justify="right", no_wrap=True)
    table.add_column("all", justify="right", style="bold")
    for row_key in rows:
        label = f"{row_key} {NAMES.get(row_key, '')[:10]}" if lang_rows else SHORT.get(row_key, row_key)
        row = [Text(label)]
        for col in cols:
            cell = by_key.get((row_key, col) if lang_rows else (col, row_key))
            row.append(_cell_text(cell) if cell else Text("–", style="dim"))
        row.append(Text(str(sum(c.questions for c in cells if (c.lang if lang_rows else c.category) == row_key))))
        table.add_row(*row)
    return table


# Sea-bench's own short labels, so nine languages × five categories fit in 80 columns.
SHORT = {
    "task-solving": "task",
    "math-reasoning": "math",
    "general-instruction": "general",
    "natural-question": "natural-q",
    "safety": "safety",
}


def _cat_rank(bench: Bench, category: str) -> int:
    from ..bench import SHAPES

    order = SHAPES.get(bench.shape, SHAPES["sea-bench"])[1]
    return order.index(category) if category in order else len(order)


def _cell_text(cell: BenchCell) -> Text:
    text = Text(str(cell.questions))
    text.append(f" ({cell.multi_turn}·{cell.with_reference})", style="dim")
    return text


def question_view(question: Question) -> Group:
    """Every turn and reference in full. Text is soft-wrapped by the terminal, never cut inside a cluster."""
    parts: list[Text] = [
        Text.assemble(
            (f"{question.id}", "bold"),
            f"  {question.lang} ({NAMES.get(question.lang, '?')}) · {question.category} · {len(question.turns)} turn(s)",
        )
    ]
    for i, turn in enumerate(question.turns, start=1):
        parts += [Text(f"\nTurn {i} — user", style="bold cyan"), Text(turn)]
        ref = question.reference(i)
        if ref:
            parts += [Text(f"Turn {i} — reference answer", style="bold green"), Text(ref)]
    if question.baseline:
        parts += [Text("\nBaseline answer", style="bold yellow"), Text(question.baseline)]
    return Group(*parts)


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True)
