"""What can sway a judge besides quality: how long each model's answers are, where in a pairwise prompt an answer
stood, and what a pairwise win rate is once the length difference is held equal. Questions are the unit, as
everywhere: intervals come from `ratio_mean` over questions (stratified by language × category on the `all` rows), or
from a bootstrap that resamples questions."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from ..records import (
    Answer,
    Judgment,
    LengthControlRow,
    LengthRow,
    PairOutcome,
    PositionRow,
    Question,
    SelfPreferenceRow,
)
from ..stats import logistic, logistic_cluster_interval, logistic_fit, ratio_mean
from .common import ALL, Settings, num
from .common import order as _order


def _interval(
    per_question: dict[tuple[str, str], list[float]],
    questions: dict[tuple[str, str], Question],
    pooled: bool,
    bounds: tuple[float, float] | None = None,
) -> tuple[float | None, float | None, float | None]:
    """(mean, low, high) of the values pooled per question; `pooled` rows are stratified by language × category."""
    keys = sorted(per_question)
    sums = np.array([sum(per_question[k]) for k in keys], dtype=float)
    counts = np.array([len(per_question[k]) for k in keys], dtype=float)
    strata = np.array(
        [f"{questions[k].lang}\x00{questions[k].category}" if pooled else questions[k].category for k in keys]
    )
    found = ratio_mean(sums, counts, strata, bounds=bounds)
    return num(found.estimate), num(found.low), num(found.high)


def answer_lengths(answers: Iterable[Answer], questions: dict[tuple[str, str], Question]) -> list[LengthRow]:
    """Mean answer length per model × language: Unicode characters (with an interval over questions), and reply
    tokens as the API or tokenizer counted them, where it did."""
    chars: dict[tuple[str, str], dict[tuple[str, str], list[float]]] = defaultdict(lambda: defaultdict(list))
    tokens: dict[tuple[str, str], list[int]] = defaultdict(list)
    for a in answers:
        q = questions.get((a.bench, a.question_id))
        if q is None:
            continue
        for cell in ((a.model, q.lang), (a.model, ALL)):
            chars[cell][(a.bench, a.question_id)].append(len(a.text))
            if a.usage.output_tokens is not None:
                tokens[cell].append(a.usage.output_tokens)
    rows = []
    for (model, lang), per_q in chars.items():
        mean, low, high = _interval(per_q, questions, lang == ALL, bounds=(0.0, math.inf))  # a length is never below 0
        counted = tokens.get((model, lang), [])
        rows.append(
            LengthRow(
                model=model,
                lang=lang,
                answers=sum(len(v) for v in per_q.values()),
                questions=len(per_q),
                chars=mean,
                chars_low=low,
                chars_high=high,
                tokens=sum(counted) / len(counted) if counted else None,
                tokens_n=len(counted),
            )
        )
    return sorted(rows, key=lambda r: (r.model, _order(r.lang)))


def position_bias(judgments: Iterable[Judgment], questions: dict[tuple[str, str], Question]) -> list[PositionRow]:
    """Per judge × language: of the items judged in both orders, the share whose verdict flips with the order (the
    judge followed the position, or called one order a tie); of the decisive verdicts, the share for the answer shown
    first (0.5 when position does not matter)."""
    games: dict[tuple, dict[tuple[str, str], str]] = defaultdict(dict)
    unscored: dict[tuple[str, str], int] = defaultdict(int)
    for j in judgments:
        if j.kind == "pairwise" and j.model_b is not None and (j.bench, j.question_id) in questions:
            if j.winner is None:  # an order without a verdict: counted, since it leaves its item out of the flips
                for cell in ((j.judge, questions[(j.bench, j.question_id)].lang), (j.judge, ALL)):
                    unscored[cell] += 1
                continue
            pair = tuple(sorted((j.model, j.model_b)))
            games[(j.judge, j.bench, j.question_id, j.turn, j.sample, pair)][(j.model, j.model_b)] = j.winner
    flips: dict[tuple[str, str], dict[tuple[str, str], list[float]]] = defaultdict(lambda: defaultdict(list))
    first: dict[tuple[str, str], dict[tuple[str, str], list[float]]] = defaultdict(lambda: defaultdict(list))
    for (judge, bench, qid, _turn, _sample, _pair), both in games.items():
        lang = questions[(bench, qid)].lang
        cells = ((judge, lang), (judge, ALL))
        for winner in both.values():
            if winner != "tie":
                for cell in cells:
                    first[cell][(bench, qid)].append(float(winner == "A"))
        if len(both) == 2:
            # In names: position A shows the first-named model of each order.
            named = {{"A": x, "B": y, "tie": "tie"}[w] for (x, y), w in both.items()}
            for cell in cells:
                flips[cell][(bench, qid)].append(float(len(named) > 1))
    rows = []
    for cell in sorted(set(flips) | set(first), key=lambda c: (c[0], _order(c[1]))):
        judge, lang = cell
        f, p = flips.get(cell, {}), first.get(cell, {})
        flip = _interval(f, questions, lang == ALL, (0.0, 1.0)) if f else (None, None, None)
        fav = _interval(p, questions, lang == ALL, (0.0, 1.0)) if p else (None, None, None)
        rows.append(
            PositionRow(
                judge=judge,
                lang=lang,
                pairs=sum(len(v) for v in f.values()),
                flip=flip[0],
                flip_low=flip[1],
                flip_high=flip[2],
                decisive=sum(len(v) for v in p.values()),
                first=fav[0],
                first_low=fav[1],
                first_high=fav[2],
                unscored=unscored.get(cell, 0),
            )
        )
    return rows


def length_controlled(
    results: Iterable[PairOutcome],
    lengths: dict[tuple[str, str, str, int], int],
    questions: dict[tuple[str, str], Question],
    settings: Settings = Settings(),
    alpacaeval: bool = True,
) -> list[LengthControlRow]:
    """Per judge, model and opponent, overall and per language: P(model preferred) = σ(θ + β·tanh(Δ/s)), Δ the two
    answers' length difference in characters and s its standard deviation in the cell; the length-controlled win rate
    is σ(θ), the preference at equal length, with a t interval from the fit's cluster-robust variance (questions as the
    unit: a percentile bootstrap over questions covered 86–93% in `benchmarks/length_control.py`, this 93.5–96%).
    `lengths`: (model, bench, question, turn) → characters. With `alpacaeval`, each `all` row also carries AlpacaEval's
    own figure (`alpacaeval_minimal`; about 40 ms a pair, so simulations leave it out)."""
    games: dict[tuple[str, str, str], list[tuple[str, tuple[str, str], float, float]]] = defaultdict(list)
    for r in results:
        if r.winner is None or r.judge == "human":
            continue
        a_len, b_len = (lengths.get((m, r.bench, r.question_id, r.turn)) for m in (r.model_a, r.model_b))
        if a_len is None or b_len is None or (r.bench, r.question_id) not in questions:
            continue
        y = {"A": 1.0, "B": 0.0, "tie": 0.5}[r.winner]
        key = (r.bench, r.question_id)
        games[(r.judge, r.model_a, r.model_b)].append((questions[key].lang, key, y, float(a_len - b_len)))
        games[(r.judge, r.model_b, r.model_a)].append((questions[key].lang, key, 1 - y, float(b_len - a_len)))
    rows = []
    fitted: dict[tuple[str, str, str], float | None] = {}
    for (judge, model, opponent), items in sorted(games.items()):
        for lang in [*sorted({i[0] for i in items}, key=_order), ALL]:
            cell = [i for i in items if lang == ALL or i[0] == lang]
            row = _length_control(judge, model, opponent, lang, cell, settings)
            if alpacaeval and lang == ALL:
                if (judge, opponent, model) in fitted:  # the same fit mirrored (its data are 1 − y and −Δ)
                    mirror = fitted[(judge, opponent, model)]
                    figure = None if mirror is None else 1 - mirror
                else:
                    figure = alpacaeval_minimal(np.array([c[2] for c in cell]), np.array([c[3] for c in cell]))
                fitted[(judge, model, opponent)] = figure
                row = row.model_copy(update={"alpacaeval": figure})
            rows.append(row)
    return rows


def alpacaeval_minimal(y: np.ndarray, delta: np.ndarray) -> float | None:
    """AlpacaEval's length-controlled win rate by its `length_controlled_minimal` GLM, computed the way alpaca-eval's
    `get_length_controlled_winrate` computes it, so the figure is the one that package gives on the same verdicts: the
    preference y (a tie ½) on tanh(Δ ÷ its sample SD) and a constant, no intercept, an L1 penalty chosen among ten by
    5-fold cross-validation grouped by verdict, liblinear, seed 123; the rate is σ(constant), the prediction at equal
    length. scikit-learn does the fit because the figure is liblinear's: an own solver would differ in the third
    decimal wherever the cross-validation picks a strong penalty. None when there are under 5 verdicts (five folds),
    when one side always won, or when every length difference is the same.
    Its model has no instruction-difficulty term and no regularisation towards gamed baselines: both are estimated on
    AlpacaEval's own 805 instructions and do not exist for another bench."""
    if len(y) < 5 or y.min() == y.max() or np.ptp(delta) == 0:
        return None
    from sklearn import config_context
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.metrics import make_scorer
    from sklearn.model_selection import GroupKFold

    n = len(y)
    # alpaca-eval's orientation: its length difference is the baseline's minus the model's (pandas' SD, ddof 1), its
    # design matrix has the length column first; kept, so that liblinear sees the same problem.
    X = np.column_stack([np.tanh(-delta / delta.std(ddof=1)), np.ones(n)])
    # A verdict p is two rows, "won" weighted p and "lost" weighted 1 − p, kept in one fold by their group.
    target = np.concatenate([np.ones(n), np.zeros(n)])
    prob = np.concatenate([y, 1 - y])
    with config_context(enable_metadata_routing=True):
        scorer = make_scorer(
            _continuous_log_loss, response_method="predict_proba", greater_is_better=False
        ).set_score_request(true_prob=True)
        model = LogisticRegressionCV(
            cv=GroupKFold(n_splits=5),
            scoring=scorer,
            random_state=123,
            dual=False,
            solver="liblinear",
            fit_intercept=False,
            **_l1_penalty(LogisticRegressionCV),
        )
        model.set_fit_request(sample_weight=True)
        model.fit(np.vstack([X, X]), target, sample_weight=prob, groups=np.tile(np.arange(n), 2), true_prob=prob)
    return float(logistic(model.coef_[0][1]))


