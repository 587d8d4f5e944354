"""Statistics against reference implementations (scipy, scikit-learn, krippendorff) and hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from seabench.aggregate import ALL, Obs, Settings, agreement, bradley_terry_ratings, compare, single_scores
from seabench.aggregate.agreement import _weighted_alpha, _weighted_kappa, _weighted_spearman, half_up
from seabench.records import Judgment, Question, Rating
from seabench.records import PairOutcome as Outcome
from seabench.stats import (
    PSEUDO_WEIGHT,
    bounded_mean,
    cluster_variance,
    cohen_kappa,
    holm,
    krippendorff_interval,
    logistic,
    paired_difference,
    quadratic_kappa,
    ratio_mean,
)


def _questions(n_per_cell=40, langs=("th", "km"), cats=("safety", "math-reasoning")):
    qs = {}
    for lang in langs:
        for cat in cats:
            for i in range(n_per_cell):
                qid = f"{lang}-{cat}-{i}"
                qs[("b", qid)] = Question(id=qid, lang=lang, category=cat, turns=("x", "y"))
    return qs


def test_the_own_logistic_is_scipys_expit():
    from scipy.special import expit

    xs = [-800.0, -40.0, -3.2, -1e-9, 0.0, 1e-9, 0.7, 12.0, 40.0, 800.0]
    assert [logistic(x) for x in xs] == pytest.approx([float(expit(x)) for x in xs], rel=1e-15, abs=1e-300)
    assert logistic(0.0) == 0.5 and logistic(800.0) == 1.0 and logistic(-800.0) == 0.0


def test_one_judgment_per_question_gives_scipys_t_interval():
    scores = np.random.default_rng(1).integers(1, 11, size=12).astype(float)
    iv = ratio_mean(scores, np.ones(12))
    low, high = sps.t.interval(0.95, 11, loc=scores.mean(), scale=sps.sem(scores))
    assert (iv.estimate, iv.low, iv.high, iv.df, iv.scheme) == (
        pytest.approx(scores.mean()),
        pytest.approx(low),
        pytest.approx(high),
        11,
        "questions",
    )


def test_turns_of_one_question_are_one_unit():
    """Two turns per question: the interval is the t interval on the questions' means, not on 2n independent scores."""
    rng = np.random.default_rng(2)
    t1 = rng.integers(1, 11, 15).astype(float)
    t2 = np.clip(t1 + rng.integers(-1, 2, 15), 1, 10)
    iv = ratio_mean(t1 + t2, np.full(15, 2.0))
    per_question = (t1 + t2) / 2
    low, high = sps.t.interval(0.95, 14, loc=per_question.mean(), scale=sps.sem(per_question))
    assert (iv.low, iv.high) == (pytest.approx(low), pytest.approx(high))
    naive = sps.t.interval(0.95, 29, loc=per_question.mean(), scale=sps.sem(np.concatenate([t1, t2])))
    assert high - low > naive[1] - naive[0]  # correlated turns: treating them as independent is too narrow


def test_bounded_mean_by_hand():
    """Two pseudo-questions (a third of an average question each, at 1 and 10), a variance on the logit scale, the
    normal quantile, mapped back; the estimate is the plain mean."""
    sums, counts = np.array([18.0, 10.0, 17.0, 9.0]), np.array([2.0, 1.0, 2.0, 1.0])
    iv = bounded_mean(sums, counts, bounds=(1.0, 10.0))
    w = PSEUDO_WEIGHT * 1.5
    s, c = np.append(sums, [w, 10 * w]), np.append(counts, [w, w])
    m = s.sum() / c.sum()
    e = (s - m * c) / c.sum()
    var = 6 / 5 * np.sum((e - e.mean()) ** 2)
    p = (m - 1) / 9
    se = math.sqrt(var) / (9 * p * (1 - p))
    z = sps.norm.ppf(0.975)
    expected = [1 + 9 / (1 + math.exp(-(math.log(p / (1 - p)) + k * z * se))) for k in (-1, 1)]
    assert (iv.estimate, iv.low, iv.high) == (
        pytest.approx(54 / 6),
        pytest.approx(expected[0]),
        pytest.approx(expected[1]),
    )
    assert 10 - iv.high < iv.estimate - iv.low  # near the top there is more room below than above


