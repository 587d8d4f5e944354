"""Does the length-controlled win rate undo a judge's taste for length? Simulated benches of two equally good models,
one writing longer answers, judged by a judge that adds a length bonus (and, as a check, a fair judge of a better
model): the raw win rate, the length-controlled one, and how often the latter's 95% interval holds the truth, at
cell sizes a report really has (a language of a bundled bench: 20–40 questions; a whole bench: 180–400).

    python benchmarks/length_control.py [--benches 200]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seabench.aggregate import length_controlled  # noqa: E402
from seabench.records import PairOutcome, Question  # noqa: E402
from seabench.records.results import Settings  # noqa: E402


def bench(n: int, rng: np.random.Generator, quality: float, bonus: float):
    questions = {("b", f"q{i}"): Question(id=f"q{i}", lang="th", category="safety", turns=("x",)) for i in range(n)}
    a_len, b_len = rng.normal(900, 250, n).astype(int), rng.normal(500, 250, n).astype(int)
    delta = a_len - b_len
    p = 1 / (1 + np.exp(-(quality + bonus * np.tanh(delta / delta.std()))))
    u = rng.random(n)
    winners = np.where(u < 0.9 * p, "A", np.where(u < 0.9 * p + 0.1, "tie", "B"))
    lengths = {
        **{("a", "b", f"q{i}", 1): int(a_len[i]) for i in range(n)},
        **{("b", "b", f"q{i}", 1): int(b_len[i]) for i in range(n)},
    }
    outcomes = [
        PairOutcome(judge="j", bench="b", question_id=f"q{i}", turn=1, model_a="a", model_b="b", winner=str(w))
        for i, w in enumerate(winners)
    ]
    row = next(
        r
        for r in length_controlled(outcomes, lengths, questions, Settings(rounds=500), alpacaeval=False)
        if (r.model, r.lang) == ("a", "all")
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benches", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    cases = [
        ("equally good, the judge adds a length bonus", 0.0, 1.5, 0.5),
        ("a better model, a fair judge", 0.8, 0.0, 0.9 * 1 / (1 + np.exp(-0.8)) + 0.05),
    ]
    for label, quality, bonus, truth in cases:
        print(f"{label}: true rate at equal length {truth:.3f}")
        for n in (20, 40, 180, 400):
            rows = [bench(n, rng, quality, bonus) for _ in range(args.benches)]
            raw = np.mean([r.raw for r in rows])
            lc = np.mean([r.lc for r in rows if r.lc is not None])
            shown = [r for r in rows if r.lc_low is not None]
            covered = np.mean([r.lc_low <= truth <= r.lc_high for r in shown])
            print(
                f"  {n:>4} questions: raw {raw:.3f}, length-controlled {lc:.3f}; its 95% interval holds the truth in "
                f"{covered:.1%} of {len(shown)} benches"
            )


if __name__ == "__main__":
    main()
