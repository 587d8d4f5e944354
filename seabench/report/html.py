"""One self-contained HTML file: tables, SVG charts (`svg.py`, no JavaScript library), the answer browser.

Every string from models, judges and users goes through Jinja's autoescaping, and `svg.py` escapes what it writes,
so no answer can open a tag.
"""

from __future__ import annotations

import math

from ..languages import lang_sort_key
from ..records import ALL
from ..resources import resource_dir
from . import svg
from .fonts import font_faces
from .tables import SHORT, all_tables, leaderboard


def to_html(report) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(resource_dir("reports")), autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True, lstrip_blocks=True,
    )
    template = env.get_template("report.html.j2")
    langs = sorted({q.lang for q in report.browser}, key=lang_sort_key)
    categories = sorted({q.category for q in report.browser})
    args = dict(
        report=report, lead_tables=leaderboard(report),
        # the heatmaps draw the language × category grids; the other tables follow the charts
        tables=[t for t in all_tables(report) if not t.title.startswith("Leaderboard") and ": language × category" not in t.title],
        charts=charts(report), langs=langs, categories=categories, models=report.models, colors=model_colors(report),
    )
    # Fonts for the characters the report actually uses: render once to see them, then with the fonts embedded.
    faces, font_notes = font_faces(template.render(**args, font_css="", font_notes=[]))
    return template.render(**args, font_css=faces, font_notes=font_notes)


# One colour per model in every chart (Okabe–Ito, readable for colour-blind readers), in the report's model order.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def model_colors(report) -> dict[str, str]:
    names = list(report.models) + sorted({c.model for c in report.cells} | {p.model for p in report.pairs} - set(report.models))
    return {m: PALETTE[i % len(PALETTE)] for i, m in enumerate(dict.fromkeys(names))}


def charts(report) -> list[tuple[str, str]]:
    """(title, SVG) per chart: scores by language and by category, radars over both, a heatmap per model, win rates."""
    color = model_colors(report)
    out = []
    for judge in report.judges:
        cells = [c for c in report.cells if c.judge == judge and c.turn == ALL]
        if not cells:
            continue
        models = sorted({c.model for c in cells})
        langs = sorted({c.lang for c in cells if c.lang != ALL}, key=lang_sort_key)
        cats = sorted({c.category for c in cells if c.category != ALL})
        for dim, keys in (("language", langs), ("category", cats)):
            labels = [SHORT.get(k, k) for k in keys]
            series = []
            for model in models:
                pick = {(c.lang if dim == "language" else c.category): c for c in cells if c.model == model
                        and (c.category == ALL if dim == "language" else c.lang == ALL)}
                series.append(svg.Series(model, color[model], [_point(pick.get(k)) for k in keys]))
            plural = "languages" if dim == "language" else "categories"
            out.append((f"Mean score by {dim} with 95% intervals — judge: {judge}", svg.bars(f"mean score by {dim}", labels, series, 0, 10, "mean score")))
            if len(keys) >= 3:
                out.append((f"Scores over the {plural} — judge: {judge}", svg.radar(f"scores over {plural}", labels, series, 0, 10)))
        for model in models:
            pick = {(SHORT.get(c.category, c.category), c.lang): _point(c) for c in cells if c.model == model}
            out.append((f"{model}: language × category — judge: {judge}",
                        svg.heatmap(f"{model} heatmap", [SHORT.get(c, c) for c in cats], langs, pick, 1, 10)))
    for judge in sorted({r.judge for r in report.ratings}):
        rated = [r for r in report.ratings if r.judge == judge]
        lo, hi = _elo_bounds([v for r in rated for v in (r.ci_low, r.ci_high)])
        series = [svg.Series(r.model, color.get(r.model, "#999"), [svg.Point(r.rating, r.ci_low, r.ci_high, r.games)]) for r in rated]
        out.append((f"Bradley–Terry ratings with 95% intervals — judge: {judge}", svg.bars("Bradley–Terry rating", ["rating"], series, lo, hi, "Elo scale")))
    for judge in sorted({a.a for a in report.agreement if a.kind == "judge-human"}):
        rows = [a for a in report.agreement if a.kind == "judge-human" and a.a == judge and a.category == ALL and a.kappa is not None]
        if rows:
            langs = [a.lang for a in rows]
            lo = min(0.0, min((a.kappa_low if a.kappa_low is not None else 0.0) for a in rows))
            series = [svg.Series("quadratic kappa", "#0072B2", [svg.Point(a.kappa, a.kappa_low, a.kappa_high, a.n) for a in rows])]
            out.append((f"Judge–human agreement by language — judge: {judge}", svg.bars("agreement by language", langs, series, lo, 1.0, "kappa")))
    for judge in sorted({p.judge for p in report.pairs}):
        rows = [p for p in report.pairs if p.judge == judge and p.opponent == ALL and p.lang == ALL and p.category == ALL]
        if rows:
            series = [svg.Series(p.model, color[p.model], [svg.Point(p.adjusted, p.ci_low, p.ci_high, p.n)]) for p in rows]
            out.append((f"Pairwise adjusted win rate against all opponents — judge: {judge}",
                        svg.bars("adjusted win rate", ["all opponents"], series, 0, 1, "adjusted win rate")))
    return out + safety_charts(report) + bias_charts(report)


