"""Report formats: terminal, Markdown, CSV and JSON. HTML lives in html.py."""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path

from rich.console import Console
from rich.text import Text

from ..errors import ConfigError
from ..records import (
    AgreementRow,
    CheckpointChange,
    CheckpointRow,
    DiscriminationRow,
    HealthRate,
    JudgeChoice,
    LanguageRate,
    LeaderRow,
    LengthControlRow,
    LengthRow,
    PairCell,
    PositionRow,
    RatingRow,
    Record,
    Report,
    ScoreCell,
    SelfPreferenceRow,
    StyleCoef,
    StyleRating,
    TokenRow,
    UsageRow,
)
from ..textio import inert
from .checkpoints import checkpoint_tables
from .order import TABLE_SECTIONS
from .overview import headline, headline_table
from .pairwise_tables import baseline_grids
from .sections import all_tables
from .tables import Table, grids

CSV_COLUMNS = [
    "model",
    "judge",
    "lang",
    "category",
    "turn",
    "n",
    "mean",
    "ci_low",
    "ci_high",
    "questions",
    "unscored",
    "scheme",
    "low_n",
]
# Per model × language, so filled on the rows with category = turn = all.
RATE_COLUMNS = [
    "wrong_language_rate",
    "mixed_rate",
    "not_nfc_rate",
    "zawgyi_rate",
    "truncated_rate",
    "broken_cluster_rate",
    "cut_mid_word_rate",
    "repetitive_rate",
]


# What a file's extension says it holds.
EXTENSIONS = {
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".csv": "csv",
    ".json": "json",
    ".txt": "terminal",
}


def format_for(path: Path) -> str:
    """The report format a file's name asks for."""
    found = EXTENSIONS.get(path.suffix.lower())
    if found is None:
        raise ConfigError(
            f"{path}: cannot tell the report format from '{path.suffix or 'no extension'}'; name the file "
            ".html, .md, .csv, .json or .txt"
        )
    return found


def to_terminal(report: Report, console: Console, wide: bool = False, sections: list[str] | None = None) -> None:
    """By default the first screen: the headline, the significant differences, what was covered, and the primary
    judge's language × category grids. `sections` shows those sections whole; `wide` every table."""
    if not report.cells and not report.pairs:
        console.print("No judgments yet: run `seabench judge` (or import ratings) first.")
    if wide or sections:
        to_terminal_tables([t for t in all_tables(report) if wide or t.section in (sections or [])], console)
        return
    to_terminal_tables(first_screen(report), console, compact=True)
    h = headline(report)
    console.print(Text("Significant", style="bold"))
    for line in h.findings[:3]:
        console.print(Text(f"  {line}"), soft_wrap=False)
    if len(h.findings) > 3:
        console.print(Text("  … and more: --section overview"), soft_wrap=False)
    for line in h.covered:
        console.print(Text(line, style="dim"), soft_wrap=False)
    console.print(
        Text(
            f"More: --section {'|'.join(TABLE_SECTIONS)} (repeatable), or --wide",
            style="dim",
        ),
        soft_wrap=False,
    )


def first_screen(report: Report) -> list[Table]:
    """The headline without its language strip (the grids below hold the languages), then the primary judge's grids:
    scores where it scored, win rates against the baseline where it compared. A checkpoint series (--checkpoints) is
    what was asked: its two tables stand in for the grids."""
    judge = report.primary_judge
    top = headline_table(report, strip=False)
    top.caption = "rank: 1 + models whose interval lies wholly above; 95% intervals, questions as the unit"
    if report.checkpoints:
        return [top, *checkpoint_tables(report)]
    scored = [t for t in grids(report) if t.judge == judge] or [t for t in baseline_grids(report) if t.judge == judge]
    for t in scored[:-1]:
        t.caption = ""  # one caption under the last grid says what they all show
    return [top, *scored]


def to_terminal_text(report: Report, width: int = 100, wide: bool = False, sections: list[str] | None = None) -> str:
    """The terminal view as plain text, for `--out FILE.txt`."""
    import io as _io

    from rich.console import Console

    buf = _io.StringIO()
    to_terminal(
        report, Console(file=buf, width=width, highlight=False, soft_wrap=False, color_system=None), wide, sections
    )
    return buf.getvalue()


def to_terminal_tables(tables: list[Table], console: Console, compact: bool = False) -> None:
    """Each table under its title. `compact`: no borders, so a grid takes its rows and three lines more."""
    from rich import box
    from rich.table import Table as RichTable

    for t in tables:
        console.print(Text(t.title, style="bold"))
        wide = len(t.columns) > 6 and not compact
        table = (
            RichTable(
                caption=t.caption or None, caption_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False
            )
            if compact
            else RichTable(caption=t.caption or None, show_lines=wide, caption_justify="left")
        )
        for i, col in enumerate(t.columns):
            table.add_column(
                col, justify="left" if i == 0 or col in ("model", "judge", "lang") else "right", overflow="fold"
            )
        for row in t.rows:
            table.add_row(*[_stack(cell) if wide else cell for cell in row])
        console.print(table)


