"""The report's first screen: one row per model under the primary judge, the differences that are significant, and
what the run covered. Every format opens with it; formatting only, from what `summarize` computed."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..languages import lang_sort_key
from ..records import ALL, PairCell, Report
from ..words import plural
from .tables import Table, ci, num


@dataclass
class Strip:
    """One language's value in a model's row: what the colour shows and what the cell says."""

    lang: str
    value: float | None
    """On the headline's own scale (1–10, or 0–1 for win rates)."""
    text: str


@dataclass
class HeadlineRow:
    model: str
    rank: int | None
    """None: nothing scored, nothing ranked."""
    score: str
    """`6.82 [6.27, 7.36]`: the headline number and its interval."""
    questions: int
    judgments: int
    vs_baseline: str
    """Win rate against the bench's baseline with its interval and win/tie/loss; "" without one."""
    strip: list[Strip] = field(default_factory=list)
    value: float | None = None
    """The headline number, and its interval below: what a leaderboard over many stores ranks on."""
    low: float | None = None
    high: float | None = None


@dataclass
class Headline:
    judge: str | None
    measure: str
    """What the score column is: `mean score (1–10)`, `win rate vs X` or `Bradley–Terry rating`."""
    scale: tuple[float, float]
    baseline: str | None
    rows: list[HeadlineRow]
    findings: list[str]
    """The significant differences, one sentence each, largest first."""
    covered: list[str]
    """What the run covered and what the rankings left out."""
    langs: list[str]


def headline(report: Report) -> Headline:
    judge = report.primary_judge
    leaders = [r for r in report.leaderboard if r.judge == judge]
    baseline, base_judge = _baseline(report, judge)
    base = {
        p.model: p
        for p in report.pairs
        if p.judge == base_judge
        and p.opponent == baseline
        and p.lang == ALL
        and p.category == ALL
        and p.model not in report.baselines
    }
    if leaders:
        measure, scale = "mean score (1–10)", (1.0, 10.0)
        cells = {(c.model, c.lang): c for c in report.cells if c.judge == judge and c.category == ALL and c.turn == ALL}
        rows = [
            HeadlineRow(
                r.model,
                r.rank,
                f"{num(r.mean)} {ci(r.ci_low, r.ci_high)}"
                if r.mean is not None
                else f"not ranked: no scored judgment (the judge's {plural(r.unscored, 'reply', 'replies')} held no "
                "verdict in its prompt's format)",
                r.questions,
                r.n,
                _vs(base.get(r.model)),
                value=r.mean,
                low=r.ci_low,
                high=r.ci_high,
            )
            for r in leaders
        ]
        strip = {k: (c.mean, f"{num(c.mean, 1)}") for k, c in cells.items()}
    else:
        pairs = {
            (p.model, p.lang): p
            for p in report.pairs
            if p.judge == judge
            and p.category == ALL
            and p.opponent == (baseline or ALL)
            and p.model not in report.baselines
        }
        overall = [p for (m, lang), p in pairs.items() if lang == ALL]
        ranked = ranks([(p.model, p.adjusted, p.ci_low, p.ci_high) for p in overall])
        measure, scale = (f"win rate vs {baseline}" if baseline else "win rate vs all opponents"), (0.0, 1.0)
        rows = sorted(
            (
                HeadlineRow(
                    p.model,
                    ranked[p.model],
                    f"{num(p.adjusted)} {ci(p.ci_low, p.ci_high)}",
                    p.questions,
                    p.n,
                    _vs(base.get(p.model)),
                    value=p.adjusted,
                    low=p.ci_low,
                    high=p.ci_high,
                )
                for p in overall
            ),
            key=lambda r: (r.rank, r.score),
        )
        strip = {k: (p.adjusted, f"{num(p.adjusted)}") for k, p in pairs.items()}
    langs = sorted({lang for _, lang in strip if lang != ALL}, key=lang_sort_key)
    for row in rows:
        row.strip = [Strip(lang, *strip.get((row.model, lang), (None, ""))) for lang in langs]
    return Headline(
        judge,
        measure,
        scale,
        baseline if base else None,
        rows,
        findings(report, judge, baseline, base_judge),
        covered(report),
        langs,
    )


def _baseline(report: Report, judge: str | None) -> tuple[str | None, str | None]:
    """The bench's baseline and the judge whose verdicts against it to show: the primary judge's, else the first's."""
    for baseline in report.baselines:
        judges = sorted({p.judge for p in report.pairs if p.opponent == baseline})
        if judges:
            return baseline, judge if judge in judges else judges[0]
    return None, None


def _vs(p: PairCell | None) -> str:
    if p is None:
        return ""
    return f"{num(p.adjusted)} {ci(p.ci_low, p.ci_high)} ({p.wins}/{p.ties}/{p.losses})"


