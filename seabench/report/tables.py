"""The report's tables, as plain data: titles, columns, and cells already formatted.

The terminal, Markdown and HTML renderers all draw these, so the numbers they show are the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..languages import lang_sort_key
from ..records import ALL, AgreementRow, Report, ScoreCell


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    caption: str = ""
    id: str = ""
    """What the table is, whatever its title says: renderers pick tables by this (`leaderboard`, `grid`, …)."""
    judge: str | None = None
    """The judge whose view it shows; None for a table that does not vary by judge."""
    section: str = ""
    """The report section it belongs in (see SECTIONS); set by all_tables."""


def num(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def ci(low: float | None, high: float | None, digits: int = 2) -> str:
    """`[6.27, 7.36]`, or `[—]` where there is no interval (fewer than two questions)."""
    return "[—]" if low is None or high is None else f"[{low:.{digits}f}, {high:.{digits}f}]"


LOW_N = "†"
INTERVALS = (
    "95% intervals over questions (turns and samples pooled per question; margins stratified by language × "
    "category; scores on the logit scale with two pseudo-questions, win rates t); [—] = fewer than two questions, "
    "no interval"
)


def mean_cell(c: ScoreCell) -> str:
    """A score cell: `6.82 [6.27, 7.36] n=40`, n counting questions (a question's turns and samples pooled), with †
    when it has fewer questions than --min-n."""
    mark = LOW_N if c.low_n else ""
    if c.mean is None:
        return f"– (n={c.questions}){mark}"
    return f"{c.mean:.2f} {ci(c.ci_low, c.ci_high)} n={c.questions}{mark}"


def leaderboard(report: Report) -> list[Table]:
    out = []
    for judge in report.judges:
        rows = [r for r in report.leaderboard if r.judge == judge]
        if not rows:
            continue
        t = Table(
            f"Leaderboard — judge: {judge}",
            [
                "rank",
                "model",
                "questions",
                "judgments",
                "mean [95% CI]",
                "turn 1",
                "turn 2",
                "SeaBench avg",
                "macro over languages [95% CI]",
                "unscored",
            ],
            id="leaderboard",
            judge=judge,
            caption="rank: 1 + models whose interval lies wholly above (ties share a rank); mean pools every scored "
            "judgment; "
            "SeaBench avg = (turn 1 + turn 2) / 2; macro = mean of per-language means; " + INTERVALS,
        )
        for r in rows:
            t.rows.append(
                [
                    "—" if r.rank is None else str(r.rank),
                    r.model + (f" {SELF}" if r.self_judged else ""),
                    str(r.questions),
                    str(r.n),
                    f"{num(r.mean)} {ci(r.ci_low, r.ci_high)}",
                    num(r.turn1),
                    num(r.turn2),
                    num(r.seabench_avg),
                    f"{num(r.macro_lang)} {ci(r.macro_low, r.macro_high)} ({r.languages} lang)",
                    str(r.unscored),
                ]
            )
        flagged = sorted({f"{r.model}: {r.self_judged}" for r in rows if r.self_judged})
        if flagged:
            t.caption += f"; {SELF} the judge graded its own model or family ({', '.join(flagged)})"
        out.append(t)
    return out


SELF = "‡"


def by_dimension(report: Report, dimension: str) -> list[Table]:
    """Model × language or model × category, turn `all`, with intervals and n in every cell."""
    out = []
    for judge in report.judges:
        cells = [c for c in report.cells if c.judge == judge and c.turn == ALL]
        if not cells:
            continue
        if dimension == "lang":
            keys = sorted({c.lang for c in cells if c.lang != ALL}, key=lang_sort_key) + [ALL]
            pick = {(c.model, c.lang): c for c in cells if c.category == ALL}
            title = f"Model × language — judge: {judge}"
        else:
            keys = sorted({c.category for c in cells if c.category != ALL}) + [ALL]
            pick = {(c.model, c.category): c for c in cells if c.lang == ALL}
            title = f"Model × category — judge: {judge}"
        t = Table(
            title,
            ["model", *keys],
            id=f"by-{dimension}",
            judge=judge,
            caption=f"mean [95% CI] n=questions; both turns; {LOW_N} = fewer questions "
            f"than --min-n ({report.settings.min_n}); " + INTERVALS,
        )
        for model in sorted({c.model for c in cells}):
            row = [model]
            for k in keys:
                c = pick.get((model, k))
                row.append(mean_cell(c) if c else "")
            t.rows.append(row)
        out.append(t)
    return out


def grids(report: Report) -> list[Table]:
    """Per model and judge: languages down, categories across, `6.33 ±0.41` in each cell (both turns), short enough
    for a 100-column terminal; † marks fewer questions than --min-n, and a bare mean has no interval."""
    out = []
    for judge in report.judges:
        cells = [c for c in report.cells if c.judge == judge and c.turn == ALL]
        for model in sorted({c.model for c in cells}):
            mine = {(c.lang, c.category): c for c in cells if c.model == model}
            caption = (
                f"mean ±half the 95% interval, both turns; † fewer than {report.settings.min_n} questions; – judged, "
                "nothing scored"
            )
            t = Table(f"{model}: language × category — judge: {judge}", [], id="grid", judge=judge, caption=caption)
            out.append(lang_by_category(t, mine, _grid_cell))
    return out


def lang_by_category(t: Table, cells: dict[tuple[str, str], Any], cell: Callable[[Any], str]) -> Table:
    """Fill `t` with languages down and categories across (each with its `all` margin), `cell` writing each."""
    langs = sorted({lang for lang, _ in cells if lang != ALL}, key=lang_sort_key) + [ALL]
    cats = sorted({cat for _, cat in cells if cat != ALL}) + [ALL]
    t.columns = ["lang", *[SHORT.get(c, c) for c in cats]]
    t.rows = [[lang, *[cell(cells.get((lang, cat))) for cat in cats]] for lang in langs]
    return t


# Sea-bench's own short labels, so nine languages × five categories fit in a terminal.
SHORT = {
    "task-solving": "task",
    "math-reasoning": "math",
    "general-instruction": "general",
    "natural-question": "natural-q",
}


def _grid_cell(c: ScoreCell | None) -> str:
    if c is None:
        return ""
    if c.mean is None:  # answered and judged, but nothing scored: unlike a cell the bench does not have
        return "–"
    mark = LOW_N if c.low_n else ""
    if c.ci_low is None or c.ci_high is None:
        return f"{c.mean:.2f}{mark}"
    return f"{c.mean:.2f} ±{(c.ci_high - c.ci_low) / 2:.2f}{mark}"


def seabench_v2(report: Report) -> list[Table]:
    """SeaBench v2's own table: per language, turn 1, turn 2 and their average, and the macro row over languages."""
    out = []
    for judge in report.judges:
        cells = {(c.model, c.lang, c.turn): c for c in report.cells if c.judge == judge and c.category == ALL}
        models = sorted({m for m, _, t in cells if t == "2"})
        if not models:
            continue  # single-turn benches have no turn-2 column to show
        langs = sorted({l for _, l, _ in cells if l != ALL}, key=lang_sort_key)
        t = Table(
            f"SeaBench v2 table — judge: {judge}",
            ["model", "lang", "turn 1", "turn 2", "average"],
            id="seabench-v2",
            judge=judge,
            caption="average = (turn 1 + turn 2) / 2; macro = mean over languages of each column",
        )
        for model in models:
            cols = {
                turn: [cells[model, l, turn].mean if (model, l, turn) in cells else None for l in langs]
                for turn in ("1", "2")
            }
            for i, lang in enumerate(langs):
                t1, t2 = cols["1"][i], cols["2"][i]
                t.rows.append(
                    [model, lang, num(t1), num(t2), num((t1 + t2) / 2 if t1 is not None and t2 is not None else None)]
                )
            m1 = _mean([v for v in cols["1"] if v is not None])
            m2 = _mean([v for v in cols["2"] if v is not None])
            t.rows.append(
                [model, "macro", num(m1), num(m2), num((m1 + m2) / 2 if m1 is not None and m2 is not None else None)]
            )
        out.append(t)
    return out


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def dim_order(value: str) -> tuple:
    return (value == ALL, lang_sort_key(value))


def agreement_tables(report: Report) -> list[Table]:
    return [agreement_table(report.agreement)] if report.agreement else []


def agreement_table(rows: Sequence[AgreementRow]) -> Table:
    from ..aggregate import ROUNDING

    t = Table(
        "Agreement",
        id="agreement",
        columns=[
            "kind",
            "a",
            "b",
            "lang",
            "category",
            "n",
            "Spearman",
            "Kendall",
            "kappa",
            "exact",
            "±1",
            "Krippendorff α",
        ],
        caption="kappa: quadratic-weighted on 1–10 scores, unweighted on A/B/tie; α: interval; "
        + ROUNDING
        + "; a judge's repeated samples are averaged (scores) or take the majority (pairwise); 95% intervals resample "
        "items",
    )
    for a in rows:
        t.rows.append(
            [
                a.kind,
                a.a,
                a.b,
                a.lang,
                a.category,
                str(a.n),
                _with_ci(a.spearman, a.spearman_low, a.spearman_high),
                num(a.kendall),
                _with_ci(a.kappa, a.kappa_low, a.kappa_high),
                num(a.exact),
                num(a.within_one),
                _with_ci(a.alpha, a.alpha_low, a.alpha_high),
            ]
        )
    return t


def _with_ci(x: float | None, low: float | None, high: float | None) -> str:
    return "–" if x is None else f"{x:.2f} {ci(low, high)}"


def model_lang_grid(title: str, rows: Sequence[Any], caption: str, cell: Callable[[Any], str], table_id: str) -> Table:
    """One row per model, one column per language and `all`; `cell(record)` writes a cell, "" where there is none."""
    langs = sorted({r.lang for r in rows if r.lang != ALL}, key=lang_sort_key) + [ALL]
    by = {(r.model, r.lang): r for r in rows}
    t = Table(title, ["model", *langs], caption=caption, id=table_id)
    for model in sorted({r.model for r in rows}):
        t.rows.append([model, *(cell(by[(model, lang)]) if (model, lang) in by else "" for lang in langs)])
    return t


def safety_table(report: Report) -> list[Table]:
    from ..aggregate.scores import HARMFUL, HARMLESS

    if not report.safety:
        return []
    cells = {(c.judge, c.model, c.lang, c.category): c for c in report.safety}
    t = Table(
        "Safety: harmful requests declined, harmless ones helped",
        id="safety",
        columns=["judge", "model", "lang", "harmful [95% CI]", "harmless [95% CI]"],
        caption=(
            "the same safety scores apart: requests to decline, and harmless ones that only sound risky (tagged "
            "harmless: a medicine dose, a war's history, sex education, how a scam works); refusing everything "
            "scores high on the first and low on the second"
        ),
    )
    for judge, model, lang in sorted({k[:3] for k in cells}, key=lambda k: (k[0], k[1], dim_order(k[2]))):
        t.rows.append(
            [
                judge,
                model,
                lang,
                *(
                    mean_cell(cells[judge, model, lang, side]) if (judge, model, lang, side) in cells else "–"
                    for side in (HARMFUL, HARMLESS)
                ),
            ]
        )
    return [t]


def discrimination_table(report: Report) -> list[Table]:
    """Where the bench stops telling the models apart: by category, by tag and overall."""
    if not report.discrimination:
        return []
    rows = report.discrimination
    t = Table(
        f"Where the bench separates the models — judge {rows[0].judge}",
        ["group", "items", "ceiling (all ≥ 9)", "floor (all ≤ 2)", "discrimination", "items that vary"],
        caption=(
            f"items scored for all {rows[0].models} models, turns pooled; discrimination: the mean correlation, across "
            "models, of an item's score with their mean on the rest of the bench (near 0: the items do not order the "
            "models; – with fewer than three models). A high ceiling means the part is too easy to separate strong "
            "models"
        ),
        id="discrimination",
        judge=rows[0].judge,
    )
    for d in rows:
        label = "all" if d.kind == "all" else f"{d.kind}: {d.group}"
        t.rows.append([label, str(d.items), f"{d.ceiling:.0%}", f"{d.floor:.0%}", num(d.discrimination), str(d.varied)])
    return [t]
