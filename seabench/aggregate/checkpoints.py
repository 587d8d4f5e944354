"""A training run as a series: each checkpoint's headline score and language scores against its step, and the
significant changes from one checkpoint to the next (compare's paired test, Holm-adjusted like the gate's)."""

from __future__ import annotations

import re

from ..records import CheckpointChange, CheckpointRow, Question, ScoreCell
from .common import ALL, Settings, order
from .compare import compare, gate
from .scores import Obs

_STEP = re.compile(r"(?:^|[^0-9A-Za-z])(?:step|ckpt|checkpoint|iter|it)?[-_@]?(\d+)(k?)$", re.I)


def step_of(name: str) -> int | None:
    """The training step a checkpoint's name ends in: `ckpt-2000`, `step_2000`, `run@2000`, `checkpoint-2k` (2000).
    None when the name ends in no number."""
    found = _STEP.search(name)
    if found is None:
        return None
    return int(found.group(1)) * (1000 if found.group(2) else 1)


def series(
    cells: list[ScoreCell],
    obs: list[Obs],
    questions: dict[tuple[str, str], Question],
    steps: dict[str, int],
    judge: str,
    settings: Settings,
) -> tuple[list[CheckpointRow], list[CheckpointChange]]:
    """Rows: each checkpoint's overall and per-language score under `judge` (both turns). Changes: for each checkpoint
    against the one before it, the overall cell and each language, Holm-adjusted within that step, the significant
    ones (better or worse)."""
    ordered = sorted(steps, key=lambda m: (steps[m], m))
    rows = [
        CheckpointRow(
            model=c.model,
            step=steps[c.model],
            judge=judge,
            lang=c.lang,
            questions=c.questions,
            mean=c.mean,
            ci_low=c.ci_low,
            ci_high=c.ci_high,
        )
        for c in cells
        if c.judge == judge and c.model in steps and c.category == ALL and c.turn == "all"
    ]
    rows.sort(key=lambda r: (r.step, r.model, order(r.lang)))
    changes = []
    for before, after in zip(ordered, ordered[1:]):
        paired = compare(obs, questions, after, before, judge, settings, min_n=settings.min_n)
        for g in gate(paired, "language"):
            if g.p_adj is not None and g.p_adj < 0.05 and g.diff is not None:
                changes.append(
                    CheckpointChange(
                        judge=judge,
                        model=after,
                        step=steps[after],
                        previous=before,
                        previous_step=steps[before],
                        lang=g.lang,
                        questions=g.n,
                        diff=g.diff,
                        ci_low=g.ci_low,
                        ci_high=g.ci_high,
                        p_adj=g.p_adj,
                    )
                )
    return rows, changes