def _skewed_cell(rng: np.random.Generator, n: int, risk: float) -> tuple[np.ndarray, np.ndarray]:
    """n questions of two turns: a turn fails (scores 1 or 2) with probability `risk`, else scores 8, 9 or 10."""
    failed = rng.random((n, 2)) < risk
    scores = np.where(failed, rng.choice([1.0, 2.0], (n, 2)), rng.choice([8.0, 9.0, 10.0], (n, 2), p=[0.2, 0.3, 0.5]))
    return scores.sum(axis=1), np.full(n, 2.0)


def test_bounded_mean_covers_skewed_scores_where_the_t_interval_does_not():
    """A strong model's rare 1–2 among 8–10s: the t interval trusts cells that happened to miss the rare failure."""
    rng = np.random.default_rng(23)
    truth = 0.08 * 1.5 + 0.92 * (0.2 * 8 + 0.3 * 9 + 0.5 * 10)
    hits: dict[str, list[bool]] = {"t": [], "bounded": []}
    for _ in range(600):
        sums, counts = _skewed_cell(rng, 10, 0.08)
        for name, fn in (("t", ratio_mean), ("bounded", bounded_mean)):
            iv = fn(sums, counts, bounds=(1.0, 10.0))
            if iv.low is not None:
                hits[name].append(iv.low <= truth <= iv.high)
                assert 1.0 <= iv.low <= iv.estimate <= iv.high <= 10.0
    assert np.mean(hits["t"]) < 0.85 and 0.93 <= np.mean(hits["bounded"]) <= 0.985


def test_bounded_mean_stays_close_to_t_on_bell_shaped_scores():
    rng = np.random.default_rng(5)
    scores = np.clip(np.rint(rng.normal(6, 1.5, 60)), 1, 10)
    t, bounded = ratio_mean(scores, np.ones(60)), bounded_mean(scores, np.ones(60), bounds=(1.0, 10.0))
    assert bounded.estimate == t.estimate
    assert bounded.high - bounded.low == pytest.approx(t.high - t.low, rel=0.1)


def test_stratified_variance_by_hand():
    e = np.array([1.0, 3.0, 10.0, 14.0, 12.0])
    strata = np.array(["a", "a", "b", "b", "b"])
    var, df, scheme = cluster_variance(e, strata)
    by_hand = 2 / 1 * ((1 - 2) ** 2 + (3 - 2) ** 2) + 3 / 2 * ((10 - 12) ** 2 + (14 - 12) ** 2 + 0)
    assert (var, df, scheme) == (pytest.approx(by_hand), 3.0, "stratified")


def test_one_question_has_no_interval_and_thin_strata_are_pooled_not_zero():
    qs = {("b", f"w{i}"): Question(id=f"w{i}", lang="en", category="writing", turns=("x",)) for i in range(11)}
    qs[("b", "m")] = Question(id="m", lang="en", category="math", turns=("x",))
    obs = [
        Obs(model="m", judge="j", bench="b", question_id=qid, turn=1, score=2.0 if qid == "m" else 7.0) for _, qid in qs
    ]
    cells, _ = single_scores(obs, qs, Settings())
    by = {(c.lang, c.category, c.turn): c for c in cells}
    math = by[("en", "math", "1")]
    assert (math.mean, math.ci_low, math.ci_high, math.questions, math.scheme, math.low_n) == (
        2.0,
        None,
        None,
        1,
        "none",
        True,
    )
    margin = by[("en", ALL, ALL)]
    assert margin.ci_low < margin.mean < margin.ci_high  # the old scheme printed 6.58 [6.58, 6.58] here
    assert (
        margin.scheme == "questions"
    )  # a one-question stratum cannot stand alone: pooled into the other, which leaves one