def _stack(cell: str) -> str:
    """`6.82 [6.27, 7.36] n=160` as three short lines, so wide grids fit a terminal."""
    if " [" not in cell:
        return cell
    return cell.replace(" [", "\n[").replace(", ", ",").replace(" n=", "\nn=")


def to_markdown(report: Report) -> str:
    out = [
        f"# seabench report\n\n{len(report.models)} models, judges: {', '.join(report.judges) or 'none'}; "
        f"{report.settings.confidence:.0%} intervals over questions: scores on the logit scale with two "
        f"pseudo-questions at 1 and 10, win rates t intervals; "
        f"Bradley–Terry and "
        f"agreement from {report.settings.rounds} bootstrap rounds over questions (seed {report.settings.seed}).\n"
    ]
    for t in all_tables(report):
        out.append(f"## {_md(t.title)}\n")
        out.append("| " + " | ".join(_md(c) for c in t.columns) + " |")
        out.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(t.columns))) + "|")
        out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in t.rows]
        if t.caption:
            out.append(f"\n_{_md(t.caption)}_")
        if t.id == "headline":
            out += ["", "**Significant**", "", *(f"- {_md(line)}" for line in headline(report).findings)]
        out.append("")
    return "\n".join(out)


def _md(text: str) -> str:
    """A table cell: inert in any Markdown viewer, even one that renders HTML (a model may be named `</script>…`)."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def to_csv(report: Report) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + RATE_COLUMNS)
    rates = _rates(report)
    for c in report.cells:
        extra = (
            rates.get((c.model, c.lang), [""] * len(RATE_COLUMNS))
            if c.category == "all" and c.turn == "all"
            else [""] * len(RATE_COLUMNS)
        )
        writer.writerow(
            [
                inert(c.model),
                inert(c.judge),
                c.lang,
                c.category,
                c.turn,
                c.n,
                _f(c.mean),
                _f(c.ci_low),
                _f(c.ci_high),
                c.questions,
                c.unscored,
                c.scheme,
                int(c.low_n),
                *extra,
            ]
        )
    return buf.getvalue()


# `report --format csv --table NAME`: every table of the report as CSV, its columns the record's fields.
TABLES: dict[str, tuple[str, type[Record]]] = {
    "scores": ("cells", ScoreCell),
    "leaderboard": ("leaderboard", LeaderRow),
    "pairwise": ("pairs", PairCell),
    "ratings": ("ratings", RatingRow),
    "agreement": ("agreement", AgreementRow),
    "language": ("language", LanguageRate),
    "health": ("health", HealthRate),
    "tokens": ("tokens", TokenRow),
    "usage": ("usage", UsageRow),
    "length": ("lengths", LengthRow),
    "position": ("position", PositionRow),
    "length-control": ("length_control", LengthControlRow),
    "self-preference": ("self_preference", SelfPreferenceRow),
    "style": ("style_ratings", StyleRating),
    "style-coefficients": ("style_coefs", StyleCoef),
    "judge-choice": ("judge_choice", JudgeChoice),
    "safety": ("safety", ScoreCell),
    "discrimination": ("discrimination", DiscriminationRow),
    "checkpoints": ("checkpoints", CheckpointRow),
    "checkpoint-changes": ("checkpoint_changes", CheckpointChange),
}


def table_csv(report: Report, table: str) -> str:
    """One table as CSV: `scores` is the report's main CSV (rates joined on); the others list their records' fields."""
    if table == "scores":
        return to_csv(report)
    field, record = TABLES[table]
    rows = getattr(report, field)
    buf = io.StringIO()
    columns = list(record.model_fields)  # an empty table still has its header
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: inert(_cell(v)) for k, v in r.model_dump().items()})
    return buf.getvalue()


def empty_table(report: Report, table: str) -> str | None:
    """None when `table` has rows; else a sentence naming the tables that do."""
    field, _ = TABLES[table]
    if getattr(report, field):
        return None
    full = [name for name, (f, _) in TABLES.items() if getattr(report, f)]
    return f"--table {table} has no rows in this store" + (f"; tables with rows: {', '.join(full)}" if full else "")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return ";".join(map(str, value))
    return str(value)


def _rates(report: Report) -> dict[tuple[str, str], list[str]]:
    lang = {(r.model, r.lang): r for r in report.language}
    health = {(r.model, r.lang): r for r in report.health}
    out = {}
    for key in set(lang) | set(health):
        l, h = lang.get(key), health.get(key)
        row = [_f(l.wrong / l.checked) if l and l.checked else "", _f(l.mixed / l.checked) if l and l.checked else ""]
        row += [
            _f(getattr(h, f) / h.checked) if h and h.checked else ""
            for f in ("not_nfc", "zawgyi", "truncated", "broken_cluster", "cut_mid_word", "repetitive")
        ]
        out[key] = row
    return out


def _f(x: float | None) -> str:
    return "" if x is None else repr(float(x))


def to_json(report: Report) -> str:
    return report.model_dump_json(indent=1)
