"""Judge panels: several LLM judges over the same answers, combined — the mean of the judges' scores for an item, the
majority of their pairwise verdicts (a split is a tie) — and reported as one more judge beside each judge's own."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..records import PairOutcome
from .agreement import majority
from .common import HUMAN
from .scores import Obs


def panel_name(judges: list[str]) -> str:
    return f"panel ({' + '.join(sorted(judges))})"


def panel_members(name: str) -> list[str] | None:
    """The judges a panel's name stands for; None when the name is not a panel's."""
    return name[len("panel (") : -1].split(" + ") if name.startswith("panel (") and name.endswith(")") else None


def panel_observations(obs: list[Obs]) -> list[Obs]:
    """One observation per item scored by every LLM judge: the mean of each judge's mean over its samples."""
    by_item: dict[tuple, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for o in obs:
        if o.judge != HUMAN and o.score is not None:
            by_item[(o.model, o.bench, o.question_id, o.turn)][o.judge].append(o.score)
    judges = sorted({j for by in by_item.values() for j in by})
    if len(judges) < 2:
        return []
    name = panel_name(judges)
    return [
        Obs(model=m, judge=name, bench=b, question_id=q, turn=t, score=float(np.mean([np.mean(by[j]) for j in judges])))
        for (m, b, q, t), by in sorted(by_item.items())
        if len(by) == len(judges)
    ]


def panel_outcomes(results: list[PairOutcome]) -> list[PairOutcome]:
    """One outcome per pairwise item every LLM judge settled: the majority verdict, a tie when the judges split
    evenly."""
    by_item: dict[tuple, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in results:
        if r.judge != HUMAN and r.winner is not None:
            by_item[(r.bench, r.question_id, r.turn, r.model_a, r.model_b)][r.judge].append(r.winner)
    judges = sorted({j for by in by_item.values() for j in by})
    if len(judges) < 2:
        return []
    name = panel_name(judges)
    out = []
    for (bench, qid, turn, a, b), by in sorted(by_item.items()):
        if len(by) < len(judges):
            continue
        winner = majority([majority(v) for v in by.values()])  # each judge's samples first, then the judges
        outcome = PairOutcome(judge=name, bench=bench, question_id=qid, turn=turn, model_a=a, model_b=b, winner=winner)  # type: ignore[arg-type]
        out.append(outcome)
    return out