def test_pooled_means_n_unscored_and_margins_by_hand():
    qs = _questions(n_per_cell=2, langs=("th",), cats=("safety",))
    obs = [
        Obs(model="m", judge="j", bench="b", question_id="th-safety-0", turn=1, score=8),
        Obs(model="m", judge="j", bench="b", question_id="th-safety-0", turn=1, score=6),  # a second sample: pooled
        Obs(model="m", judge="j", bench="b", question_id="th-safety-1", turn=1, score=4),
        Obs(
            model="m", judge="j", bench="b", question_id="th-safety-1", turn=2, score=None
        ),  # unscored: counted, never a number
        Obs(model="m", judge="j", bench="b", question_id="th-safety-0", turn=2, score=10),
    ]
    cells, (lead,) = single_scores(obs, qs, Settings(rounds=200))
    by = {(c.lang, c.category, c.turn): c for c in cells}
    t1 = by[("th", "safety", "1")]
    assert (t1.n, t1.questions, t1.mean, t1.unscored) == (3, 2, pytest.approx(6.0), 0)
    t2 = by[("th", "safety", "2")]
    assert (t2.n, t2.mean, t2.unscored) == (1, 10.0, 1)
    total = by[(ALL, ALL, ALL)]
    assert (total.n, total.mean, total.unscored) == (4, pytest.approx(7.0), 1)
    assert total.ci_low <= total.mean <= total.ci_high
    assert lead.turn1 == pytest.approx(6.0) and lead.turn2 == 10.0 and lead.seabench_avg == pytest.approx(8.0)


def test_macro_average_over_languages_is_not_dominated_by_the_bigger_one():
    qs = {**_questions(30, ("th",), ("safety",)), **_questions(3, ("lo",), ("safety",))}
    obs = [
        Obs(model="m", judge="j", bench="b", question_id=qid, turn=1, score=8 if q.lang == "th" else 2)
        for (_, qid), q in qs.items()
    ]
    _, (lead,) = single_scores(obs, qs, Settings(rounds=200))
    assert lead.mean == pytest.approx((30 * 8 + 3 * 2) / 33)
    assert lead.macro_lang == pytest.approx(5.0) and lead.languages == 2


def test_bootstrap_results_are_seeded():
    rng = np.random.default_rng(3)
    results = [
        Outcome(
            judge="j",
            bench="b",
            question_id=str(k),
            turn=1,
            model_a=x,
            model_b=y,
            winner=str(rng.choice(["A", "B", "tie"])),
        )
        for k in range(60)
        for x, y in (("a", "b"), ("b", "c"), ("a", "c"))
    ]
    a = bradley_terry_ratings(results, None, Settings(rounds=200, seed=7))
    b = bradley_terry_ratings(results, None, Settings(rounds=200, seed=7))
    c = bradley_terry_ratings(results, None, Settings(rounds=200, seed=8))
    assert a == b and a != c


def test_quadratic_and_plain_kappa_match_sklearn():
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(4)
    x = rng.integers(1, 11, 200)
    y = np.clip(x + rng.integers(-2, 3, 200), 1, 10)
    assert quadratic_kappa(x, y, np.arange(1, 11)) == pytest.approx(
        cohen_kappa_score(x, y, weights="quadratic", labels=list(range(1, 11)))
    )
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
    assert krippendorff_interval(data) == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="interval")
    )


def test_holm_by_hand():
    assert holm([0.01, 0.04, 0.03, None]) == [pytest.approx(0.03), pytest.approx(0.06), pytest.approx(0.06), None]
    assert holm([0.5, 0.6]) == [pytest.approx(1.0), pytest.approx(1.0)]


