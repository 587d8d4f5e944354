"""What sways a judge, as charts: answer length, length- and style-controlled results beside the raw ones,
self-preference and position bias. Blocks of the report's sections, like `charts.py`'s."""

from __future__ import annotations

from ..languages import lang_sort_key
from ..records import ALL, RatingRow, Report, StyleRating
from . import svg
from .charts import CONTROLLED, RAW, Block, elo_bounds, model_colors


def bias_charts(report: Report) -> list[Block]:
    """What sways a judge, as pictures: answer length, length- and style-controlled results, self-preference,
    position."""
    return [*_length_chart(report), *_controlled_charts(report), *_self_and_position_charts(report)]


def _length_chart(report: Report) -> list[Block]:
    color = model_colors(report)
    lengths = [r for r in report.lengths if r.lang != ALL]
    if not lengths:
        return []
    langs = sorted({r.lang for r in lengths}, key=lang_sort_key)
    series = []
    for model in sorted({r.model for r in lengths}):
        pick = {r.lang: r for r in lengths if r.model == model}
        series.append(
            svg.Series(
                model,
                color.get(model, "#999"),
                [
                    svg.Point(pick[k].chars, pick[k].chars_low, pick[k].chars_high, pick[k].answers)
                    if k in pick
                    else svg.Point(None)
                    for k in langs
                ],
            )
        )
    top = max((r.chars_high or r.chars or 0) for r in lengths) * 1.1 or 1.0
    return [
        Block(
            "judges",
            "Mean answer length by language (characters, 95% intervals over questions)",
            svg=svg.bars("answer length", langs, series, 0, top, "characters"),
        )
    ]


def _controlled_charts(report: Report) -> list[Block]:
    out = []
    pairs = {(p.judge, p.model, p.opponent, p.lang): p for p in report.pairs if p.category == ALL}
    for judge in sorted({r.judge for r in report.length_control}):
        rows = [r for r in report.length_control if r.judge == judge and r.lang == ALL and r.lc is not None]
        if not rows:
            continue
        labels = [f"{r.model} vs {r.opponent}" for r in rows]
        raw = [pairs.get((judge, r.model, r.opponent, ALL)) for r in rows]
        series = [
            svg.Series(
                "as judged",
                RAW,
                [
                    svg.Point(c.adjusted, c.ci_low, c.ci_high, c.n) if c else svg.Point(r.raw, n=r.items)
                    for r, c in zip(rows, raw)
                ],
            ),
            svg.Series("at equal length", CONTROLLED, [svg.Point(r.lc, r.lc_low, r.lc_high, r.items) for r in rows]),
        ]
        out.append(
            Block(
                "judges",
                f"Win rate as judged and length-controlled, 95% intervals — judge: {judge}",
                judge,
                svg=svg.bars("length-controlled win rate", labels, series, 0, 1, "win rate"),
            )
        )
    for judge in sorted({r.judge for r in report.style_ratings}):
        styled = {r.model: r for r in report.style_ratings if r.judge == judge}
        plain = {r.model: r for r in report.ratings if r.judge == judge}
        models = sorted(styled)
        every: list[StyleRating | RatingRow] = [*styled.values(), *plain.values()]
        bounds = [v for r in every for v in (r.ci_low, r.ci_high) if v is not None] or [r.rating for r in every]
        series = [
            svg.Series(
                "as judged",
                RAW,
                [
                    svg.Point(plain[m].rating, plain[m].ci_low, plain[m].ci_high, plain[m].games)
                    if m in plain
                    else svg.Point(None)
                    for m in models
                ],
            ),
            svg.Series(
                "style-controlled",
                CONTROLLED,
                [svg.Point(styled[m].rating, styled[m].ci_low, styled[m].ci_high, styled[m].games) for m in models],
            ),
        ]
        out.append(
            Block(
                "judges",
                f"Bradley–Terry ratings as judged and style-controlled, 95% intervals — judge: {judge}",
                judge,
                svg=svg.bars("style-controlled ratings", models, series, *elo_bounds(bounds), "Elo scale"),
            )
        )
    return out


def _self_and_position_charts(report: Report) -> list[Block]:
    out = []
    rows = [r for r in report.self_preference if r.own is not None]
    if rows:
        labels = [f"{r.judge} on {r.family}" for r in rows]
        series = [
            svg.Series(
                "this judge, own family", "#D55E00", [svg.Point(r.own, r.own_low, r.own_high, r.n) for r in rows]
            ),
            svg.Series("the other judges", RAW, [svg.Point(r.others, r.others_low, r.others_high, r.n) for r in rows]),
        ]
        out.append(
            Block(
                "judges",
                "Self-preference: a judge's scores for its own family against the other judges', 95% intervals",
                svg=svg.bars("self-preference", labels, series, 0, 10, "mean score"),
            )
        )
    for judge in sorted({r.judge for r in report.position}):
        found = sorted(
            (r for r in report.position if r.judge == judge and r.pairs), key=lambda r: lang_sort_key(r.lang)
        )
        if found:
            series = [
                svg.Series(
                    "verdict flips with the order",
                    "#D55E00",
                    [svg.Point(r.flip, r.flip_low, r.flip_high, r.pairs) for r in found],
                ),
                svg.Series(
                    "first position favoured",
                    "#56B4E9",
                    [svg.Point(r.first, r.first_low, r.first_high, r.decisive) for r in found],
                ),
            ]
            out.append(
                Block(
                    "judges",
                    "Position bias by language, 95% intervals (an unbiased judge: first position 0.5) — "
                    f"judge: {judge}",
                    judge,
                    svg=svg.bars("position bias", [r.lang for r in found], series, 0, 1, "share"),
                )
            )
    return out
