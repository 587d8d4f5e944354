"""Statistics against reference implementations (scipy, scikit-learn, krippendorff) and hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import sparse, stats as sps

from seabench.aggregate import ALL, Obs, Outcome, Settings, agreement, bradley_terry_ratings, compare, single_scores
from seabench.records import Judgment, Question, Rating
from seabench.stats import (
    bootstrap_ratio, cohen_kappa, holm, krippendorff_interval, paired_bootstrap, quadratic_kappa, rng_for, wilcoxon_p,
)


def _questions(n_per_cell=40, langs=("th", "km"), cats=("safety", "math-reasoning")):
    qs = {}
    for lang in langs:
        for cat in cats:
            for i in range(n_per_cell):
                qid = f"{lang}-{cat}-{i}"
                qs[("b", qid)] = Question(id=qid, lang=lang, category=cat, turns=("x", "y"))
    return qs


def test_bootstrap_matches_scipy_on_one_cell():
    rng = np.random.default_rng(1)
    scores = rng.integers(1, 11, size=60).astype(float)
    m = sparse.csr_matrix(np.ones((60, 1)))
    mean, low, high, _ = bootstrap_ratio(scores, np.ones(60), m, np.zeros(60), rounds=4000, rng=rng_for(0, "t"))
    ref = sps.bootstrap((scores,), np.mean, n_resamples=4000, method="percentile", random_state=np.random.default_rng(2)).confidence_interval
    assert mean[0] == pytest.approx(scores.mean())
    # Different random streams: the intervals agree to Monte-Carlo error, not to the last digit.
    assert low[0] == pytest.approx(ref.low, abs=0.12) and high[0] == pytest.approx(ref.high, abs=0.12)


def test_pooled_means_n_unscored_and_margins_by_hand():
    qs = _questions(n_per_cell=2, langs=("th",), cats=("safety",))
    obs = [
        Obs(model="m", judge="j", bench="b", question_id="th-safety-0", turn=1, score=8),
        Obs(model="m", judge="j", bench="b", question_id="th-safety-0", turn=1, score=6),  # a second sample: pooled
        Obs(model="m", judge="j", bench="b", question_id="th-safety-1", turn=1, score=4),
        Obs(model="m", judge="j", bench="b", question_id="th-safety-1", turn=2, score=None),  # unscored: counted, never a number
        Obs(model="m", judge="j", bench="b", question_id="th-safety-0", turn=2, score=10),
    ]
    cells, (lead,) = single_scores(obs, qs, Settings(rounds=200))
    by = {(c.lang, c.category, c.turn): c for c in cells}
    t1 = by[("th", "safety", "1")]
    assert (t1.n, t1.items, t1.mean, t1.unscored) == (3, 2, pytest.approx(6.0), 0)
    t2 = by[("th", "safety", "2")]
    assert (t2.n, t2.mean, t2.unscored) == (1, 10.0, 1)
    total = by[(ALL, ALL, ALL)]
    assert (total.n, total.mean, total.unscored) == (4, pytest.approx(7.0), 1)
    assert total.ci_low <= total.mean <= total.ci_high
    assert lead.turn1 == pytest.approx(6.0) and lead.turn2 == 10.0 and lead.seabench_avg == pytest.approx(8.0)


def test_macro_average_over_languages_is_not_dominated_by_the_bigger_one():
    qs = {**_questions(30, ("th",), ("safety",)), **_questions(3, ("lo",), ("safety",))}
    obs = [Obs(model="m", judge="j", bench="b", question_id=qid, turn=1, score=8 if q.lang == "th" else 2) for (_, qid), q in qs.items()]
    _, (lead,) = single_scores(obs, qs, Settings(rounds=200))
    assert lead.mean == pytest.approx((30 * 8 + 3 * 2) / 33)
    assert lead.macro_lang == pytest.approx(5.0) and lead.languages == 2


def test_results_are_seeded():
    qs = _questions(10)
    rng = np.random.default_rng(3)
    obs = [Obs(model="m", judge="j", bench="b", question_id=qid, turn=1, score=float(rng.integers(1, 11))) for _, qid in qs]
    a, _ = single_scores(obs, qs, Settings(rounds=300, seed=7))
    b, _ = single_scores(obs, qs, Settings(rounds=300, seed=7))
    c, _ = single_scores(obs, qs, Settings(rounds=300, seed=8))
    assert a == b and a != c


def test_quadratic_and_plain_kappa_match_sklearn():
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(4)
    x = rng.integers(1, 11, 200)
    y = np.clip(x + rng.integers(-2, 3, 200), 1, 10)
    assert quadratic_kappa(x, y, np.arange(1, 11)) == pytest.approx(cohen_kappa_score(x, y, weights="quadratic", labels=list(range(1, 11))))
    a = list(rng.choice(["A", "B", "tie"], 100))
    b = [v if rng.random() < 0.7 else "tie" for v in a]
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_krippendorff_alpha_matches_the_package():
    import krippendorff

    rng = np.random.default_rng(5)
    truth = rng.integers(1, 11, 50).astype(float)
    data = np.stack([np.clip(truth + rng.normal(0, 1.5, 50), 1, 10).round() for _ in range(3)])
    data[0, :5] = np.nan  # missing ratings
    data[2, 10:13] = np.nan
    assert krippendorff_interval(data) == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement="interval"))


def test_holm_by_hand():
    assert holm([0.01, 0.04, 0.03, None]) == [pytest.approx(0.03), pytest.approx(0.06), pytest.approx(0.06), None]
    assert holm([0.5, 0.6]) == [pytest.approx(1.0), pytest.approx(1.0)]


def test_wilcoxon_matches_scipy():
    d = np.array([1.5, -0.5, 2.0, 1.0, 0.5, 3.0, -1.0, 2.5])
    assert wilcoxon_p(d) == pytest.approx(sps.wilcoxon(d).pvalue)
    assert wilcoxon_p(np.zeros(5)) == 1.0 and wilcoxon_p(np.array([])) is None


def test_compare_gives_the_reference_numbers():
    qs = _questions(40)
    rng = np.random.default_rng(6)
    obs = []
    for (_, qid), q in qs.items():
        base = float(rng.integers(3, 9))
        drop = 2 if (q.lang, q.category) == ("km", "math-reasoning") else 0  # a real regression in one cell
        obs.append(Obs(model="new", judge="j", bench="b", question_id=qid, turn=1, score=float(np.clip(base - drop + rng.integers(-1, 2), 1, 10))))
        obs.append(Obs(model="old", judge="j", bench="b", question_id=qid, turn=1, score=base))
    cells = compare(obs, qs, "new", "old", "j", Settings(rounds=2000))
    first = cells[0]
    assert (first.lang, first.category, first.significant) == ("km", "math-reasoning", True) and first.diff < 0
    # The same numbers from scipy, and Holm by hand over the cells reported.
    new = {o.question_id: o.score for o in obs if o.model == "new"}
    old = {o.question_id: o.score for o in obs if o.model == "old"}
    ids = [qid for (_, qid), q in qs.items() if (q.lang, q.category) == ("km", "math-reasoning")]
    d = np.array([new[i] - old[i] for i in ids])
    assert first.diff == pytest.approx(d.mean()) and first.n == 40
    assert first.p == pytest.approx(sps.wilcoxon(d).pvalue)
    ps = [c.p for c in cells]
    assert [c.p_adj for c in cells] == pytest.approx(holm(ps))
    assert first.ci_low < first.diff < first.ci_high < 0
    assert len(cells) == 9  # 2 × 2 cells, 2 + 2 margins, overall
    assert not any(c.underpowered for c in cells)
    small = compare(obs, qs, "new", "old", "j", Settings(rounds=200), min_n=50)
    assert all(c.underpowered == (c.n < 50) for c in small)


def test_paired_bootstrap_brackets_the_mean():
    d = np.random.default_rng(7).normal(1, 1, 100)
    low, high = paired_bootstrap(d, rounds=2000, rng=rng_for(0, "x"))
    ref = sps.bootstrap((d,), np.mean, n_resamples=2000, method="percentile", random_state=1).confidence_interval
    assert low == pytest.approx(ref.low, abs=0.06) and high == pytest.approx(ref.high, abs=0.06)


def test_bradley_terry_matches_logistic_regression():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(8)
    strength = {"a": 1.0, "b": 0.3, "c": -0.2, "d": -1.1}
    models = list(strength)
    results = []
    for k in range(600):
        x, y = rng.choice(models, 2, replace=False)
        p = 1 / (1 + math.exp(strength[y] - strength[x]))
        results.append(Outcome(judge="j", bench="b", question_id=str(k), turn=1, model_a=x, model_b=y, winner="A" if rng.random() < p else "B"))
    ratings = {r.model: r.rating for r in bradley_terry_ratings(results, Settings(rounds=100))}
    # The reference: logistic regression on +1/−1 design rows, no intercept, no penalty.
    rows, labels = [], []
    for o in results:
        row = np.zeros(len(models))
        row[models.index(o.model_a)], row[models.index(o.model_b)] = 1, -1
        rows.append(row)
        labels.append(1 if o.winner == "A" else 0)
    coef = LogisticRegression(fit_intercept=False, C=np.inf, tol=1e-10, max_iter=10000).fit(np.array(rows), labels).coef_[0]
    ref = 1000 + 400 / math.log(10) * (coef - coef.mean())
    assert [ratings[m] for m in models] == pytest.approx(list(ref), abs=0.5)


def test_agreement_matches_scipy_sklearn_and_krippendorff():
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    qs = _questions(15, ("th",), ("safety",))
    rng = np.random.default_rng(9)
    judgments, ratings = [], []
    truth = {}
    for (_, qid) in qs:
        truth[qid] = int(rng.integers(1, 11))
        judgments.append(Judgment(key=qid, kind="single", judge="j", prompt="p", bench="b", question_id=qid, turn=1, model="m",
                                  score=float(np.clip(truth[qid] + rng.integers(-1, 2), 1, 10)), judgment="x"))
        for ann in ("ann1", "ann2", "ann3"):
            ratings.append(Rating(annotator=ann, bench="b", question_id=qid, turn=1, model="m", score=float(np.clip(truth[qid] + rng.integers(-2, 3), 1, 10))))
    rows = agreement(judgments, ratings, [], qs)
    jh = next(r for r in rows if r.kind == "judge-human" and r.lang == ALL and r.category == ALL)
    js = {j.question_id: j.score for j in judgments}
    x = [js[r.question_id] for r in ratings]
    y = [r.score for r in ratings]
    assert jh.n == 45
    assert jh.spearman == pytest.approx(sps.spearmanr(x, y).statistic)
    assert jh.kendall == pytest.approx(sps.kendalltau(x, y).statistic)
    assert jh.kappa == pytest.approx(cohen_kappa_score(x, y, weights="quadratic", labels=list(range(1, 11))))
    assert jh.exact == pytest.approx(np.mean(np.array(x) == np.array(y)))
    assert jh.within_one == pytest.approx(np.mean(np.abs(np.array(x) - np.array(y)) <= 1))
    aa = next(r for r in rows if r.kind == "annotator-annotator" and r.lang == ALL and r.category == ALL)
    matrix = np.array([[next(r.score for r in ratings if r.annotator == a and r.question_id == qid) for (_, qid) in qs] for a in ("ann1", "ann2", "ann3")])
    assert aa.alpha == pytest.approx(krippendorff.alpha(reliability_data=matrix, level_of_measurement="interval"))
    assert aa.n == 45  # three annotator pairs × 15 items


def test_pairwise_agreement_with_humans():
    from sklearn.metrics import cohen_kappa_score

    qs = _questions(10, ("vi",), ("safety",))
    judge = [Outcome(judge="j", bench="b", question_id=qid, turn=1, model_a="x", model_b="y", winner=w) for (_, qid), w in zip(qs, ["A", "A", "B", "B", "A", "tie", "A", "B", "tie", "B"])]
    human = [Outcome(judge="human", bench="b", question_id=o.question_id, turn=1, model_a="y", model_b="x",  # the other way round
                     winner={"A": "B", "B": "A", "tie": "tie"}[o.winner] if i % 3 else "A") for i, o in enumerate(judge)]
    rows = agreement([], [], judge + human, qs)
    (row,) = [r for r in rows if r.lang == ALL and r.category == ALL]
    jw = [o.winner for o in judge]
    hw = [{"A": "B", "B": "A", "tie": "tie"}[o.winner] for o in human]  # in the judge's orientation
    assert row.exact == pytest.approx(np.mean([a == b for a, b in zip(jw, hw)]))
    assert row.kappa == pytest.approx(cohen_kappa_score(jw, hw))
