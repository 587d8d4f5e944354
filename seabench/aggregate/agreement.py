"""Agreement: judge vs human, judge vs judge and annotator vs annotator, on scores and on pairwise choices, with
intervals. Where LLM judges disagree is where human ratings matter most.

Intervals resample items (an answer, or a pairwise item) with replacement, carrying every rating of the item; the
statistics are recomputed per replicate from weighted counts, so 1,000 rounds cost little.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict

import numpy as np

from ..records import AgreementRow, JudgeChoice, Judgment, PairOutcome, Question, Rating
from ..stats import cluster_weights, cohen_kappa, krippendorff_interval, percentile_interval, quadratic_kappa, rng_for
from .common import ALL, HUMAN, Settings, margins, num, order

LABELS = np.arange(1, 11)
ROUNDING = (
    "1–10 scores are rounded half up (8.5 → 9) for kappa, exact and ±1; Spearman, Kendall and α use them as given"
)


def half_up(x: np.ndarray) -> np.ndarray:
    return np.clip(np.floor(np.asarray(x, dtype=float) + 0.5), 1, 10)


def agreement(
    judgments: list[Judgment],
    ratings: list[Rating],
    results: list[PairOutcome],
    questions: dict[tuple[str, str], Question],
    settings: Settings = Settings(),
) -> list[AgreementRow]:
    judge_scores: dict[str, dict[tuple, list[float]]] = defaultdict(lambda: defaultdict(list))
    for j in judgments:
        if j.kind == "single" and j.score is not None:
            judge_scores[j.judge][(j.bench, j.question_id, j.turn, j.model)].append(j.score)
    human: dict[tuple, dict[str, float]] = defaultdict(dict)
    for r in ratings:
        human[(r.bench, r.question_id, r.turn, r.model)][r.annotator] = r.score
    annotators = sorted({r.annotator for r in ratings})

    def cells_of(item: tuple) -> list[tuple[str, str]]:
        q = questions.get(item[:2])
        return margins(q.lang, q.category) if q else []

    rows: list[AgreementRow] = []
    for judge, scores in sorted(judge_scores.items()):
        groups: dict[tuple, list[tuple[tuple, float, float]]] = defaultdict(list)
        for item, by_annotator in human.items():
            if item in scores:
                js = float(np.mean(scores[item]))  # the judge's samples of one item pooled
                for cell in cells_of(item):
                    groups[cell] += [(item, js, h) for h in by_annotator.values()]
        rows += [
            _score_row("judge-human", judge, HUMAN, cell, triples, settings)
            for cell, triples in sorted(groups.items(), key=_cell_key)
        ]
    for j1, j2 in itertools.combinations(sorted(judge_scores), 2):
        groups = defaultdict(list)
        for item, first in judge_scores[j1].items():
            if item in judge_scores[j2]:
                for cell in cells_of(item):
                    groups[cell].append((item, float(np.mean(first)), float(np.mean(judge_scores[j2][item]))))
        rows += [
            _score_row("judge-judge", j1, j2, cell, triples, settings)
            for cell, triples in sorted(groups.items(), key=_cell_key)
        ]
    for a1, a2 in itertools.combinations(annotators, 2):
        groups = defaultdict(list)
        for item, by in human.items():
            if a1 in by and a2 in by:
                for cell in cells_of(item):
                    groups[cell].append((item, by[a1], by[a2]))
        rows += [
            _score_row("annotator-annotator", a1, a2, cell, triples, settings, with_alpha=True)
            for cell, triples in sorted(groups.items(), key=_cell_key)
        ]
    if len(annotators) >= 3:
        units: dict[tuple, list[tuple]] = defaultdict(list)
        for item, by in human.items():
            if len(by) >= 2:
                for cell in cells_of(item):
                    units[cell].append(item)
        for cell, items in sorted(units.items(), key=_cell_key):
            matrix = np.array([[human[item].get(a, np.nan) for item in items] for a in annotators], dtype=float)
            alpha, low, high = _alpha_with_interval(matrix, settings, ("panel", *cell))
            rows.append(
                AgreementRow(
                    kind="annotator panel",
                    a=", ".join(annotators),
                    b="",
                    lang=cell[0],
                    category=cell[1],
                    n=len(items),
                    items=len(items),
                    alpha=alpha,
                    alpha_low=low,
                    alpha_high=high,
                )
            )
    rows += _pair_agreement(results, questions, settings)
    return rows


def _cell_key(kv: tuple[tuple[str, str], object]) -> tuple:
    (lang, cat), _ = kv
    return (order(lang), cat == ALL, cat)


def _score_row(
    kind: str,
    a: str,
    b: str,
    cell: tuple[str, str],
    triples: list[tuple[tuple, float, float]],
    settings: Settings,
    with_alpha: bool = False,
) -> AgreementRow:
    from scipy.stats import kendalltau, spearmanr

    items = np.array(["\x00".join(map(str, t[0])) for t in triples], dtype=object)
    x, y = np.array([t[1] for t in triples]), np.array([t[2] for t in triples])
    xr, yr = half_up(x), half_up(y)
    n = len(triples)
    varied = n >= 2 and np.ptp(x) > 0 and np.ptp(y) > 0
    spearman = num(spearmanr(x, y).statistic) if varied else None
    kappa = num(quadratic_kappa(xr, yr, LABELS)) if n >= 2 else None
    alpha = num(krippendorff_interval(np.stack([x, y]))) if with_alpha and n >= 2 else None
    bounds: dict[str, tuple[float | None, float | None]] = {}
    n_items = len(set(items))
    if n_items >= 2:
        w = cluster_weights(items, rounds=settings.rounds, rng=rng_for(settings.seed, "agreement", kind, a, b, *cell))
        if spearman is not None:
            bounds["spearman"] = _interval(_weighted_spearman(x, y, w), settings)
        if kappa is not None:
            bounds["kappa"] = _interval(_weighted_kappa(xr - 1, yr - 1, w, len(LABELS), quadratic=True), settings)
        if alpha is not None:
            bounds["alpha"] = _interval(_weighted_alpha(np.stack([x, y], axis=1), w), settings)
    return AgreementRow(
        kind=kind,  # type: ignore[arg-type]
        a=a,
        b=b,
        lang=cell[0],
        category=cell[1],
        n=n,
        items=n_items,
        spearman=spearman,
        spearman_low=bounds.get("spearman", (None, None))[0],
        spearman_high=bounds.get("spearman", (None, None))[1],
        kendall=num(kendalltau(x, y).statistic) if varied else None,
        kappa=kappa,
        kappa_low=bounds.get("kappa", (None, None))[0],
        kappa_high=bounds.get("kappa", (None, None))[1],
        exact=float(np.mean(xr == yr)),
        within_one=float(np.mean(np.abs(xr - yr) <= 1)),
        alpha=alpha,
        alpha_low=bounds.get("alpha", (None, None))[0],
        alpha_high=bounds.get("alpha", (None, None))[1],
    )


def _interval(replicates: np.ndarray, settings: Settings) -> tuple[float | None, float | None]:
    low, high = percentile_interval(replicates[None, :], settings.confidence)
    return num(low[0]), num(high[0])


def _weighted_ranks(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Mid-ranks of every row under each replicate's weights (rounds × rows)."""
    values, code = np.unique(x, return_inverse=True)
    onehot = np.zeros((len(x), len(values)))
    onehot[np.arange(len(x)), code.ravel()] = 1
    per_value = w @ onehot
    below = np.cumsum(per_value, axis=1) - per_value
    rank = below + (per_value + 1) / 2
    return rank[:, code.ravel()]