def _l1_penalty(estimator: type) -> dict:
    """scikit-learn 1.8 renamed the L1 penalty (penalty="l1" → l1_ratios=(1,)) and drops the old name in 1.10; the
    new API is told by its parameters, not by parsing a version string ("1.10.dev0", "2.0rc1")."""
    import inspect

    if "use_legacy_attributes" in inspect.signature(estimator).parameters:
        return {"l1_ratios": (1.0,), "use_legacy_attributes": False}
    return {"penalty": "l1"}


def _continuous_log_loss(y_true: np.ndarray, y_pred: np.ndarray, true_prob: np.ndarray) -> float:
    """Cross-entropy against the verdict's probability (alpaca-eval's fold score): each of a verdict's two rows is
    scored against p, so a tie is judged by how close the prediction is to ½."""
    p = np.where(y_true == 1, true_prob, 1 - true_prob)
    q = np.clip(y_pred, 1e-15, 1 - 1e-15)
    return float(-np.mean(p * np.log(q) + (1 - p) * np.log(1 - q)))


NOISY_BELOW = 50
"""Questions under which a length-controlled win rate is flagged: its length term rests on too few questions."""


def _length_control(
    judge: str, model: str, opponent: str, lang: str, cell: list, settings: Settings
) -> LengthControlRow:
    y = np.array([c[2] for c in cell])
    delta = np.array([c[3] for c in cell])
    clusters = np.array([f"{c[1][0]}\x00{c[1][1]}" for c in cell])
    spread = delta.std()
    X = np.column_stack([np.ones(len(cell)), np.tanh(delta / spread) if spread > 0 else np.zeros(len(cell))])
    raw = float(y.mean())
    lc = low = high = coef = coef_low = coef_high = None
    if y.min() == y.max():
        lc = raw  # one side always won: the length cannot have decided anything, and there is nothing to fit
    else:
        theta, beta = logistic_fit(X, y)
        if not np.isnan(theta):
            lc, coef = float(logistic(theta)), float(beta)
            fitted = np.array([theta, beta])
            found = logistic_cluster_interval(X, y, fitted, clusters, settings.confidence)
            if found is not None:
                low, high = float(logistic(found[0])), float(logistic(found[1]))
            weight = logistic_cluster_interval(X, y, fitted, clusters, settings.confidence, coefficient=1)
            if weight is not None and spread > 0:
                coef_low, coef_high = float(weight[0]), float(weight[1])
    return LengthControlRow(
        judge=judge,
        model=model,
        opponent=opponent,
        lang=lang,
        items=len(cell),
        questions=len(set(clusters)),
        raw=raw,
        lc=lc,
        lc_low=low,
        lc_high=high,
        length_coef=coef,
        length_coef_low=coef_low,
        length_coef_high=coef_high,
        noisy=len(set(clusters)) < NOISY_BELOW,
    )


