"""The report's tables, as plain data: titles, columns, and cells already formatted.

The terminal, Markdown and HTML renderers all draw these, so the numbers they show are the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..languages import lang_sort_key
from ..records import ALL, AgreementRow, PairCell, RatingRow, Report, ScoreCell, TokenRow


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
    "95% t intervals over questions (turns and samples pooled per question; margins stratified by language × "
    "category); [—] = fewer than two questions, no interval"
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
                    str(r.rank),
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
            caption = f"mean ±half the 95% interval, both turns; † fewer than {report.settings.min_n} questions"
            t = Table(f"{model}: language × category — judge: {judge}", [], id="grid", judge=judge, caption=caption)
            out.append(_lang_by_category(t, mine, _grid_cell))
    return out


def _lang_by_category(t: Table, cells: dict[tuple[str, str], Any], cell: Callable[[Any], str]) -> Table:
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
    if c is None or c.mean is None:
        return ""
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


def baseline_tables(report: Report) -> list[Table]:
    """The SeaLLMs figure: each model's win / tie / loss against the bench's shipped baseline, per language and per
    category, with the adjusted win rate's interval."""
    out = []
    for baseline in report.baselines:
        for judge in sorted({p.judge for p in report.pairs if p.opponent == baseline}):
            rows = [p for p in report.pairs if p.judge == judge and p.opponent == baseline and p.model != baseline]
            for dim, label in (("lang", "language"), ("category", "category")):
                picked = [p for p in rows if (p.category == ALL if dim == "lang" else p.lang == ALL)]
                picked.sort(key=lambda p: (p.model, _dim_order(getattr(p, dim))))
                t = Table(
                    f"Against {baseline} by {label} — judge: {judge}",
                    ["model", label, "questions", "games", "win / tie / loss", "win rate [95% CI]"],
                    id=f"baseline-{dim}",
                    judge=judge,
                    caption="win rate = (wins + ½ ties) / n, both orders played; intervals treat questions as the unit",
                )
                t.rows += [
                    [
                        p.model,
                        getattr(p, dim),
                        str(p.questions),
                        str(p.n),
                        f"{p.wins} / {p.ties} / {p.losses}",
                        f"{num(p.adjusted)} {ci(p.ci_low, p.ci_high)}",
                    ]
                    for p in picked
                ]
                if t.rows:
                    out.append(t)
    return out


def baseline_grids(report: Report) -> list[Table]:
    """The seed's figure for the terminal: per candidate and judge, its win rate against the bench's baseline per
    language × category, ±half the interval (0.50 is a tie with the baseline)."""
    out = []
    for baseline in report.baselines:
        for judge in sorted({p.judge for p in report.pairs if p.opponent == baseline}):
            rows = [
                p
                for p in report.pairs
                if p.judge == judge and p.opponent == baseline and p.model not in report.baselines
            ]
            for model in sorted({p.model for p in rows}):
                mine = {(p.lang, p.category): p for p in rows if p.model == model}
                t = Table(
                    f"{model} vs {baseline}: win rate, language × category — judge: {judge}",
                    [],
                    id="baseline-grid",
                    judge=judge,
                    caption="(wins + ½ ties) / games ±half the 95% interval; 0.50 ties the baseline",
                )
                out.append(_lang_by_category(t, mine, _rate_cell))
    return out


def _rate_cell(p: PairCell | None) -> str:
    if p is None or p.adjusted is None:
        return ""
    if p.ci_low is None or p.ci_high is None:
        return f"{p.adjusted:.2f}"
    return f"{p.adjusted:.2f} ±{(p.ci_high - p.ci_low) / 2:.2f}"


def _dim_order(value: str) -> tuple:
    return (value == ALL, lang_sort_key(value))