def _weighted_pearson(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    total = w.sum(axis=1, keepdims=True)
    mx, my = (w * x).sum(axis=1, keepdims=True) / total, (w * y).sum(axis=1, keepdims=True) / total
    cov = (w * (x - mx) * (y - my)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return cov / np.sqrt((w * (x - mx) ** 2).sum(axis=1) * (w * (y - my) ** 2).sum(axis=1))


def _weighted_spearman(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    return _weighted_pearson(_weighted_ranks(x, w), _weighted_ranks(y, w), w)


def _weighted_kappa(a: np.ndarray, b: np.ndarray, w: np.ndarray, k: int, quadratic: bool) -> np.ndarray:
    """Cohen's kappa per replicate from weighted confusion tables; `a`, `b` are label codes 0..k-1."""
    onehot = np.zeros((len(a), k * k))
    onehot[np.arange(len(a)), (a * k + b).astype(int)] = 1
    table = (w @ onehot).reshape(-1, k, k)
    table /= table.sum(axis=(1, 2), keepdims=True)
    expected = table.sum(axis=2)[:, :, None] * table.sum(axis=1)[:, None, :]
    i, j = np.indices((k, k))
    disagree = (i - j) ** 2 / (k - 1) ** 2 if quadratic else (i != j).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1 - (disagree * table).sum(axis=(1, 2)) / (disagree * expected).sum(axis=(1, 2))


def _weighted_alpha(units: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Krippendorff's interval alpha per replicate; `units` is items × raters (NaN where missing), `w` weighs items."""
    m = (~np.isnan(units)).sum(axis=1).astype(float)
    ok = m >= 2
    v = np.where(np.isnan(units), 0.0, units)[ok]
    m, w = m[ok], w[:, ok]
    s1, s2 = v.sum(axis=1), (v**2).sum(axis=1)
    within = (2 * m * s2 - 2 * s1**2) / (m - 1)  # Σ over ordered pairs in the unit of squared differences, ÷ (m−1)
    n = w @ m
    d_o = (w @ within) / n
    d_e = (2 * n * (w @ s2) - 2 * (w @ s1) ** 2) / (n * (n - 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1 - d_o / d_e


def _alpha_with_interval(
    matrix: np.ndarray, settings: Settings, names: tuple
) -> tuple[float | None, float | None, float | None]:
    alpha = num(krippendorff_interval(matrix))
    if alpha is None or matrix.shape[1] < 2:
        return alpha, None, None
    w = cluster_weights(np.arange(matrix.shape[1]), rounds=settings.rounds, rng=rng_for(settings.seed, "alpha", *names))
    low, high = _interval(_weighted_alpha(matrix.T, w), settings)
    return alpha, low, high


# -- pairwise choices -------------------------------------------------------------------------------------------------

CHOICES = ("A", "B", "tie")


def _pair_agreement(
    results: list[PairOutcome], questions: dict[tuple[str, str], Question], settings: Settings
) -> list[AgreementRow]:
    def norm(o: PairOutcome, winner: str) -> tuple[tuple, str]:
        a, b = sorted((o.model_a, o.model_b))
        w = winner if (o.model_a, o.model_b) == (a, b) else {"A": "B", "B": "A", "tie": "tie"}[winner]
        return (o.bench, o.question_id, o.turn, a, b), w

    humans: dict[tuple, dict[str, str]] = defaultdict(dict)
    judge_samples: dict[str, dict[tuple, list[str]]] = defaultdict(lambda: defaultdict(list))
    for o in results:
        if o.winner is None:
            continue
        item, w = norm(o, o.winner)
        if o.judge == HUMAN:
            humans[item][o.annotator or f"annotator {len(humans[item]) + 1}"] = w
        else:
            judge_samples[o.judge][item].append(w)
    rows = []
    for judge, samples in sorted(judge_samples.items()):
        verdicts = {item: majority(ws) for item, ws in samples.items()}
        triples = [(item, verdicts[item], h) for item, by in humans.items() if item in verdicts for h in by.values()]
        rows += _pair_rows("pairwise judge-human", judge, HUMAN, triples, questions, settings)
    for j1, j2 in itertools.combinations(sorted(judge_samples), 2):
        first, second = ({item: majority(ws) for item, ws in judge_samples[j].items()} for j in (j1, j2))
        triples = [(item, w, second[item]) for item, w in first.items() if item in second]
        rows += _pair_rows("pairwise judge-judge", j1, j2, triples, questions, settings)
    for a1, a2 in itertools.combinations(sorted({a for by in humans.values() for a in by}), 2):
        triples = [(item, by[a1], by[a2]) for item, by in humans.items() if a1 in by and a2 in by]
        rows += _pair_rows("pairwise annotator-annotator", a1, a2, triples, questions, settings)
    return rows


def majority(verdicts: list[str]) -> str:
    """The judge's samples of one item pooled: the most common verdict, a tie when two verdicts are equally common."""
    top = Counter(verdicts).most_common()
    return top[0][0] if len(top) == 1 or top[0][1] > top[1][1] else "tie"


def _pair_rows(
    kind: str,
    a: str,
    b: str,
    triples: list[tuple[tuple, str, str]],
    questions: dict[tuple[str, str], Question],
    settings: Settings,
) -> list[AgreementRow]:
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for t in triples:
        q = questions.get(t[0][:2])
        if q:
            for cell in margins(q.lang, q.category):
                groups[cell].append(t)
    rows = []
    for cell, group in sorted(groups.items(), key=_cell_key):
        x, y = [t[1] for t in group], [t[2] for t in group]
        items = np.array(["\x00".join(map(str, t[0])) for t in group], dtype=object)
        kappa = num(cohen_kappa(x, y)) if len(group) >= 2 else None
        low = high = None
        if kappa is not None and len(set(items)) >= 2:
            code = {c: i for i, c in enumerate(CHOICES)}
            w = cluster_weights(
                items, rounds=settings.rounds, rng=rng_for(settings.seed, "pair-agreement", kind, a, b, *cell)
            )
            low, high = _interval(
                _weighted_kappa(np.array([code[v] for v in x]), np.array([code[v] for v in y]), w, 3, quadratic=False),
                settings,
            )
        rows.append(
            AgreementRow(
                kind=kind,  # type: ignore[arg-type]
                a=a,
                b=b,
                lang=cell[0],
                category=cell[1],
                n=len(group),
                items=len(set(items)),
                exact=float(np.mean([p == q for p, q in zip(x, y)])),
                kappa=kappa,
                kappa_low=low,
                kappa_high=high,
            )
        )
    return rows


def judge_choice(rows: list[AgreementRow]) -> list[JudgeChoice]:
    """Per language (all categories), the LLM judge with the highest quadratic kappa against people, and whether the
    data tell it apart from the next one."""
    by_lang: dict[str, list[AgreementRow]] = defaultdict(list)
    for r in rows:
        if r.kind == "judge-human" and r.category == ALL and r.kappa is not None:
            by_lang[r.lang].append(r)
    out = []
    for lang in sorted(by_lang, key=order):
        ranked = sorted(by_lang[lang], key=lambda r: -(r.kappa or 0.0))
        best, nxt = ranked[0], ranked[1] if len(ranked) > 1 else None
        clearly = (
            nxt is not None and best.kappa_low is not None and nxt.kappa is not None and best.kappa_low > nxt.kappa
        )
        out.append(
            JudgeChoice(
                lang=lang,
                judge=best.a,
                kappa=best.kappa,  # type: ignore[arg-type]
                kappa_low=best.kappa_low,
                kappa_high=best.kappa_high,
                n=best.n,
                runner_up=nxt.a if nxt else None,
                runner_up_kappa=nxt.kappa if nxt else None,
                clearly=clearly,
            )
        )
    return out