def self_preference(
    judgments: Iterable[Judgment],
    judge_family: dict[str, str],
    model_family: dict[str, str],
    questions: dict[tuple[str, str], Question],
) -> list[SelfPreferenceRow]:
    """For each LLM judge that scored models of its own family, with another judge that scored them too: its mean
    score for them against the other judges' mean on the same answers (`*_family`: stored name → family)."""
    scored = [
        j for j in judgments if j.kind == "single" and j.score is not None and (j.bench, j.question_id) in questions
    ]
    rows = []
    for judge, family in sorted(judge_family.items()):
        models = tuple(sorted({j.model for j in scored if j.judge == judge and model_family.get(j.model) == family}))
        own: dict[tuple[str, str], list[float]] = defaultdict(list)
        others: dict[tuple[str, str], list[float]] = defaultdict(list)
        # Paired: only answers this judge and another both scored, so the two means stand on the same answers.
        mine_items = {
            (j.bench, j.question_id, j.turn, j.model) for j in scored if j.judge == judge and j.model in models
        }
        their_items = {
            (j.bench, j.question_id, j.turn, j.model) for j in scored if j.judge != judge and j.model in models
        }
        both = mine_items & their_items
        for j in scored:
            if (j.bench, j.question_id, j.turn, j.model) in both:
                (own if j.judge == judge else others)[(j.bench, j.question_id)].append(float(j.score))  # type: ignore[arg-type]
        if not models or not others:
            continue
        mine, theirs = _interval(own, questions, True), _interval(others, questions, True)
        rows.append(
            SelfPreferenceRow(
                judge=judge,
                family=family,
                models=models,
                own=mine[0],
                own_low=mine[1],
                own_high=mine[2],
                others=theirs[0],
                others_low=theirs[1],
                others_high=theirs[2],
                n=sum(len(v) for v in own.values()),
            )
        )
    return rows