def head_to_head(report: Report) -> list[Table]:
    """Per judge: each model's adjusted win rate against each other model, with the number of games."""
    out = []
    for judge in sorted({p.judge for p in report.pairs}):
        cells = {
            (p.model, p.opponent): p
            for p in report.pairs
            if p.judge == judge and p.lang == ALL and p.category == ALL and p.opponent != ALL
        }
        models = sorted({m for m, _ in cells})
        if len(models) < 2:
            continue
        t = Table(
            f"Head to head — judge: {judge}",
            ["model ↓ vs →", *models],
            id="head-to-head",
            judge=judge,
            caption="adjusted win rate of the row's model against the column's (wins + ½ ties) / n, with n",
        )
        for m in models:
            t.rows.append(
                [m, *[f"{num(cells[m, o].adjusted)} (n={cells[m, o].n})" if (m, o) in cells else "" for o in models]]
            )
        out.append(t)
    return out


def pairwise_by_language(report: Report) -> list[Table]:
    """Each model's win rate against every opponent pooled, per language."""
    out = []
    for judge in sorted({p.judge for p in report.pairs}):
        rows = sorted(
            (p for p in report.pairs if p.judge == judge and p.opponent == ALL and p.category == ALL and p.lang != ALL),
            key=lambda p: (p.model, lang_sort_key(p.lang)),
        )
        if rows:
            t = Table(
                f"Pairwise by language — judge: {judge}",
                ["model", "lang", "questions", "games", "win / tie / loss", "win rate [95% CI]"],
                id="pairwise-by-language",
                judge=judge,
                caption="against every opponent pooled; win rate = (wins + ½ ties) / n",
            )
            t.rows += [
                [
                    p.model,
                    p.lang,
                    str(p.questions),
                    str(p.n),
                    f"{p.wins} / {p.ties} / {p.losses}",
                    f"{num(p.adjusted)} {ci(p.ci_low, p.ci_high)}",
                ]
                for p in rows
            ]
            out.append(t)
    return out


def pairwise_tables(report: Report) -> list[Table]:
    out = head_to_head(report) + pairwise_by_language(report)
    for judge in sorted({p.judge for p in report.pairs}):
        t = Table(
            f"Pairwise — judge: {judge}",
            ["model", "vs", "n", "win / tie / loss", "adjusted win rate [95% CI]", "inconsistent", "unscored"],
            id="pairwise",
            judge=judge,
            caption="adjusted = (wins + ½ ties) / n; the two orders disagreeing counts as a tie (inconsistent)",
        )
        for p in report.pairs:
            if p.judge == judge and p.lang == ALL and p.category == ALL:
                rate = f"{p.inconsistent} ({p.inconsistent / p.n:.0%})" if p.n else "0"
                t.rows.append(
                    [
                        p.model,
                        p.opponent,
                        str(p.n),
                        f"{p.wins} / {p.ties} / {p.losses}",
                        f"{num(p.adjusted)} {ci(p.ci_low, p.ci_high)}",
                        rate,
                        str(p.unscored),
                    ]
                )
        out.append(t)
    for judge in sorted({r.judge for r in report.ratings}):
        t = Table(
            f"Bradley–Terry ratings — judge: {judge}",
            ["model", "rating [95% CI]", "games", "note"],
            id="bradley-terry",
            judge=judge,
            caption="Elo scale, mean 1000; ties count half; a weak prior of one virtual tie between every two models "
            "keeps a model that never won or never lost finite; intervals resample questions; a model that never won "
            "shows only the bound the data give (≤), one that never lost likewise (≥): the prior, not the data, makes "
            "the other side",
        )
        for r in report.ratings:
            if r.judge == judge:
                t.rows.append([r.model, bt_cell(r), str(r.games), r.note or ""])
        out.append(t)
    return out


def bt_cell(r: RatingRow) -> str:
    """A rating with its interval; one-sided where the data bound it on one side only."""
    if r.note == "never won":
        return f"≤ {r.ci_high:.0f} (never won)"
    if r.note == "never lost":
        return f"≥ {r.ci_low:.0f} (never lost)"
    return f"{r.rating:.0f} [{r.ci_low:.0f}, {r.ci_high:.0f}]"


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


