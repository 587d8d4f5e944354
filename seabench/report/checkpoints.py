"""The Checkpoints section: a training run's scores against step, overall and per language, and the significant
changes from one checkpoint to the next; a table in every format and a line chart in HTML."""

from __future__ import annotations

import math

from ..languages import lang_sort_key
from ..records import ALL, CheckpointRow, Report
from . import svg
from .charts import PALETTE, Block
from .tables import Table, ci, num


def _langs(rows: tuple[CheckpointRow, ...]) -> list[str]:
    return [ALL, *sorted({r.lang for r in rows if r.lang != ALL}, key=lang_sort_key)]


def checkpoint_tables(report: Report) -> list[Table]:
    if not report.checkpoints:
        return []
    langs = _langs(report.checkpoints)
    by = {(r.model, r.lang): r for r in report.checkpoints}
    scores = Table(
        f"Checkpoints: scores against step — judge {report.checkpoints[0].judge}",
        ["step", "model", *langs],
        caption="mean score, both turns, with its 95% interval over questions; n counts questions",
        id="checkpoints",
        judge=report.checkpoints[0].judge,
    )
    for step, model in sorted({(r.step, r.model) for r in report.checkpoints}):
        cells = [by.get((model, lang)) for lang in langs]
        scores.rows.append(
            [
                str(step),
                model,
                *("–" if c is None else f"{num(c.mean)} {ci(c.ci_low, c.ci_high)} n={c.questions}" for c in cells),
            ]
        )
    changes = Table(
        "Checkpoints: significant changes from one to the next",
        ["from", "to", "lang", "change [95% CI]", "n", "p_adj"],
        caption=(
            "later − earlier, paired by judgment; the overall cell and each language, Holm-adjusted within each step"
            if report.checkpoint_changes
            else "no change between consecutive checkpoints is significant (paired test, Holm-adjusted per step)"
        ),
        id="checkpoint-changes",
        judge=report.checkpoints[0].judge,
    )
    for c in report.checkpoint_changes:
        changes.rows.append(
            [
                f"{c.previous} ({c.previous_step})",
                f"{c.model} ({c.step})",
                c.lang,
                f"{c.diff:+.2f} {ci(c.ci_low, c.ci_high)}".replace("-", "−"),
                str(c.questions),
                f"{c.p_adj:.3g}",
            ]
        )
    return [scores, changes]


def checkpoint_summary(report: Report) -> list[str]:
    """What a series asks first, in sentences: where a checkpoint got significantly worse than the one before it."""
    if not report.checkpoints:
        return []
    drops = [c for c in report.checkpoint_changes if c.diff < 0]
    if not drops:
        return ["Checkpoints: no checkpoint is significantly worse than the one before it, overall or in any language."]
    return [
        f"Checkpoints: {'all languages' if c.lang == ALL else c.lang} got worse at step {c.step} ({c.previous} → "
        f"{c.model}): {c.diff:+.2f} {ci(c.ci_low, c.ci_high)}, Holm p = {c.p_adj:.3g}"
        for c in drops
    ]


def checkpoint_charts(report: Report) -> list[Block]:
    """Score against step: the overall line bold first, then one line per language, each point with its interval."""
    if not report.checkpoints:
        return []
    judge = report.checkpoints[0].judge
    steps = sorted({r.step for r in report.checkpoints})
    by = {(r.step, r.lang): r for r in report.checkpoints}
    series = [
        svg.Series(
            "all languages" if lang == ALL else lang,
            "#222222" if lang == ALL else PALETTE[i % len(PALETTE)],
            [_point(by.get((step, lang))) for step in steps],
        )
        for i, lang in enumerate(_langs(report.checkpoints))
    ]
    drops = [c for c in report.checkpoint_changes if c.diff < 0]
    title = f"Checkpoints: score against step, 95% intervals — judge: {judge}" + (
        "; significant drops: " + ", ".join(f"{c.lang} at {c.step}" for c in drops) if drops else ""
    )
    # The axis spans the intervals (within 1–10), so a drop of a point is visible as one.
    ends = [v for r in report.checkpoints for v in (r.ci_low, r.ci_high, r.mean) if v is not None]
    lo, hi = max(1.0, math.floor(min(ends)) - 0.5), min(10.0, math.ceil(max(ends)) + 0.5)
    chart = svg.lines("score against step", steps, series, lo, hi, "mean score", "step")
    return [Block("checkpoints", title, judge, svg=chart)]


def _point(r: CheckpointRow | None) -> svg.Point:
    return svg.Point(None) if r is None else svg.Point(r.mean, r.ci_low, r.ci_high, r.questions)
