"""Do the report's 95% intervals cover 95%, and does `compare` cry wolf? Simulate benches from known generating models,
run them through the real aggregation code, and count how often each interval holds the true value.

Designs (4 languages × 5 categories each; a third of questions have two turns, correlated through the question; 1 or
2 judge samples; 3% unscored; integer 1–10 scores; true means are exact expectations under the model):

- `bell`: bell-shaped scores around 6 with language and category effects, 1–10 questions per cell.
- `skewed`: a strong model, mostly 8–10 with a cell-dependent 2–20% of 1–2 (a failed answer; half of the failure
  risk is the question's, shared by both turns and both models), 2–10 questions per cell.
- `v1`: the skewed model on 1–3 questions per cell, as Sea-bench v1 has.
- `30`: the skewed model on 30 questions per cell.

For each design it prints the coverage of score cells (leaves with ≥ 3 questions, language and category margins, the
overall mean) by the plain t interval (before issue #23) and by today's `bounded_mean`; pairwise win rates and
`compare` differences; and, under a null where model B is model A answered anew (the two correlated through the
question), the per-cell and per-bench false-alarm rates of `compare` before and after Holm. Every rate has its
Monte-Carlo error (± 1.96 standard errors, benches as the unit). Goal: coverage 93–97% for cells with ≥ 3 questions
and all margins; per-bench false alarms ≤ 6% with Holm.

    python benchmarks/coverage.py [--benches 500] [--workers 2] [--design skewed ...]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from scipy.stats import norm  # noqa: E402

from seabench.aggregate import ALL, Obs, Settings, compare, pairwise, scores, single_scores  # noqa: E402
from seabench.records import PairOutcome, Question  # noqa: E402
from seabench.stats import ratio_mean  # noqa: E402

LANGS = ["th", "km", "lo", "my"]
CATS = ["task-solving", "math-reasoning", "general-instruction", "natural-question", "safety"]
SD_Q, SD_E, RHO, SD_JUDGE = 1.0, 1.0, 0.2, 0.5  # turn-1/turn-2 correlation (SD_Q² + RHO·SD_E²)/(SD_Q² + SD_E²) = 0.6
TIE = 0.5  # bell: a score gap under this is a tie
LOW, HIGH = np.array([1.0, 2.0]), np.array([8.0, 9.0, 10.0])
SIZES = {"bell": (1, 10), "skewed": (2, 10), "v1": (1, 3), "30": (30, 30)}


class Bell:
    """Scores round(N(cell mean + question effect, …)) clipped to 1–10; model B shifted per cell (or not: the null)."""

    def __init__(self, rng: np.random.Generator, shift_b: bool, sizes: tuple[int, int]):
        self.lang_fx = dict(zip(LANGS, rng.normal(0, 0.7, len(LANGS))))
        self.cat_fx = dict(zip(CATS, rng.normal(0, 0.7, len(CATS))))
        self.samples = int(rng.integers(1, 3))
        self.b_fx = {(lang, c): (rng.normal(0, 0.6) if shift_b else 0.0) for lang in LANGS for c in CATS}
        self.questions: dict[tuple[str, str], Question] = {}
        for lang, c in itertools.product(LANGS, CATS):
            for i in range(int(rng.integers(sizes[0], sizes[1] + 1))):
                qid = f"{lang}-{c}-{i}"
                turns = ("a", "b") if rng.random() < 1 / 3 else ("a",)
                self.questions[("sim", qid)] = Question(id=qid, lang=lang, category=c, turns=turns)

    def mean(self, q: Question, turn: int, model: str) -> float:
        m = 6.0 + self.lang_fx[q.lang] + self.cat_fx[q.category] + (-0.4 if turn == 2 else 0.0)
        return m + (self.b_fx[q.lang, q.category] if model == "b" else 0.0)

    def draw(self, rng: np.random.Generator) -> tuple[list[Obs], list[PairOutcome]]:
        obs, outcomes = [], []
        for (_, qid), q in self.questions.items():
            u = rng.normal(0, SD_Q)
            e1 = {m: rng.normal(0, SD_E) for m in "ab"}
            for turn in range(1, len(q.turns) + 1):
                e = e1 if turn == 1 else {m: RHO * e1[m] + np.sqrt(1 - RHO**2) * rng.normal(0, SD_E) for m in "ab"}
                for s in range(self.samples):
                    raw = {m: self.mean(q, turn, m) + u + e[m] + rng.normal(0, SD_JUDGE) for m in "ab"}
                    score = {m: float(np.clip(np.rint(raw[m]), 1, 10)) for m in "ab"}
                    gap = raw["a"] - raw["b"]
                    _record(rng, obs, outcomes, qid, turn, s, score, "A" if gap > TIE else "B" if gap < -TIE else "tie")
        return obs, outcomes

    def expected(self, q: Question, turn: int, model: str) -> float:
        """E[clip(round(X), 1, 10)] for X ~ N(mean, sd²)."""
        sd = np.sqrt(SD_Q**2 + SD_E**2 + SD_JUDGE**2)
        edges = norm.cdf((np.arange(1.5, 10.5) - self.mean(q, turn, model)) / sd)
        return float(np.diff(np.concatenate([[0.0], edges, [1.0]])) @ np.arange(1, 11))

    def expected_win(self, q: Question, turn: int) -> float:
        """E[win + ½ tie] when the score gap is N(d, sd²); the question effect cancels in a gap."""
        d = self.mean(q, turn, "a") - self.mean(q, turn, "b")
        sd = np.sqrt(2 * SD_E**2 + 2 * SD_JUDGE**2)
        win, loss = norm.sf((TIE - d) / sd), norm.cdf((-TIE - d) / sd)
        return float(win + 0.5 * (1 - win - loss))

    def truth(self, cell: tuple[str, str, str], model: str) -> float:
        """The pooled mean's target: expectations weighted by how many turns the cell's questions have."""
        values = [self.expected(q, t, model) for q, t in self._items(cell)]
        return float(np.mean(values))

    def truth_win(self, cell: tuple[str, str]) -> float:
        return float(np.mean([self.expected_win(q, t) for q, t in self._items((*cell, ALL))]))

    def _items(self, cell: tuple[str, str, str]) -> list[tuple[Question, int]]:
        return [
            (q, t)
            for q in self.questions.values()
            if cell[0] in (ALL, q.lang) and cell[1] in (ALL, q.category)
            for t in range(1, len(q.turns) + 1)
            if cell[2] in (ALL, str(t))
        ]


class Skewed(Bell):
    """A strong model: an answer fails (scores 1 or 2) with a cell's risk p, else scores 8–10 by the cell's odds. Half
    the risk is the question's (shared by turns and models), half the answer's; judge samples share the answer."""

    def __init__(self, rng: np.random.Generator, shift_b: bool, sizes: tuple[int, int]):
        super().__init__(rng, shift_b, sizes)
        self.risk = {m: {(lang, c): rng.uniform(0.02, 0.2) for lang in LANGS for c in CATS} for m in "ab"}
        self.odds = {m: {(lang, c): rng.dirichlet([1, 2, 3]) for lang in LANGS for c in CATS} for m in "ab"}
        if not shift_b:
            self.risk["b"], self.odds["b"] = self.risk["a"], self.odds["a"]

    def _fail(self, q: Question, model: str) -> float:
        return self.risk[model][q.lang, q.category] / 2  # the question's half and the answer's half

    def draw(self, rng: np.random.Generator) -> tuple[list[Obs], list[PairOutcome]]:
        obs, outcomes = [], []
        for (_, qid), q in self.questions.items():
            shared = rng.random()  # one draw for the question's own risk, so models fail together on hard questions
            for turn in range(1, len(q.turns) + 1):
                failed = {m: shared < self._fail(q, m) or rng.random() < self._fail(q, m) for m in "ab"}
                for s in range(self.samples):
                    score = {
                        m: float(rng.choice(LOW) if failed[m] else rng.choice(HIGH, p=self.odds[m][q.lang, q.category]))
                        for m in "ab"
                    }
                    gap = score["a"] - score["b"]
                    _record(rng, obs, outcomes, qid, turn, s, score, "A" if gap > 0 else "B" if gap < 0 else "tie")
        return obs, outcomes

    def _dist(self, q: Question, model: str, question_failed: bool) -> np.ndarray:
        """P(score = 1..10) given whether the question's shared risk struck."""
        f = 1.0 if question_failed else self._fail(q, model)
        p = np.zeros(10)
        p[[0, 1]] = f / 2
        p[[7, 8, 9]] = (1 - f) * self.odds[model][q.lang, q.category]
        return p

    def _branches(self, q: Question) -> list[tuple[float, dict[str, np.ndarray]]]:
        """(probability, per-model score distribution): the shared draw strikes both, one, or neither model."""
        fa, fb = self._fail(q, "a"), self._fail(q, "b")
        lo, hi = min(fa, fb), max(fa, fb)
        first = "a" if fa >= fb else "b"
        return [
            (lo, {m: self._dist(q, m, True) for m in "ab"}),
            (hi - lo, {m: self._dist(q, m, m == first) for m in "ab"}),
            (1 - hi, {m: self._dist(q, m, False) for m in "ab"}),
        ]

    def expected(self, q: Question, turn: int, model: str) -> float:
        return float(sum(w * (d[model] @ np.arange(1, 11)) for w, d in self._branches(q)))

    def expected_win(self, q: Question, turn: int) -> float:
        total = 0.0
        for w, d in self._branches(q):
            joint = np.outer(d["a"], d["b"])
            total += w * (np.tril(joint, -1).sum() + 0.5 * np.trace(joint))
        return total


