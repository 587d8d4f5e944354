"""Where a bench stops telling models apart: per category, per tag and overall, the share of items every model aced
(all ≥ 9: the ceiling) or failed (all ≤ 2: the floor), and how well an item's score follows the models' standing on the
rest of the bench (item discrimination). Works on any bench: ours, Sea-bench v1, SeaBench v2."""

from __future__ import annotations

from collections import defaultdict
from typing import Literal

import numpy as np

from ..records import DiscriminationRow, Question
from .common import ALL
from .scores import Obs

CEILING, FLOOR = 9.0, 2.0


def discrimination(
    obs: list[Obs], questions: dict[tuple[str, str], Question], judge: str, models: list[str]
) -> list[DiscriminationRow]:
    """Items are questions (turns and samples pooled per model) scored for every one of `models` by `judge`. An item's
    discrimination is the Pearson correlation, across models, of its score with each model's mean on the other items
    (the rest score, so an item does not correlate with itself); a group's figure is the mean over its items that vary
    (an item every model scored alike says nothing either way, and is counted in the ceiling or floor instead)."""
    wanted = set(models)
    sums: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for o in obs:
        if o.judge == judge and o.model in wanted and o.score is not None and (o.bench, o.question_id) in questions:
            sums[(o.bench, o.question_id)][o.model].append(o.score)
    items = sorted(key for key, by in sums.items() if len(by) == len(wanted))
    if not items or len(wanted) < 2:
        return []
    order = sorted(wanted)
    scores = np.array([[float(np.mean(sums[key][m])) for m in order] for key in items])  # items × models
    totals = scores.sum(axis=0)
    r = np.full(len(items), np.nan)
    if len(order) >= 3:
        for i in range(len(items)):
            rest = (totals - scores[i]) / max(1, len(items) - 1)
            if np.ptp(scores[i]) > 0 and np.ptp(rest) > 0:
                r[i] = float(np.corrcoef(scores[i], rest)[0, 1])
    groups: dict[tuple[Literal["all", "category", "tag"], str], list[int]] = defaultdict(list)
    for i, key in enumerate(items):
        q = questions[key]
        groups[("all", ALL)].append(i)
        groups[("category", q.category)].append(i)
        for tag in q.tags:
            groups[("tag", tag)].append(i)
    out = []
    for (kind, name), members in groups.items():
        pick = np.array(members)
        varied = r[pick][~np.isnan(r[pick])]
        out.append(
            DiscriminationRow(
                judge=judge,
                kind=kind,
                group=name,
                items=len(members),
                models=len(order),
                ceiling=float(np.mean(scores[pick].min(axis=1) >= CEILING)),
                floor=float(np.mean(scores[pick].max(axis=1) <= FLOOR)),
                discrimination=float(np.mean(varied)) if len(varied) else None,
                varied=len(varied),
            )
        )
    rank = {"all": 0, "category": 1, "tag": 2}
    return sorted(out, key=lambda d: (rank[d.kind], d.group))