def test_paired_difference_is_scipys_paired_t_test():
    rng = np.random.default_rng(10)
    a, b = rng.integers(1, 11, 25).astype(float), rng.integers(1, 11, 25).astype(float)
    iv, p = paired_difference(a, np.ones(25), b, np.ones(25))
    ref = sps.ttest_rel(a, b)
    ci = ref.confidence_interval(0.95)
    assert (iv.estimate, iv.low, iv.high, p) == (
        pytest.approx((a - b).mean()),
        pytest.approx(ci.low),
        pytest.approx(ci.high),
        pytest.approx(ref.pvalue),
    )
    same, p_same = paired_difference(a, np.ones(25), a + 1, np.ones(25))
    assert (same.estimate, same.low, p_same, same.scheme) == (
        -1.0,
        None,
        None,
        "none (no spread)",
    )  # no spread: no test


def test_compare_gives_the_reference_numbers():
    qs = _questions(40)
    rng = np.random.default_rng(6)
    obs = []
    for (_, qid), q in qs.items():
        base = float(rng.integers(3, 9))
        drop = 2 if (q.lang, q.category) == ("km", "math-reasoning") else 0  # a real regression in one cell
        obs.append(
            Obs(
                model="new",
                judge="j",
                bench="b",
                question_id=qid,
                turn=1,
                score=float(np.clip(base - drop + rng.integers(-1, 2), 1, 10)),
            )
        )
        obs.append(Obs(model="old", judge="j", bench="b", question_id=qid, turn=1, score=base))
    cells = compare(obs, qs, "new", "old", "j", Settings())
    first = cells[0]
    assert (first.lang, first.category, first.significant) == ("km", "math-reasoning", True) and first.diff < 0
    # The same numbers from scipy, and Holm by hand over the cells reported.
    new = {o.question_id: o.score for o in obs if o.model == "new"}
    old = {o.question_id: o.score for o in obs if o.model == "old"}
    ids = [qid for (_, qid), q in qs.items() if (q.lang, q.category) == ("km", "math-reasoning")]
    d = np.array([new[i] - old[i] for i in ids])
    assert first.diff == pytest.approx(d.mean()) and first.n == 40
    assert first.p == pytest.approx(sps.ttest_1samp(d, 0).pvalue)
    ps = [c.p for c in cells]
    assert [c.p_adj for c in cells] == pytest.approx(holm(ps))
    assert first.ci_low < first.diff < first.ci_high < 0
    assert len(cells) == 9  # 2 × 2 cells, 2 + 2 margins, overall
    assert not any(c.underpowered for c in cells)
    small = compare(obs, qs, "new", "old", "j", Settings(rounds=200), min_n=50)
    assert all(c.underpowered == (c.n < 50) for c in small)


def test_bradley_terry_matches_logistic_regression():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(8)
    strength = {"a": 1.0, "b": 0.3, "c": -0.2, "d": -1.1}
    models = list(strength)
    results = []
    for k in range(600):
        x, y = rng.choice(models, 2, replace=False)
        p = 1 / (1 + math.exp(strength[y] - strength[x]))
        results.append(
            Outcome(
                judge="j",
                bench="b",
                question_id=str(k),
                turn=1,
                model_a=x,
                model_b=y,
                winner="A" if rng.random() < p else "B",
            )
        )
    ratings = {r.model: r.rating for r in bradley_terry_ratings(results, None, Settings(rounds=100))}
    # The reference: logistic regression on +1/−1 design rows, no intercept, no penalty, and the prior's one virtual
    # tie between every two models as a half-weight win and a half-weight loss.
    rows, labels, weights = [], [], []
    pairs = [(x, y, label, 0.5) for i, x in enumerate(models) for y in models[i + 1 :] for label in (1, 0)]
    for x, y, label, weight in [(o.model_a, o.model_b, 1 if o.winner == "A" else 0, 1.0) for o in results] + pairs:
        row = np.zeros(len(models))
        row[models.index(x)], row[models.index(y)] = 1, -1
        rows.append(row)
        labels.append(label)
        weights.append(weight)
    fit = LogisticRegression(fit_intercept=False, C=np.inf, tol=1e-10, max_iter=10000)
    coef = fit.fit(np.array(rows), labels, sample_weight=weights).coef_[0]
    ref = 1000 + 400 / math.log(10) * (coef - coef.mean())
    assert [ratings[m] for m in models] == pytest.approx(list(ref), abs=0.5)


