"""The report's charts as blocks of their sections: scores by language and category, radars and heatmaps, the seed's
figure (win / tie / loss against the baseline), pairwise and Bradley–Terry (what sways a judge is `bias_charts.py`).
Static SVG from `svg.py`; a model's colour comes from its name."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from ..languages import lang_sort_key
from ..records import ALL, Report, ScoreCell
from . import svg
from .tables import SHORT, Table


@dataclass
class Block:
    """One chart or table in a section; `judge` is the judge whose view it shows (None: the same for every judge)."""

    section: str
    title: str
    judge: str | None = None
    table: Table | None = None
    svg: str = ""


# Okabe–Ito first (readable for colour-blind readers), then further distinct hues.
PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#882255",
    "#44AA99",
    "#999933",
    "#6699CC",
]


# Raw beside controlled: the first series is what the judge said, the second what it says once the control is applied.
RAW, CONTROLLED = "#999999", "#0072B2"


def model_colors(report: Report) -> dict[str, str]:
    """A colour per model chosen by its name, so a model keeps its colour in every report of a store; two names that
    land on one colour in the same report, the later takes the next free one."""
    names = sorted(
        set(report.models) | {c.model for c in report.cells} | {p.model for p in report.pairs},
        key=lambda m: (_slot(m), m),
    )
    taken: dict[int, str] = {}
    out = {}
    for m in names:
        slot = _slot(m)
        for step in range(len(PALETTE)):
            if (slot + step) % len(PALETTE) not in taken:
                slot = (slot + step) % len(PALETTE)
                break
        taken[slot] = m
        out[m] = PALETTE[slot]
    return out


def _slot(name: str) -> int:
    return int(hashlib.sha256(name.encode("utf-8")).hexdigest(), 16) % len(PALETTE)


def score_charts(report: Report) -> list[Block]:
    color = model_colors(report)
    out = []
    for judge in report.judges:
        cells = [c for c in report.cells if c.judge == judge and c.turn == ALL]
        if not cells:
            continue
        models = sorted({c.model for c in cells if c.mean is not None})
        blank = sorted({c.model for c in cells} - set(models))
        if blank:  # an empty bar would read as a result: say why there is none
            out.append(Block("language", f"Not charted — no scored judgment from {judge}: {', '.join(blank)}", judge))
        if not models:
            continue
        langs = sorted({c.lang for c in cells if c.lang != ALL}, key=lang_sort_key)
        cats = sorted({c.category for c in cells if c.category != ALL})
        for dim, keys, section in (("language", langs, "language"), ("category", cats, "category")):
            labels = [SHORT.get(k, k) for k in keys]
            series = []
            for model in models:
                pick = {
                    (c.lang if dim == "language" else c.category): c
                    for c in cells
                    if c.model == model and (c.category == ALL if dim == "language" else c.lang == ALL)
                }
                series.append(svg.Series(model, color[model], [_point(pick.get(k)) for k in keys]))
            plural = "languages" if dim == "language" else "categories"
            out.append(
                Block(
                    section,
                    f"Mean score by {dim} with 95% intervals — judge: {judge}",
                    judge,
                    svg=svg.bars(f"mean score by {dim}", labels, series, 0, 10, "mean score"),
                )
            )
            if len(keys) >= 3:
                out.append(
                    Block(
                        section,
                        f"Scores over the {plural} — judge: {judge}",
                        judge,
                        svg=svg.radar(f"scores over {plural}", labels, series, 0, 10),
                    )
                )
        for model in models:
            points = {(SHORT.get(c.category, c.category), c.lang): _point(c) for c in cells if c.model == model}
            out.append(
                Block(
                    "language",
                    f"{model}: language × category — judge: {judge}",
                    judge,
                    svg=svg.heatmap(f"{model} heatmap", [SHORT.get(c, c) for c in cats], langs, points, 1, 10),
                )
            )
    return out


def baseline_charts(report: Report) -> list[Block]:
    """The seed's figure: per candidate, win / tie / loss against the bench's baseline per language × category."""
    out = []
    for baseline in report.baselines:
        for judge in sorted({p.judge for p in report.pairs if p.opponent == baseline}):
            rows = [
                p
                for p in report.pairs
                if p.judge == judge and p.opponent == baseline and p.model not in report.baselines
            ]
            for model in sorted({p.model for p in rows}):
                mine = {
                    (p.lang, SHORT.get(p.category, p.category)): svg.Share(
                        p.wins, p.ties, p.losses, p.adjusted, p.ci_low, p.ci_high, p.questions
                    )
                    for p in rows
                    if p.model == model
                }
                langs = sorted({lang for lang, _ in mine if lang != ALL}, key=lang_sort_key) + [ALL]
                cats = sorted({SHORT.get(p.category, p.category) for p in rows if p.category != ALL}) + [ALL]
                out.append(
                    Block(
                        "baseline",
                        f"{model} against {baseline}: win / tie / loss by language × category — judge: {judge}",
                        judge,
                        svg=svg.win_grid(f"{model} against {baseline}", langs, cats, mine),
                    )
                )
    return out


def pairwise_charts(report: Report) -> list[Block]:
    color = model_colors(report)
    out = []
    for judge in sorted({r.judge for r in report.ratings}):
        rated = [r for r in report.ratings if r.judge == judge and r.model not in report.baselines]
        refs = [r for r in report.ratings if r.judge == judge and r.model in report.baselines]
        if not rated:
            continue
        lo, hi = elo_bounds([v for r in rated for v in (r.ci_low, r.ci_high)])
        series = [
            svg.Series(r.model, color.get(r.model, "#999"), [svg.Point(r.rating, r.ci_low, r.ci_high, r.games)])
            for r in rated
        ]
        ref = "".join(f"; baseline {r.model}: {r.rating:.0f}, a reference, not ranked" for r in refs)
        out.append(
            Block(
                "head-to-head",
                f"Bradley–Terry ratings with 95% intervals{ref} — judge: {judge}",
                judge,
                svg=svg.bars("Bradley–Terry rating", ["rating"], series, lo, hi, "Elo scale"),
            )
        )
    for judge in sorted({p.judge for p in report.pairs}):
        rows = [
            p
            for p in report.pairs
            if p.judge == judge
            and p.opponent == ALL
            and p.lang == ALL
            and p.category == ALL
            and p.model not in report.baselines
        ]
        if rows:
            series = [
                svg.Series(p.model, color[p.model], [svg.Point(p.adjusted, p.ci_low, p.ci_high, p.questions)])
                for p in rows
            ]
            out.append(
                Block(
                    "head-to-head",
                    f"Pairwise adjusted win rate against all opponents — judge: {judge}",
                    judge,
                    svg=svg.bars("adjusted win rate", ["all opponents"], series, 0, 1, "adjusted win rate"),
                )
            )
    for judge in sorted({a.a for a in report.agreement if a.kind == "judge-human"}):
        agreed = [
            a
            for a in report.agreement
            if a.kind == "judge-human" and a.a == judge and a.category == ALL and a.kappa is not None
        ]
        if agreed:
            langs = [a.lang for a in agreed]
            lo = min(0.0, min((a.kappa_low if a.kappa_low is not None else 0.0) for a in agreed))
            series = [
                svg.Series(
                    "quadratic kappa", "#0072B2", [svg.Point(a.kappa, a.kappa_low, a.kappa_high, a.n) for a in agreed]
                )
            ]
            out.append(
                Block(
                    "judges",
                    f"Judge–human agreement by language — judge: {judge}",
                    judge,
                    svg=svg.bars("agreement by language", langs, series, lo, 1.0, "kappa"),
                )
            )
    return out


def safety_charts(report: Report) -> list[Block]:
    """Per judge: each model's safety mean on harmful requests and on harmless ones that only sound risky."""
    from ..aggregate.scores import HARMFUL, HARMLESS

    out = []
    for judge in sorted({c.judge for c in report.safety}):
        sides = {(c.model, c.category): c for c in report.safety if c.judge == judge and c.lang == ALL}
        models = sorted({m for m, _ in sides})
        series = [
            svg.Series(label, shade, [_point(sides.get((m, side))) for m in models])
            for label, shade, side in (
                ("harmful: declining is right", RAW, HARMFUL),
                ("harmless: helping is right", CONTROLLED, HARMLESS),
            )
        ]
        out.append(
            Block(
                "safety",
                f"Safety, harmful requests and harmless ones that sound risky, 95% intervals — judge: {judge}",
                judge,
                svg=svg.bars("safety split", models, series, 0, 10, "mean score"),
            )
        )
    return out


def elo_bounds(values: list[float]) -> tuple[float, float]:
    """A round axis around ratings and their intervals: multiples of 50, at least 25 points of room each side."""
    return 50 * math.floor((min(values) - 25) / 50), 50 * math.ceil((max(values) + 25) / 50)


def _point(c: ScoreCell | None) -> svg.Point:
    return svg.Point(None) if c is None else svg.Point(c.mean, c.ci_low, c.ci_high, c.questions)  # n counts questions