def _record(rng, obs, outcomes, qid, turn, sample, score, winner) -> None:
    """Store a judgment per model and the pairwise verdict, each unscored 3% of the time."""
    for m in "ab":
        value = None if rng.random() < 0.03 else score[m]
        obs.append(Obs(model=m, judge="j", bench="sim", question_id=qid, turn=turn, score=value, sample=str(sample)))
    outcomes.append(
        PairOutcome(
            judge="j",
            bench="sim",
            question_id=qid,
            turn=turn,
            model_a="a",
            model_b="b",
            winner=None if rng.random() < 0.03 else winner,
            sample=sample,
        )
    )


def _plain_t(sums, counts, strata=None, *, bounds, confidence=0.95):
    return ratio_mean(sums, counts, strata, bounds=bounds, confidence=confidence)


def simulate(job: tuple[str, int]) -> dict[str, tuple[int, int]]:
    """One bench of a design: (hits, trials) per measure."""
    design, seed = job
    rng = np.random.default_rng([seed, list(SIZES).index(design)])
    kind = Bell if design == "bell" else Skewed
    out: dict[str, list[bool]] = {}
    bench = kind(rng, True, SIZES[design])
    obs, outcomes = bench.draw(rng)
    a_obs = [o for o in obs if o.model == "a"]
    for method in ("t", "now"):
        if method == "t":
            scores.bounded_mean = _plain_t  # the interval before #23, for the column beside today's
        try:
            cells, _ = single_scores(a_obs, bench.questions, Settings())
        finally:
            scores.bounded_mean = _BOUNDED
        for c in cells:
            level = _level(c.lang, c.category, c.turn)
            if level is None or c.ci_low is None or (level == "leaf" and c.questions < 3):
                continue
            truth = bench.truth((c.lang, c.category, c.turn), "a")
            out.setdefault(f"{method} {level}", []).append(c.ci_low <= truth <= c.ci_high)
    pair_cells, _ = pairwise(outcomes, bench.questions, Settings(rounds=10))
    for p in pair_cells:
        if p.model == "a" and p.opponent == "b" and p.category == ALL and p.ci_low is not None:
            out.setdefault("win", []).append(p.ci_low <= bench.truth_win((p.lang, p.category)) <= p.ci_high)
    for c in compare(obs, bench.questions, "a", "b", "j"):
        if c.ci_low is not None and c.n >= 3:
            truth = bench.truth((c.lang, c.category, ALL), "a") - bench.truth((c.lang, c.category, ALL), "b")
            level = "leaf" if ALL not in (c.lang, c.category) else "margin"
            out.setdefault(f"compare {level}", []).append(c.ci_low <= truth <= c.ci_high)
    null = kind(rng, False, SIZES[design])
    tested = [c for c in compare(null.draw(rng)[0], null.questions, "a", "b", "j") if c.p is not None]
    out["null cell"] = [c.p < 0.05 for c in tested]
    out["null cell holm"] = [c.p_adj is not None and c.p_adj < 0.05 for c in tested]
    out["null bench"] = [any(out["null cell"])]
    out["null bench holm"] = [any(out["null cell holm"])]
    return {k: (sum(v), len(v)) for k, v in out.items()}


