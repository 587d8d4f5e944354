"""Aggregate 100,000 synthetic judgments (10 models × 9 languages × 5 categories × 2 turns) into every cell with its
interval: print seconds and peak memory against the goals (≤ 5 s, ≤ 500 MB)."""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from seabench.aggregate import Obs, Settings, single_scores  # noqa: E402
from seabench.records import Question  # noqa: E402

LANGS = ["en", "vi", "id", "ms", "tl", "th", "km", "lo", "my"]
CATS = ["task-solving", "math-reasoning", "general-instruction", "natural-question", "safety"]


def synthetic(n_models: int = 10, per_cell: int = 111) -> tuple[list[Obs], dict]:
    rng = np.random.default_rng(0)
    questions, obs = {}, []
    for lang in LANGS:
        for cat in CATS:
            for i in range(per_cell):
                qid = f"{lang}-{cat}-{i}"
                questions[("synthetic", qid)] = Question(id=qid, lang=lang, category=cat, turns=("a", "b"))
    for m in range(n_models):
        for _, qid in questions:
            for turn in (1, 2):
                score = float(np.clip(np.rint(rng.normal(6 + m * 0.1, 2)), 1, 10))
                obs.append(
                    Obs(model=f"model-{m}", judge="judge", bench="synthetic", question_id=qid, turn=turn, score=score)
                )
    return obs, questions


def main() -> None:
    obs, questions = synthetic()
    print(f"{len(obs):,} judgments, {len(questions):,} questions")
    started = time.perf_counter()
    cells, leaders = single_scores(obs, questions, Settings())
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(cells):,} cells and {len(leaders)} leaderboard rows, each with its interval")
    print(f"aggregation: {seconds:.2f} s (goal ≤ 5 s) → ratio {seconds / 5:.2f}")
    print(
        f"peak memory of the whole process (inputs included): {peak_mb:.0f} MB (goal ≤ 500 MB) → ratio "
        f"{peak_mb / 500:.2f}"
    )


if __name__ == "__main__":
    main()