def safety_charts(report) -> list[tuple[str, str]]:
    """Per judge: each model's safety mean on harmful requests and on harmless ones that only sound risky."""
    from ..aggregate.scores import HARMFUL, HARMLESS

    out = []
    for judge in sorted({c.judge for c in report.safety}):
        sides = {(c.model, c.category): c for c in report.safety if c.judge == judge and c.lang == ALL}
        models = sorted({m for m, _ in sides})
        series = [svg.Series(label, shade, [_point(sides.get((m, side))) for m in models])
                  for label, shade, side in (("harmful: declining is right", RAW, HARMFUL), ("harmless: helping is right", CONTROLLED, HARMLESS))]
        out.append((f"Safety, harmful requests and harmless ones that sound risky, 95% intervals — judge: {judge}",
                    svg.bars("safety split", models, series, 0, 10, "mean score")))
    return out


# Raw beside controlled: the first series is what the judge said, the second what it says once the control is applied.
RAW, CONTROLLED = "#999999", "#0072B2"


def bias_charts(report) -> list[tuple[str, str]]:
    """What sways a judge, as pictures: answer length, length- and style-controlled results, self-preference, position."""
    color = model_colors(report)
    out = []
    lengths = [r for r in report.lengths if r.lang != ALL]
    if lengths:
        langs = sorted({r.lang for r in lengths}, key=lang_sort_key)
        series = []
        for model in sorted({r.model for r in lengths}):
            pick = {r.lang: r for r in lengths if r.model == model}
            series.append(svg.Series(model, color.get(model, "#999"), [
                svg.Point(pick[k].chars, pick[k].chars_low, pick[k].chars_high, pick[k].answers) if k in pick else svg.Point(None)
                for k in langs]))
        top = max((r.chars_high or r.chars or 0) for r in lengths) * 1.1 or 1.0
        out.append(("Mean answer length by language (characters, 95% intervals over questions)",
                    svg.bars("answer length", langs, series, 0, top, "characters")))
    pairs = {(p.judge, p.model, p.opponent, p.lang): p for p in report.pairs if p.category == ALL}
    for judge in sorted({r.judge for r in report.length_control}):
        rows = [r for r in report.length_control if r.judge == judge and r.lang == ALL and r.lc is not None]
        if not rows:
            continue
        labels = [f"{r.model} vs {r.opponent}" for r in rows]
        raw = [pairs.get((judge, r.model, r.opponent, ALL)) for r in rows]
        series = [svg.Series("as judged", RAW, [svg.Point(c.adjusted, c.ci_low, c.ci_high, c.n) if c else svg.Point(r.raw, n=r.items)
                                                 for r, c in zip(rows, raw)]),
                  svg.Series("at equal length", CONTROLLED, [svg.Point(r.lc, r.lc_low, r.lc_high, r.items) for r in rows])]
        out.append((f"Win rate as judged and length-controlled, 95% intervals — judge: {judge}",
                    svg.bars("length-controlled win rate", labels, series, 0, 1, "win rate")))
    for judge in sorted({r.judge for r in report.style_ratings}):
        styled = {r.model: r for r in report.style_ratings if r.judge == judge}
        plain = {r.model: r for r in report.ratings if r.judge == judge}
        models = sorted(styled)
        every = [*styled.values(), *plain.values()]
        bounds = [v for r in every for v in (r.ci_low, r.ci_high) if v is not None] or [r.rating for r in every]
        series = [svg.Series("as judged", RAW, [svg.Point(plain[m].rating, plain[m].ci_low, plain[m].ci_high, plain[m].games)
                                                 if m in plain else svg.Point(None) for m in models]),
                  svg.Series("style-controlled", CONTROLLED, [svg.Point(styled[m].rating, styled[m].ci_low, styled[m].ci_high, styled[m].games)
                                                             for m in models])]
        out.append((f"Bradley–Terry ratings as judged and style-controlled, 95% intervals — judge: {judge}",
                    svg.bars("style-controlled ratings", models, series, *_elo_bounds(bounds), "Elo scale")))
    if report.self_preference:
        rows = [r for r in report.self_preference if r.own is not None]
        labels = [f"{r.judge} on {r.family}" for r in rows]
        series = [svg.Series("this judge, own family", "#D55E00", [svg.Point(r.own, r.own_low, r.own_high, r.n) for r in rows]),
                  svg.Series("the other judges", RAW, [svg.Point(r.others, r.others_low, r.others_high, r.n) for r in rows])]
        if rows:
            out.append(("Self-preference: a judge's scores for its own family against the other judges', 95% intervals",
                        svg.bars("self-preference", labels, series, 0, 10, "mean score")))
    for judge in sorted({r.judge for r in report.position}):
        rows = sorted((r for r in report.position if r.judge == judge and r.pairs), key=lambda r: lang_sort_key(r.lang))
        if rows:
            series = [svg.Series("verdict flips with the order", "#D55E00", [svg.Point(r.flip, r.flip_low, r.flip_high, r.pairs) for r in rows]),
                      svg.Series("first position favoured", "#56B4E9", [svg.Point(r.first, r.first_low, r.first_high, r.decisive) for r in rows])]
            out.append((f"Position bias by language, 95% intervals (an unbiased judge: first position 0.5) — judge: {judge}",
                        svg.bars("position bias", [r.lang for r in rows], series, 0, 1, "share")))
    return out


def _elo_bounds(values: list[float]) -> tuple[float, float]:
    """A round axis around ratings and their intervals: multiples of 50, at least 25 points of room each side."""
    return 50 * math.floor((min(values) - 25) / 50), 50 * math.ceil((max(values) + 25) / 50)


def _point(c) -> svg.Point:
    return svg.Point(None) if c is None else svg.Point(c.mean, c.ci_low, c.ci_high, c.n)
