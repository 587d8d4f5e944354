"""One self-contained HTML file: tables, SVG charts (`svg.py`, no JavaScript library), the answer browser.

Every string from models, judges and users goes through Jinja's autoescaping, and `svg.py` escapes what it writes,
so no answer can open a tag.
"""

from __future__ import annotations

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
        lo, hi = min(r.ci_low for r in rated) - 25, max(r.ci_high for r in rated) + 25
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
    return out


def _point(c) -> svg.Point:
    return svg.Point(None) if c is None else svg.Point(c.mean, c.ci_low, c.ci_high, c.n)