def language_table(report: Report) -> list[Table]:
    if not report.language:
        return []
    out = [
        model_lang_grid(
            "Wrong-language rate",
            report.language,
            "(wrong language or script + mixed) / answers checked",
            lambda r: f"{r.rate:.0%} ({r.wrong + r.mixed}/{r.checked})" if r.rate is not None else "",
            "wrong-language",
        )
    ]
    if any(r.switched is not None for r in report.language):
        out.append(
            model_lang_grid(
                "Code-switching",
                report.language,
                (
                    "mean share of an answer's words in another language (English inside Tagalog, Malay…), or of its "
                    "letters in Latin "
                    "script for Thai, Lao, Khmer and Burmese (n answers); natural code-switching is measured here, not "
                    "counted as wrong"
                ),
                lambda r: f"{r.switched:.0%} ({r.switched_n})" if r.switched is not None else "",
                "code-switching",
            )
        )
    return out


def health_table(report: Report) -> list[Table]:
    if not report.health:
        return []
    t = Table(
        "Script health",
        id="health",
        columns=[
            "model",
            "lang",
            "answers",
            "not NFC",
            "Zawgyi",
            "truncated",
            "broken cluster",
            "cut mid-word",
            "repetitive",
            "wrong script",
            "mixed script",
        ],
        caption="answers with each problem (share); truncated = stopped at the token limit; wrong and mixed script "
        "come from the language check",
    )
    for r in report.health:
        cells = [
            r.not_nfc,
            r.zawgyi,
            r.truncated,
            r.broken_cluster,
            r.cut_mid_word,
            r.repetitive,
            r.wrong_script,
            r.mixed,
        ]
        t.rows.append([r.model, r.lang, str(r.checked), *(f"{c} ({c / r.checked:.0%})" if c else "0" for c in cells)])
    return [t]


def tokens_table(rows: Sequence[TokenRow]) -> Table:
    t = Table(
        "Tokens per language",
        id="tokens",
        columns=[
            "model",
            "lang",
            "tokens",
            "per char",
            "per word",
            "× en per word",
            "× en per text",
            "prompt cost",
            "answer tokens",
            "answer cost",
            "word unit",
        ],
        caption="per word: Thai and Lao words from PyThaiNLP and LaoNLP, whitespace words elsewhere, syllables for "
        "Vietnamese; "
        "Khmer and Burmese have no well-kept segmenter, so they count grapheme clusters and get no per-word ratio; "
        "× English (per text) compares the bench's comparable questions",
    )
    notes = {r.model: r.note for r in rows if r.tokens is None}
    for model, note in notes.items():
        t.caption += f". No counts for {model}: {note}"
    for r in rows:
        if r.tokens is None:
            continue
        usd = lambda x: f"${x:.4f}" if x is not None else "–"  # noqa: E731
        t.rows.append(
            [
                r.model,
                r.lang,
                f"{r.tokens:,}",
                num(r.tokens_per_char),
                num(r.tokens_per_word),
                num(r.ratio_to_en),
                num(r.ratio_to_en_per_text),
                usd(r.prompt_cost_usd),
                f"{r.answer_tokens:,}" if r.answer_tokens is not None else "–",
                usd(r.answer_cost_usd),
                r.word_unit,
            ]
        )
    return t


def usage_table(report: Report) -> list[Table]:
    t = Table(
        "Usage",
        id="usage",
        columns=[
            "name",
            "role",
            "stored",
            "failures",
            "unscored",
            "injection-flagged",
            "tokens in",
            "tokens out",
            "cost",
        ],
    )
    for u in report.usage:
        t.rows.append(
            [
                u.name,
                u.role,
                str(u.items),
                str(u.failures),
                str(u.unscored),
                str(u.flagged),
                f"{u.input_tokens:,}",
                f"{u.output_tokens:,}",
                f"${u.cost_usd:.4f}" if u.cost_usd is not None else "–",
            ]
        )
    return [t]


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
    for judge, model, lang in sorted({k[:3] for k in cells}, key=lambda k: (k[0], k[1], _dim_order(k[2]))):
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