def test_a_model_that_never_wins_gets_a_finite_flagged_rating_with_a_real_interval():
    results = []
    for k in range(30):
        results += [
            Outcome(judge="j", bench="b", question_id=str(k), turn=1, model_a="a", model_b="loser", winner="A"),
            Outcome(judge="j", bench="b", question_id=str(k), turn=1, model_a="b", model_b="loser", winner="A"),
            Outcome(
                judge="j", bench="b", question_id=str(k), turn=1, model_a="a", model_b="b", winner="A" if k % 3 else "B"
            ),
        ]
    rows = {r.model: r for r in bradley_terry_ratings(results, None, Settings(rounds=300))}
    loser = rows["loser"]
    assert loser.note == "never won" and rows["a"].note is None
    assert -1000 < loser.rating < rows["b"].rating and loser.ci_low < loser.rating < loser.ci_high


def test_weighted_replicate_statistics_match_the_references_at_unit_weights():
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(11)
    x = rng.integers(1, 11, 40).astype(float)
    y = np.clip(x + rng.integers(-2, 3, 40), 1, 10)
    ones = np.ones((1, 40))
    assert _weighted_spearman(x, y, ones)[0] == pytest.approx(sps.spearmanr(x, y).statistic)
    assert _weighted_kappa(x - 1, y - 1, ones, 10, quadratic=True)[0] == pytest.approx(
        cohen_kappa_score(x, y, weights="quadratic", labels=list(range(1, 11)))
    )
    data = np.stack([x, y, np.clip(x + 1, 1, 10)])
    data[2, :6] = np.nan
    assert _weighted_alpha(data.T, ones)[0] == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="interval")
    )
    # a weight of 2 is the same as the row twice
    twice = np.ones((1, 40))
    twice[0, 0] = 2
    xx, yy = np.append(x, x[0]), np.append(y, y[0])
    assert _weighted_spearman(x, y, twice)[0] == pytest.approx(sps.spearmanr(xx, yy).statistic)


def test_rounding_for_kappa_is_half_up():
    assert list(half_up(np.array([8.5, 7.5, 7.49, 0.2, 10.6]))) == [9, 8, 7, 1, 10]


def test_agreement_matches_scipy_sklearn_and_krippendorff():
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    qs = _questions(15, ("th",), ("safety",))
    rng = np.random.default_rng(9)
    judgments, ratings = [], []
    truth = {}
    for _, qid in qs:
        truth[qid] = int(rng.integers(1, 11))
        judgments.append(
            Judgment(
                key=qid,
                kind="single",
                judge="j",
                prompt="p",
                bench="b",
                question_id=qid,
                turn=1,
                model="m",
                score=float(np.clip(truth[qid] + rng.integers(-1, 2), 1, 10)),
                judgment="x",
            )
        )
        for ann in ("ann1", "ann2", "ann3"):
            ratings.append(
                Rating(
                    annotator=ann,
                    bench="b",
                    question_id=qid,
                    turn=1,
                    model="m",
                    score=float(np.clip(truth[qid] + rng.integers(-2, 3), 1, 10)),
                )
            )
    rows = agreement(judgments, ratings, [], qs, Settings(rounds=300))
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
    assert jh.spearman_low < jh.spearman < jh.spearman_high and jh.kappa_low < jh.kappa < jh.kappa_high
    assert jh.items == 15  # three ratings of one answer are resampled together
    score = {(r.annotator, r.question_id): r.score for r in ratings}
    pairs = [(r.a, r.b) for r in rows if r.kind == "annotator-annotator" and r.lang == ALL and r.category == ALL]
    assert pairs == [("ann1", "ann2"), ("ann1", "ann3"), ("ann2", "ann3")]  # named, one row per pair
    one = next(
        r
        for r in rows
        if r.kind == "annotator-annotator" and (r.a, r.b) == ("ann1", "ann3") and r.lang == ALL and r.category == ALL
    )
    a1, a3 = [score["ann1", qid] for _, qid in qs], [score["ann3", qid] for _, qid in qs]
    assert one.n == 15 and one.kappa == pytest.approx(
        cohen_kappa_score(a1, a3, weights="quadratic", labels=list(range(1, 11)))
    )
    panel = next(r for r in rows if r.kind == "annotator panel" and r.lang == ALL and r.category == ALL)
    matrix = np.array([[score[a, qid] for (_, qid) in qs] for a in ("ann1", "ann2", "ann3")])
    assert panel.alpha == pytest.approx(krippendorff.alpha(reliability_data=matrix, level_of_measurement="interval"))
    assert panel.a == "ann1, ann2, ann3" and panel.alpha_low < panel.alpha < panel.alpha_high


