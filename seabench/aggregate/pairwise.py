"""Pairwise results: both orders combined, win rates per language × category × opponent, Bradley–Terry ratings."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from ..records import Judgment, PairCell, PairOutcome, PairRating, Question, RatingRow, Winner
from ..stats import ELO_SCALE, bradley_terry, cluster_weights, percentile_interval, ratio_mean, rng_for
from .common import ALL, HUMAN, Clusters, Settings, cells, num, order, per_cluster

VALUE = {"A": 1.0, "B": 0.0, "tie": 0.5}


def pair_outcomes(judgments: list[Judgment]) -> list[PairOutcome]:
    """Pair each game with its swapped twin. Disagreement between the orders is a tie, and is counted."""
    games: dict[tuple, dict[tuple[str, str], Judgment]] = defaultdict(dict)
    for j in judgments:
        if j.kind != "pairwise" or j.model_b is None:
            continue
        first, second = sorted((j.model, j.model_b))
        games[(j.judge, j.bench, j.question_id, j.turn, first, second, j.sample)][(j.model, j.model_b)] = j
    out = []
    for (judge, bench, qid, turn, a, b, sample), both in sorted(games.items()):
        g1, g2 = both.get((a, b)), both.get((b, a))
        # Each game's positional winner, said in names: in g2, position A shows model b.
        w1 = None if g1 is None or g1.winner is None else {"A": a, "B": b, "tie": "tie"}[g1.winner]
        w2 = None if g2 is None or g2.winner is None else {"A": b, "B": a, "tie": "tie"}[g2.winner]
        winner: Winner | None
        if w1 is None or w2 is None:
            winner, inconsistent = None, False
        elif w1 == w2:
            winner, inconsistent = ("A" if w1 == a else "B" if w1 == b else "tie"), False
        else:
            winner, inconsistent = "tie", True
        out.append(
            PairOutcome(
                judge=judge,
                bench=bench,
                question_id=qid,
                turn=turn,
                model_a=a,
                model_b=b,
                sample=sample,
                winner=winner,
                inconsistent=inconsistent,
            )
        )
    return out


def outcomes(judge_outcomes: Iterable[PairOutcome], pair_ratings: Iterable[PairRating] = ()) -> list[PairOutcome]:
    """A judge's combined games and the annotators' choices, as one kind of record."""
    return [
        *judge_outcomes,
        *(
            PairOutcome(
                judge=HUMAN,
                bench=p.bench,
                question_id=p.question_id,
                turn=p.turn,
                model_a=p.model_a,
                model_b=p.model_b,
                winner=p.winner,
                annotator=p.annotator,
            )
            for p in pair_ratings
        ),
    ]


def pairwise(
    results: list[PairOutcome], questions: dict[tuple[str, str], Question], settings: Settings = Settings()
) -> tuple[list[PairCell], list[RatingRow]]:
    per: dict[tuple[str, str], list[tuple[PairOutcome, str, float]]] = defaultdict(list)
    for o in results:
        value = math.nan if o.winner is None else VALUE[o.winner]
        per[o.judge, o.model_a].append((o, o.model_b, value))
        per[o.judge, o.model_b].append((o, o.model_a, 1 - value))
    cells_out: list[PairCell] = []
    for (judge, model), rows in sorted(per.items()):
        cells_out += _one_model(judge, model, rows, questions, settings)
    ratings: list[RatingRow] = []
    for judge in sorted({o.judge for o in results}):
        ratings += bradley_terry_ratings([o for o in results if o.judge == judge], questions, settings)
    cells_out.sort(
        key=lambda c: (c.judge, c.model, c.opponent == ALL, c.opponent, order(c.lang), c.category == ALL, c.category)
    )
    return cells_out, ratings


def _one_model(
    judge: str,
    model: str,
    rows: list[tuple[PairOutcome, str, float]],
    questions: dict[tuple[str, str], Question],
    settings: Settings,
) -> list[PairCell]:
    clusters = Clusters(questions)
    located = [(i, o, opp, v) for o, opp, v in rows if (i := clusters.of(o.bench, o.question_id)) is not None]
    if not located:
        return []
    qs = clusters.questions
    cluster = np.array([r[0] for r in located])
    lang = np.array([qs[r[0]].lang for r in located], dtype=object)
    cat = np.array([qs[r[0]].category for r in located], dtype=object)
    opp = np.array([r[2] for r in located], dtype=object)
    value = np.array([r[3] for r in located])
    inconsistent = np.array([r[1].inconsistent for r in located])
    scored = ~np.isnan(value)
    values, weights = np.where(scored, value, 0.0), scored.astype(float)
    strata = clusters.strata_array()
    out = []
    for (ov, lv, cv), mask in cells(opp, lang, cat):
        s, c = per_cluster(cluster[mask], values[mask], weights[mask], len(qs))
        iv = ratio_mean(
            s, c, None if lv != ALL and cv != ALL else strata, confidence=settings.confidence, bounds=(0.0, 1.0)
        )
        v = value[mask]
        out.append(
            PairCell(
                model=model,
                opponent=ov,
                judge=judge,
                lang=lv,
                category=cv,
                n=int(c.sum()),
                questions=iv.clusters,
                wins=int((v == 1).sum()),
                ties=int((v == 0.5).sum()),
                losses=int((v == 0).sum()),
                adjusted=num(iv.estimate),
                ci_low=num(iv.low),
                ci_high=num(iv.high),
                inconsistent=int(inconsistent[mask].sum()),
                unscored=int((mask & ~scored).sum()),
                scheme=iv.scheme,
            )
        )
    return out


PRIOR_TIES = 1.0
"""Virtual tied games between every two models: keeps a model that never won (or never lost) finite."""


def bradley_terry_ratings(
    results: list[PairOutcome],
    questions: dict[tuple[str, str], Question] | None = None,
    settings: Settings = Settings(),
) -> list[RatingRow]:
    """Elo-scale Bradley–Terry ratings with intervals from resampling questions; only with three or more models."""
    scored = [o for o in results if o.winner is not None]
    models = sorted({o.model_a for o in scored} | {o.model_b for o in scored})
    if len(models) < 3:
        return []
    index = {m: i for i, m in enumerate(models)}
    a = np.array([index[o.model_a] for o in scored])
    b = np.array([index[o.model_b] for o in scored])
    v = np.array([VALUE[o.winner] for o in scored])  # type: ignore[index]
    k = len(models)
    prior = PRIOR_TIES / 2 * (np.ones((k, k)) - np.eye(k))

    def fit(weights: np.ndarray) -> np.ndarray:
        wins = prior.copy()
        np.add.at(wins, (a, b), weights * v)
        np.add.at(wins, (b, a), weights * (1 - v))
        return 1000 + ELO_SCALE * bradley_terry(wins)

    point = fit(np.ones(len(v)))
    judge = scored[0].judge
    rng = rng_for(settings.seed, "bt", judge)
    question = np.array([f"{o.bench}\x00{o.question_id}" for o in scored], dtype=object)
    weights = cluster_weights(question, rounds=settings.rounds, rng=rng)
    reps = np.stack([fit(w) for w in weights], axis=1)
    low, high = percentile_interval(reps, settings.confidence)
    games = np.bincount(np.concatenate([a, b]), minlength=k)
    won = np.bincount(a, weights=v, minlength=k) + np.bincount(b, weights=1 - v, minlength=k)
    lost = games - won
    rows = []
    for i, m in enumerate(models):
        note = "never won" if won[i] == 0 else "never lost" if lost[i] == 0 else None
        rows.append(
            RatingRow(
                model=m,
                judge=judge,
                rating=float(point[i]),
                ci_low=float(low[i]),
                ci_high=float(high[i]),
                games=int(games[i]),
                note=note,
            )
        )
    return sorted(rows, key=lambda r: -r.rating)
