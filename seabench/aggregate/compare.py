"""Checkpoint comparison: paired A − B per language × category over the judgments both models were scored on."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..records import CompareCell, GateCell, Question
from ..stats import holm, paired_difference
from .common import ALL, Clusters, Settings, margins, num, order, per_cluster
from .scores import Obs


def compare(
    obs: list[Obs],
    questions: dict[tuple[str, str], Question],
    model_a: str,
    model_b: str,
    judge: str,
    settings: Settings = Settings(),
    min_n: int = 30,
    alpha: float = 0.05,
) -> list[CompareCell]:
    """Paired differences A − B per language × category and margins, Holm-adjusted across cells; regressions first.

    Pairs are judgments: a (question, turn, sample) scored for both models enters both means, one scored for only one
    enters neither, so the two means stand on the same items (and equal the report's means on those items)."""
    clusters = Clusters(questions)
    scores: dict[str, dict[tuple[int, int, str], list[float]]] = {
        model_a: defaultdict(list),
        model_b: defaultdict(list),
    }
    for o in obs:
        if o.judge == judge and o.model in scores and o.score is not None:
            c = clusters.of(o.bench, o.question_id)
            if c is not None:
                scores[o.model][(c, o.turn, o.sample)].append(
                    o.score
                )  # a repeated line pools, as the report's mean does
    paired = sorted(set(scores[model_a]) & set(scores[model_b]))
    size = len(clusters.questions)
    sums = {}
    for m in (model_a, model_b):
        idx = np.array([k[0] for k in paired for _ in scores[m][k]], dtype=int)
        values = np.array([v for k in paired for v in scores[m][k]], dtype=float)
        sums[m] = per_cluster(idx, values, np.ones(len(values)), size)
    (sa, ca), (sb, cb) = sums[model_a], sums[model_b]
    shared = (ca > 0) & (cb > 0)
    members: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i in np.flatnonzero(shared).tolist():
        q = clusters.questions[i]
        for cell in margins(q.lang, q.category):
            members[cell].append(i)
    strata = clusters.strata_array()
    cells: list[CompareCell] = []
    # A margin over a single language or category repeats a cell; testing it twice would only inflate the family.
    seen: set[frozenset] = set()
    # Keep the overall cell, then language × category cells, before margins that merely repeat one of them.
    for (lang, cat), member in sorted(members.items(), key=lambda kv: (kv[0] != (ALL, ALL), ALL in kv[0])):
        if frozenset(member) in seen:
            continue
        seen.add(frozenset(member))
        pick = np.array(member)
        leaf = lang != ALL and cat != ALL
        iv, p = paired_difference(
            sa[pick],
            ca[pick],
            sb[pick],
            cb[pick],
            None if leaf else strata[pick],
            confidence=settings.confidence,
            bounds=(-9.0, 9.0),
        )
        cells.append(
            CompareCell(
                lang=lang,
                category=cat,
                n=iv.clusters,
                mean_a=float(sa[pick].sum() / ca[pick].sum()),
                mean_b=float(sb[pick].sum() / cb[pick].sum()),
                diff=num(iv.estimate),
                ci_low=num(iv.low),
                ci_high=num(iv.high),
                p=p,
                p_adj=None,
                underpowered=iv.clusters < min_n,
                significant=False,
                scheme=iv.scheme,
            )
        )
    out = [
        c.model_copy(update={"p_adj": p_adj, "significant": p_adj is not None and p_adj < alpha})
        for c, p_adj in zip(cells, holm([c.p for c in cells]))
    ]
    # Significant regressions first, then significant improvements, then the rest by language and category.
    return sorted(
        out,
        key=lambda c: (
            not c.significant,
            (c.diff or 0) > 0 if c.significant else 0,
            order(c.lang),
            c.category == ALL,
            c.category,
        ),
    )


def _looked_at(cells: list[CompareCell], by: str) -> list[CompareCell]:
    """The overall cell and the margins of one kind. `compare` tests a margin that holds the same questions as one
    cell only once, as that cell (a language whose questions are all of one category): that cell stands for the
    margin here, so no language goes unlooked at."""
    if by == "cell":
        return [c for c in cells if (c.lang == ALL) == (c.category == ALL)]
    of = (lambda c: c.lang) if by == "language" else (lambda c: c.category)
    margin = (lambda c: c.category == ALL) if by == "language" else (lambda c: c.lang == ALL)
    looked = [c for c in cells if margin(c)]
    have = {of(c) for c in looked}
    leaves: dict[str, list[CompareCell]] = defaultdict(list)
    for c in cells:
        if c.lang != ALL and c.category != ALL and of(c) not in have:
            leaves[of(c)].append(c)
    return looked + [only[0] for only in leaves.values() if len(only) == 1]


def gate(cells: list[CompareCell], by: str, margin: float = 0.0, alpha: float = 0.05) -> list[GateCell]:
    """The regression gate over `compare`'s cells: the overall cell and those of one kind (`language`: each language
    over all categories; `category`: the reverse; `cell`: each language × category), Holm-adjusted as their own
    family (fewer cells than `compare` tests, so more power). A cell regressed when it is significantly worse and its
    whole interval lies below −margin: worse by more than the margin, by the data's own account."""
    looked = _looked_at(cells, by)
    out = []
    for c, p_adj in zip(looked, holm([c.p for c in looked])):
        worse = c.diff is not None and c.diff < 0 and c.ci_high is not None and c.ci_high < -margin
        out.append(
            GateCell(
                lang=c.lang,
                category=c.category,
                n=c.n,
                diff=c.diff,
                ci_low=c.ci_low,
                ci_high=c.ci_high,
                p_adj=p_adj,
                regressed=worse and p_adj is not None and p_adj < alpha,
            )
        )
    return sorted(out, key=lambda g: (not g.regressed, order(g.lang), g.category == ALL, g.category))
