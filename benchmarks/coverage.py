"""Do the report's 95% intervals cover 95%? Simulate benches from a known generating model, run them through the real
aggregation code, and count how often each interval holds the true value.

Each simulated bench: 4 languages × 5 categories, 1–10 questions per cell, a third of questions with two turns (turn 2
correlated with turn 1, ρ≈0.6 through a shared question effect), 1 or 2 judge samples, 3% unscored, integer 1–10
scores. True cell means are exact expectations under the model (normal CDFs through rounding and clipping).
Prints, for the method before issue #9 (items resampled within language × category × turn cells, percentile
bootstrap; Wilcoxon for compare) and for today's (questions as clusters, t intervals, strata where they can carry
their own variance): coverage of leaf cells with ≥ 2 questions, language and category margins, the overall mean,
pairwise win rates and compare differences, and the share of p < 0.05 under a null of no difference, before and
after Holm. Goal: every coverage within 93–97%, null rejection ≤ 5.5%.

    python benchmarks/coverage.py [--benches 1000] [--workers 2]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from scipy import sparse  # noqa: E402
from scipy.stats import norm, wilcoxon  # noqa: E402

from seabench.aggregate import ALL, Obs, Settings, compare, pairwise, single_scores  # noqa: E402
from seabench.records import PairOutcome, Question  # noqa: E402
from seabench.stats import holm  # noqa: E402

LANGS, CATS = (
    ["th", "km", "lo", "my"],
    ["task-solving", "math-reasoning", "general-instruction", "natural-question", "safety"],
)
SD_Q, SD_E, RHO, SD_JUDGE = 1.0, 1.0, 0.2, 0.5  # turn-1/turn-2 correlation (SD_Q² + RHO·SD_E²)/(SD_Q² + SD_E²) = 0.6
TIE = 0.5  # pairwise: a score gap under this is a tie


def expected_score(m: float, sd: float) -> float:
    """E[clip(round(X), 1, 10)] for X ~ N(m, sd²)."""
    edges = norm.cdf((np.arange(1.5, 10.5) - m) / sd)
    p = np.diff(np.concatenate([[0.0], edges, [1.0]]))
    return float(p @ np.arange(1, 11))


def expected_win(d: float, sd: float) -> float:
    """E[win + ½ tie] when the score gap is N(d, sd²)."""
    win, loss = norm.sf((TIE - d) / sd), norm.cdf((-TIE - d) / sd)
    return float(win + 0.5 * (1 - win - loss))


class Bench:
    def __init__(self, rng: np.random.Generator, shift_b: bool):
        self.lang_fx = dict(zip(LANGS, rng.normal(0, 0.7, len(LANGS))))
        self.cat_fx = dict(zip(CATS, rng.normal(0, 0.7, len(CATS))))
        self.turn2 = -0.4
        self.samples = int(rng.integers(1, 3))
        # model B: the same as A (null), or shifted per cell (coverage of differences)
        self.b_fx = {(l, c): (rng.normal(0, 0.6) if shift_b else 0.0) for l in LANGS for c in CATS}
        self.questions: dict[tuple[str, str], Question] = {}
        for l, c in itertools.product(LANGS, CATS):
            for i in range(int(rng.integers(1, 11))):
                qid = f"{l}-{c}-{i}"
                turns = ("a", "b") if rng.random() < 1 / 3 else ("a",)
                self.questions[("sim", qid)] = Question(id=qid, lang=l, category=c, turns=turns)

    def mean(self, q: Question, turn: int, model: str) -> float:
        m = 6.0 + self.lang_fx[q.lang] + self.cat_fx[q.category] + (self.turn2 if turn == 2 else 0.0)
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
                    for m in "ab":
                        score = None if rng.random() < 0.03 else float(np.clip(np.rint(raw[m]), 1, 10))
                        obs.append(Obs(model=m, judge="j", bench="sim", question_id=qid, turn=turn, score=score))
                    gap = raw["a"] - raw["b"]
                    winner = None if rng.random() < 0.03 else "A" if gap > TIE else "B" if gap < -TIE else "tie"
                    outcomes.append(
                        PairOutcome(
                            judge="j",
                            bench="sim",
                            question_id=qid,
                            turn=turn,
                            model_a="a",
                            model_b="b",
                            winner=winner,
                            sample=s,
                        )
                    )
        return obs, outcomes

    def truth(self, cell: tuple[str, str, str], model: str) -> float:
        """The pooled mean's target: turn means weighted by how many turns the cell's questions have."""
        sd = np.sqrt(SD_Q**2 + SD_E**2 + SD_JUDGE**2)
        num = den = 0.0
        for q in self._members(cell):
            for turn in range(1, len(q.turns) + 1):
                if cell[2] in (ALL, str(turn)):
                    num += expected_score(self.mean(q, turn, model), sd)
                    den += 1
        return num / den

    def truth_win(self, cell: tuple[str, str]) -> float:
        sd = np.sqrt(2 * SD_E**2 + 2 * SD_JUDGE**2)  # the question effect cancels in a gap
        num = den = 0.0
        for q in self._members((*cell, ALL)):
            for turn in range(1, len(q.turns) + 1):
                num += expected_win(self.mean(q, turn, "a") - self.mean(q, turn, "b"), sd)
                den += 1
        return num / den

    def _members(self, cell) -> list[Question]:
        return [q for q in self.questions.values() if cell[0] in (ALL, q.lang) and cell[1] in (ALL, q.category)]


# -- the method before issue #9, kept here only to print its figures beside today's -----------------------------------


def old_intervals(
    values: list[tuple[str, int, float | None]],
    questions,
    rng: np.random.Generator,
    rounds: int = 1000,
    by_turn: bool = True,
) -> dict[tuple, tuple[float, float]]:
    """Items (question × turn) resampled within their language × category (× turn, for scores) cell; percentiles."""
    items: dict[tuple, list[float]] = {}
    for qid, turn, value in values:
        if value is not None:
            items.setdefault((qid, turn), []).append(value)
    keys = sorted(items)
    cell_of = [(questions["sim", q].lang, questions["sim", q].category, str(t) if by_turn else ALL) for q, t in keys]
    sums = np.array([sum(items[k]) for k in keys])
    counts = np.array([len(items[k]) for k in keys], dtype=float)
    cells, membership = _old_cells(cell_of)
    strata = np.array(["\x00".join(c) for c in cell_of])
    _, inverse = np.unique(strata, return_inverse=True)
    weights = np.zeros((rounds, len(keys)))
    for label in np.unique(inverse):
        members = np.flatnonzero(inverse == label)
        weights[:, members] = rng.multinomial(len(members), np.full(len(members), 1 / len(members)), size=rounds)
    num, den = (weights * sums) @ membership, (weights * counts) @ membership
    reps = (num / np.where(den > 0, den, np.nan)).T
    with np.errstate(all="ignore"):
        low, high = np.nanpercentile(reps, [2.5, 97.5], axis=1)
    return {c: (low[i], high[i]) for i, c in enumerate(cells)}


def _old_cells(keys):
    axes = [sorted({k[d] for k in keys}) + [ALL] for d in range(3)]
    cells = list(itertools.product(*axes))
    index = {c: i for i, c in enumerate(cells)}
    rows, cols = [], []
    for r, k in enumerate(keys):
        for use in itertools.product((True, False), repeat=3):
            rows.append(r)
            cols.append(index[tuple(k[d] if use[d] else ALL for d in range(3))])
    return cells, sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(keys), len(cells)))


def old_compare(
    obs: list[Obs], questions, rng: np.random.Generator, rounds: int = 1000
) -> list[tuple[tuple, float, float, float, float]]:
    """Per item (question × turn) differences, paired percentile bootstrap over items, Wilcoxon p: (cell, diff, low,
    high, p)."""
    per: dict[tuple, dict[str, list[float]]] = {}
    for o in obs:
        if o.score is not None:
            per.setdefault((o.question_id, o.turn), {}).setdefault(o.model, []).append(o.score)
    groups: dict[tuple, list[float]] = {}
    for (qid, _), by in per.items():
        if "a" in by and "b" in by:
            q = questions["sim", qid]
            for cell in itertools.product((q.lang, ALL), (q.category, ALL)):
                groups.setdefault(cell, []).append(np.mean(by["a"]) - np.mean(by["b"]))
    out = []
    for cell, diffs in groups.items():
        d = np.array(diffs)
        boot = d[rng.integers(0, len(d), (rounds, len(d)))].mean(axis=1)
        # the normal approximation: scipy's exact/permutation Wilcoxon takes seconds per bench at these sizes
        p = 1.0 if np.all(d == 0) else float(wilcoxon(d, method="asymptotic").pvalue)
        out.append((cell, float(d.mean()), *np.percentile(boot, [2.5, 97.5]), p))
    return out


# -- one simulated bench --------------------------------------------------------------------------------------------


def simulate(seed: int) -> dict[str, list]:
    rng = np.random.default_rng(seed)
    out: dict[str, list] = {
        k: []
        for k in (
            "leaf no spread",
            "leaf",
            "language",
            "category",
            "overall",
            "win",
            "compare",
            "null_p",
            "null_holm",
            "old win",
            "old leaf",
            "old language",
            "old category",
            "old overall",
            "old compare",
            "old null_p",
            "old null_holm",
        )
    }
    bench = Bench(rng, shift_b=True)
    obs, outcomes = bench.draw(rng)
    a_obs = [o for o in obs if o.model == "a"]
    cells, _ = single_scores(a_obs, bench.questions, Settings())
    old = old_intervals([(o.question_id, o.turn, o.score) for o in a_obs], bench.questions, rng)
    for c in cells:
        kind = _kind(c.lang, c.category, c.turn)
        if kind is None or c.questions < 2:
            continue
        if c.ci_low is None:  # every question scored alike: no interval is claimed
            out[f"{kind} no spread"].append(True)
            continue
        truth = bench.truth((c.lang, c.category, c.turn), "a")
        out[kind].append(c.ci_low <= truth <= c.ci_high)
        low, high = old[(c.lang, c.category, c.turn)]
        out[f"old {kind}"].append(bool(low <= truth <= high))
    pair_cells, _ = pairwise(outcomes, bench.questions, Settings(rounds=10))
    value = {"A": 1.0, "B": 0.0, "tie": 0.5, None: None}
    old_win = old_intervals(
        [(o.question_id, o.turn, value[o.winner]) for o in outcomes], bench.questions, rng, by_turn=False
    )
    for p in pair_cells:
        if p.model == "a" and p.opponent == "b" and (p.category == ALL) and p.ci_low is not None:
            truth = bench.truth_win((p.lang, p.category))
            out["win"].append(p.ci_low <= truth <= p.ci_high)
            low, high = old_win[(p.lang, p.category, ALL)]
            out["old win"].append(bool(low <= truth <= high))
    for c in compare(obs, bench.questions, "a", "b", "j"):
        if c.ci_low is not None:
            truth = bench.truth((c.lang, c.category, ALL), "a") - bench.truth((c.lang, c.category, ALL), "b")
            out["compare"].append(c.ci_low <= truth <= c.ci_high)
    for cell, _, low, high, _ in old_compare(obs, bench.questions, rng):
        truth = bench.truth((*cell, ALL), "a") - bench.truth((*cell, ALL), "b")
        out["old compare"].append(bool(low <= truth <= high))
    # the null: model B is model A, answered anew
    null = Bench(rng, shift_b=False)
    obs, _ = null.draw(rng)
    tested = [c for c in compare(obs, null.questions, "a", "b", "j") if c.p is not None]
    out["null_p"] += [c.p < 0.05 for c in tested]
    out["null_holm"] += [c.p_adj < 0.05 for c in tested]
    old_tests = old_compare(obs, null.questions, rng)
    old_p = [p for *_, p in old_tests]
    out["old null_p"] += [p < 0.05 for p in old_p]
    out["old null_holm"] += [p < 0.05 for p in holm(old_p)]
    return out


def _kind(lang: str, cat: str, turn: str) -> str | None:
    if turn != ALL and (lang == ALL or cat == ALL):
        return None
    if lang != ALL and cat != ALL:
        return "leaf"
    if lang != ALL:
        return "language"
    if cat != ALL:
        return "category"
    return "overall"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--benches", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    totals: dict[str, list] = {}
    with ProcessPoolExecutor(args.workers) as pool:
        for result in pool.map(simulate, range(args.benches), chunksize=8):
            for k, v in result.items():
                totals.setdefault(k, []).extend(v)
    print(f"{args.benches} simulated benches; nominal 95% intervals (goal: coverage 93–97%, null rejection ≤ 5.5%)\n")
    print(f"{'':34} {'before #9':>10} {'now':>10} {'intervals':>10}")
    rows = [
        ("leaf cells with ≥ 2 questions", "leaf"),
        ("language margins", "language"),
        ("category margins", "category"),
        ("overall mean", "overall"),
        ("pairwise win rates (language, all)", "win"),
        ("compare differences", "compare"),
    ]
    for label, key in rows:
        old = totals.get(f"old {key}")
        print(f"{label:34} {_pct(old):>10} {_pct(totals[key]):>10} {len(totals[key]):>10}")
    print(f"{'leaf cells with no spread: no interval':34} {'':>10} {len(totals['leaf no spread']):>10}")
    print(
        f"{'compare, null: p < 0.05':34} {_pct(totals['old null_p']):>10} {_pct(totals['null_p']):>10} "
        f"{len(totals['null_p']):>10}"
    )
    print(
        f"{'compare, null: Holm p_adj < 0.05':34} {_pct(totals['old null_holm']):>10} {_pct(totals['null_holm']):>10}"
    )


def _pct(values) -> str:
    return "–" if not values else f"{100 * np.mean(values):.1f}%"


if __name__ == "__main__":
    main()