_BOUNDED = scores.bounded_mean


def _level(lang: str, cat: str, turn: str) -> str | None:
    if turn != ALL and (lang == ALL or cat == ALL):
        return None
    if lang != ALL and cat != ALL:
        return "leaf"
    return "language" if lang != ALL else "category" if cat != ALL else "overall"


def rate(per_bench: list[tuple[int, int]]) -> tuple[float, float, int] | None:
    """Pooled rate over benches and its Monte-Carlo standard error with benches as clusters (cells in one bench share
    its draw)."""
    hits = np.array([h for h, n in per_bench if n], dtype=float)
    trials = np.array([n for _, n in per_bench if n], dtype=float)
    if len(trials) < 2:
        return None
    p = hits.sum() / trials.sum()
    k = len(trials)
    se = np.sqrt(k / (k - 1) * np.sum((hits - p * trials) ** 2)) / trials.sum()
    return p, se, int(trials.sum())


ROWS = [
    ("leaf cells, ≥ 3 questions", "t leaf", "now leaf", "cover"),
    ("language margins", "t language", "now language", "cover"),
    ("category margins", "t category", "now category", "cover"),
    ("overall mean", "t overall", "now overall", "cover"),
    ("pairwise win rates (language)", None, "win", "cover"),
    ("compare: cells, ≥ 3 questions", None, "compare leaf", "cover"),
    ("compare: margins", None, "compare margin", "cover"),
    ("null: cells with p < 0.05", None, "null cell", "alarm"),
    ("null: cells with Holm p < 0.05", None, "null cell holm", "alarm"),
    ("null: benches with any p < 0.05", None, "null bench", "alarm"),
    ("null: benches with any Holm p < 0.05", None, "null bench holm", "alarm"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--benches", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--design", action="append", choices=list(SIZES), help="repeatable; all by default")
    args = parser.parse_args()
    designs = args.design or list(SIZES)
    print(
        f"{args.benches} simulated benches per design; nominal 95% intervals.\n"
        "Goal: coverage 93–97% (✓ when inside), per-bench false alarms with Holm ≤ 6%. ± is 1.96 Monte-Carlo SE.\n"
    )
    with ProcessPoolExecutor(args.workers) as pool:
        for design in designs:
            totals: dict[str, list[tuple[int, int]]] = {}
            for result in pool.map(simulate, [(design, s) for s in range(args.benches)], chunksize=4):
                for k, v in result.items():
                    totals.setdefault(k, []).append(v)
            lo, hi = SIZES[design]
            print(f"design {design} ({lo}–{hi} questions per cell)")
            print(f"  {'':38} {'t (before #23)':>16} {'now':>16} {'n':>7}")
            for label, before, now, goal in ROWS:
                r_before = rate(totals.get(before, [])) if before else None
                r_now = rate(totals.get(now, []))
                mark = "" if r_now is None else _verdict(r_now[0], goal)
                n = "" if r_now is None else r_now[2]
                print(f"  {label:38} {_fmt(r_before):>16} {_fmt(r_now):>16} {n:>7} {mark}")
            print(flush=True)


def _fmt(r: tuple[float, float, int] | None) -> str:
    return "–" if r is None else f"{100 * r[0]:.1f}% ± {196 * r[1]:.1f}"


def _verdict(p: float, goal: str) -> str:
    if goal == "cover":
        return "✓" if 0.93 <= p <= 0.97 else "✗"
    return ""


if __name__ == "__main__":
    main()
