"""One self-contained HTML file: tables, plotly charts (plotly.js inlined, so it opens offline), answer browser.

Every string from models, judges and users goes through Jinja's autoescaping; chart data is embedded as JSON with
`<` escaped, so no answer can open a tag or close the script that carries it.
"""

from __future__ import annotations

from ..languages import lang_sort_key
from ..records import ALL
from ..resources import resource_dir
from .tables import all_tables, leaderboard


def to_html(report) -> str:
    import jinja2
    from plotly.offline import get_plotlyjs

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(resource_dir("reports")), autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True, lstrip_blocks=True,
    )
    template = env.get_template("report.html.j2")
    langs = sorted({q.lang for q in report.browser}, key=lang_sort_key)
    categories = sorted({q.category for q in report.browser})
    return template.render(
        report=report, lead_tables=leaderboard(report),
        # the heatmaps draw the language × category grids; the other tables follow the charts
        tables=[t for t in all_tables(report) if not t.title.startswith("Leaderboard") and ": language × category" not in t.title],
        charts=[(title, _safe_json(fig)) for title, fig in charts(report)],
        plotly_js=get_plotlyjs(), langs=langs, categories=categories, models=report.models, colors=model_colors(report),
    )


def _safe_json(fig) -> str:
    return fig.to_json().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# One colour per model in every chart (Okabe–Ito, readable for colour-blind readers), in the report's model order.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def model_colors(report) -> dict[str, str]:
    names = list(report.models) + sorted({c.model for c in report.cells} | {p.model for p in report.pairs} - set(report.models))
    return {m: PALETTE[i % len(PALETTE)] for i, m in enumerate(dict.fromkeys(names))}


def charts(report) -> list[tuple[str, object]]:
    import plotly.graph_objects as go

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
            fig = go.Figure()
            for model in models:
                pick = {(c.lang if dim == "language" else c.category): c for c in cells if c.model == model
                        and (c.category == ALL if dim == "language" else c.lang == ALL)}
                got = [pick.get(k) for k in keys]
                fig.add_bar(
                    name=model, x=keys, y=[c.mean if c else None for c in got], marker_color=color.get(model),
                    error_y=dict(type="data", symmetric=False,
                                 array=[(c.ci_high - c.mean) if c and c.mean is not None and c.ci_high is not None else None for c in got],
                                 arrayminus=[(c.mean - c.ci_low) if c and c.mean is not None and c.ci_low is not None else None for c in got]),
                    customdata=[c.n if c else 0 for c in got], hovertemplate="%{x}: %{y:.2f} (n=%{customdata})<extra>" + "%{fullData.name}</extra>",
                )
            fig.update_layout(barmode="group", yaxis=dict(range=[0, 10], title="mean score"), height=380, margin=dict(t=30, b=40),
                              legend=dict(orientation="h"))
            out.append((f"Mean score by {dim} with 95% intervals — judge: {judge}", fig))
        for model in models:
            pick = {(c.lang, c.category): c for c in cells if c.model == model}
            z = [[pick[(l, k)].mean if (l, k) in pick else None for l in langs] for k in cats]
            text = [[f"{pick[(l, k)].mean:.1f}<br>n={pick[(l, k)].n}" if (l, k) in pick and pick[(l, k)].mean is not None else "" for l in langs] for k in cats]
            fig = go.Figure(go.Heatmap(z=z, x=langs, y=cats, text=text, texttemplate="%{text}", zmin=1, zmax=10, colorscale="RdYlGn",
                                       hovertemplate="%{y} / %{x}: %{z:.2f}<extra></extra>"))
            fig.update_layout(height=120 + 40 * len(cats), margin=dict(t=30, b=40))
            out.append((f"{model}: language × category — judge: {judge}", fig))
    for judge in sorted({p.judge for p in report.pairs}):
        rows = [p for p in report.pairs if p.judge == judge and p.opponent == ALL and p.lang == ALL and p.category == ALL]
        if rows:
            fig = go.Figure(go.Bar(
                x=[p.model for p in rows], y=[p.adjusted for p in rows], marker_color=[color.get(p.model) for p in rows],
                error_y=dict(type="data", symmetric=False,
                             array=[None if p.ci_high is None or p.adjusted is None else p.ci_high - p.adjusted for p in rows],
                             arrayminus=[None if p.ci_low is None or p.adjusted is None else p.adjusted - p.ci_low for p in rows]),
                customdata=[[p.wins, p.ties, p.losses] for p in rows],
                hovertemplate="%{x}: %{y:.2f} (W %{customdata[0]} / T %{customdata[1]} / L %{customdata[2]})<extra></extra>",
            ))
            fig.update_layout(yaxis=dict(range=[0, 1], title="adjusted win rate"), height=340, margin=dict(t=30, b=40))
            fig.add_hline(y=0.5, line_dash="dot")
            out.append((f"Pairwise adjusted win rate against all opponents — judge: {judge}", fig))
    return out
