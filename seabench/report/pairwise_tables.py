"""The report's pairwise tables: against the bench's baseline (the seed's figure as grids and by language or
category), head to head, pairwise results and Bradley–Terry ratings. Formatting only, like every table."""

from __future__ import annotations

from ..languages import lang_sort_key
from ..records import ALL, PairCell, RatingRow, Report
from .tables import Table, ci, dim_order, lang_by_category, num


def baseline_tables(report: Report) -> list[Table]:
    """The SeaLLMs figure: each model's win / tie / loss against the bench's shipped baseline, per language and per
    category, with the adjusted win rate's interval."""
    out = []
    for baseline in report.baselines:
        for judge in sorted({p.judge for p in report.pairs if p.opponent == baseline}):
            rows = [p for p in report.pairs if p.judge == judge and p.opponent == baseline and p.model != baseline]
            for dim, label in (("lang", "language"), ("category", "category")):
                picked = [p for p in rows if (p.category == ALL if dim == "lang" else p.lang == ALL)]
                picked.sort(key=lambda p: (p.model, dim_order(getattr(p, dim))))
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
                out.append(lang_by_category(t, mine, _rate_cell))
    return out


def _rate_cell(p: PairCell | None) -> str:
    if p is None or p.adjusted is None:
        return ""
    if p.ci_low is None or p.ci_high is None:
        return f"{p.adjusted:.2f}"
    return f"{p.adjusted:.2f} ±{(p.ci_high - p.ci_low) / 2:.2f}"


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