def ranks(rows: list[tuple[str, float | None, float | None, float | None]]) -> dict[str, int]:
    """1 + the models surely ahead: their interval's low end above this one's high end (as the leaderboard ranks)."""
    out = {}
    for model, value, _, high in rows:
        top = high if high is not None else value
        out[model] = 1 + sum(
            1
            for m, v, lo, _ in rows
            if m != model and top is not None and (lo if lo is not None else (v if v is not None else -1)) > top
        )
    return out


def findings(
    report: Report, judge: str | None, baseline: str | None, base_judge: str | None, limit: int = 6
) -> list[str]:
    """The significant differences as sentences: paired score differences (Holm-adjusted), then win rates against the
    baseline whose interval excludes a tie."""
    out = []
    for d in report.differences[:limit]:
        where = _where(d.lang, d.category)
        out.append(
            f"{d.model_a} beats {d.model_b} {where} by {d.diff:.2f} {ci(d.ci_low, d.ci_high)} "
            f"({d.questions} questions, Holm p = {d.p_adj:.3g})"
        )
    if baseline:
        rows = [
            p
            for p in report.pairs
            if p.judge == base_judge
            and p.opponent == baseline
            and p.model not in report.baselines
            and p.ci_low is not None
            and p.ci_high is not None
            and (p.ci_low > 0.5 or p.ci_high < 0.5)
            and (p.lang == ALL or p.category == ALL)
        ]
        rows.sort(key=lambda p: ((p.lang, p.category) != (ALL, ALL), -abs((p.adjusted or 0.5) - 0.5)))
        for p in rows[:limit]:
            verb = "beats" if (p.ci_low or 0.0) > 0.5 else "loses to"
            out.append(
                f"{p.model} {verb} {baseline} {_where(p.lang, p.category)}: win rate {num(p.adjusted)} "
                f"{ci(p.ci_low, p.ci_high)} "
                f"({p.questions} questions)"
            )
    if not out and len([m for m in report.models if m not in report.baselines]) < 2 and not report.pairs:
        out.append("One model: there is no difference to test until a second is judged beside it.")
    if not out:
        out.append(
            f"No difference between models is significant at {report.settings.confidence:.0%} "
            "(score gaps paired by question, Holm-adjusted; win rates against the baseline)."
            if report.leaderboard or report.pairs
            else "Nothing judged yet: run `seabench judge`, or import human ratings."
        )
    return out


def _where(lang: str, category: str) -> str:
    if lang == ALL and category == ALL:
        return "overall"
    return " × ".join(v for v in (lang, category) if v != ALL).join(("in ", ""))


def covered(report: Report) -> list[str]:
    langs = sorted(
        {c.lang for c in report.cells if c.lang != ALL} | {p.lang for p in report.pairs if p.lang != ALL},
        key=lang_sort_key,
    )
    cats = sorted(
        {c.category for c in report.cells if c.category != ALL}
        | {p.category for p in report.pairs if p.category != ALL}
    )
    candidates = [m for m in report.models if m not in report.baselines]
    line = (
        f"{plural(len(candidates), 'model')} × {plural(len(langs), 'language')} ({', '.join(langs)}) × "
        f"{plural(len(cats), 'category', 'categories')}; "
        f"judges: {', '.join(report.judges) or 'none'}; headline judge: {report.primary_judge or 'none'}"
    )
    out = [line]
    cov = report.coverage
    if cov is not None and cov.left_out:
        lacking = "; ".join(f"{m} lacks {n}" for m, n in cov.left_out)
        if cov.all_questions:
            out.append(
                f"Each model on its own questions ({cov.questions} in all; {lacking}): rankings compare different "
                f"questions."
            )
        else:
            out.append(
                f"Ranked on the {cov.common} questions every model answered; {cov.questions - cov.common} left out "
                f"({lacking}). "
                "--all-questions keeps them."
            )
    return out


def headline_table(report: Report, strip: bool = True) -> Table:
    """The headline as a plain table, for the terminal and Markdown; `strip`: a column per language."""
    h = headline(report)
    if not strip:
        h.langs = []
        for r in h.rows:
            r.strip = []
    t = Table(
        f"Headline — judge: {h.judge or 'none'}",
        ["rank", "model", h.measure, "questions", "judgments", *([f"vs {h.baseline}"] if h.baseline else []), *h.langs],
        id="headline",
        caption=" · ".join(
            [*h.covered, "rank: 1 + models whose interval lies wholly above; 95% intervals, questions as the unit"]
        ),
    )
    for r in h.rows:
        t.rows.append(
            [
                "—" if r.rank is None else str(r.rank),
                r.model,
                r.score,
                str(r.questions),
                str(r.judgments),
                *([r.vs_baseline] if h.baseline else []),
                *(s.text for s in r.strip),
            ]
        )
    return t