def test_pairwise_agreement_with_humans():
    from sklearn.metrics import cohen_kappa_score

    qs = _questions(10, ("vi",), ("safety",))
    judge = [
        Outcome(judge="j", bench="b", question_id=qid, turn=1, model_a="x", model_b="y", winner=w)
        for (_, qid), w in zip(qs, ["A", "A", "B", "B", "A", "tie", "A", "B", "tie", "B"])
    ]
    human = [
        Outcome(
            judge="human",
            bench="b",
            question_id=o.question_id,
            turn=1,
            model_a="y",
            model_b="x",  # the other way round
            winner={"A": "B", "B": "A", "tie": "tie"}[o.winner] if i % 3 else "A",
        )
        for i, o in enumerate(judge)
    ]
    rows = agreement([], [], judge + human, qs, Settings(rounds=200))
    (row,) = [r for r in rows if r.lang == ALL and r.category == ALL]
    jw = [o.winner for o in judge]
    hw = [{"A": "B", "B": "A", "tie": "tie"}[o.winner] for o in human]  # in the judge's orientation
    assert row.exact == pytest.approx(np.mean([a == b for a, b in zip(jw, hw)]))
    assert row.kappa == pytest.approx(cohen_kappa_score(jw, hw))


def test_pairwise_judge_samples_take_the_majority_and_annotators_are_compared_by_name():
    qs = _questions(4, ("vi",), ("safety",))
    ids = [qid for _, qid in qs]
    judge = []
    for qid in ids:  # three samples: A, A, B → A
        judge += [
            Outcome(judge="j", bench="b", question_id=qid, turn=1, model_a="x", model_b="y", winner=w, sample=s)
            for s, w in enumerate("AAB")
        ]
    human = [
        Outcome(judge="human", bench="b", question_id=qid, turn=1, model_a="x", model_b="y", winner=w, annotator=ann)
        for qid in ids
        for ann, w in (("ana", "A"), ("ben", "A" if qid != ids[0] else "B"))
    ]
    rows = agreement([], [], judge + human, qs, Settings(rounds=100))
    jh = next(r for r in rows if r.kind == "pairwise judge-human" and r.lang == ALL and r.category == ALL)
    assert jh.n == 8 and jh.exact == pytest.approx(7 / 8)  # the majority A, not the last sample B
    aa = next(r for r in rows if r.kind == "pairwise annotator-annotator" and r.lang == ALL and r.category == ALL)
    assert (aa.a, aa.b, aa.n, aa.exact) == ("ana", "ben", 4, pytest.approx(3 / 4))


def test_ranks_respect_intervals():
    qs = _questions(20, ("th",), ("safety",))
    rng = np.random.default_rng(12)
    obs = []
    for (_, qid), _q in qs.items():
        for model, mean in (("top", 8.0), ("close", 7.8), ("low", 3.0)):
            obs.append(
                Obs(
                    model=model,
                    judge="j",
                    bench="b",
                    question_id=qid,
                    turn=1,
                    score=float(np.clip(round(mean + rng.normal(0, 1)), 1, 10)),
                )
            )
    _, leaders = single_scores(obs, qs, Settings())
    rank = {r.model: r.rank for r in leaders}
    assert rank == {"top": 1, "close": 1, "low": 3}  # top and close cannot be told apart; both are surely above low
