"""1–10 scores: pooled means per model × judge × language × category × turn, with `all` margins and intervals."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from ..records import Judgment, LeaderRow, Question, Rating, Record, ScoreCell
from ..stats import bounded_mean, satterthwaite, t_interval
from .common import ALL, HUMAN, Clusters, Settings, cells, num, order, per_cluster

SCALE = (1.0, 10.0)


class Obs(Record):
    """One score observation: a single judgment, or one annotator's rating."""

    model: str
    judge: str
    bench: str
    question_id: str
    turn: int
    score: float | None
    """None when the judgment is unscored: counted, never averaged."""
    sample: str = "0"
    """Which of an item's judgments this is: the judge's sample number, or the annotator's name; `compare` pairs two
    models' observations on (question, turn, sample)."""


def observations(judgments: Iterable[Judgment], ratings: Iterable[Rating] = ()) -> list[Obs]:
    out = [
        Obs(
            model=j.model,
            judge=j.judge,
            bench=j.bench,
            question_id=j.question_id,
            turn=j.turn,
            score=j.score,
            sample=str(j.sample),
        )
        for j in judgments
        if j.kind == "single"
    ]
    out += [
        Obs(
            model=r.model,
            judge=HUMAN,
            bench=r.bench,
            question_id=r.question_id,
            turn=r.turn,
            score=r.score,
            sample=r.annotator,
        )
        for r in ratings
    ]
    return out


def single_scores(
    obs: list[Obs], questions: dict[tuple[str, str], Question], settings: Settings = Settings()
) -> tuple[list[ScoreCell], list[LeaderRow]]:
    groups: dict[tuple[str, str], list[Obs]] = defaultdict(list)
    for o in obs:
        groups[o.model, o.judge].append(o)
    cells_out: list[ScoreCell] = []
    leaders: list[LeaderRow] = []
    for (model, judge), group in sorted(groups.items()):
        cells, leader = _one_model(model, judge, group, questions, settings)
        cells_out += cells
        if leader:
            leaders.append(leader)
    cells_out.sort(key=lambda c: (c.judge, c.model, order(c.lang), c.category == ALL, c.category, c.turn))
    leaders = [r.model_copy(update={"rank": _rank(r, [o for o in leaders if o.judge == r.judge])}) for r in leaders]
    leaders.sort(key=lambda r: (r.judge, r.rank is None, r.rank or 0, -(r.mean if r.mean is not None else -1)))
    return cells_out, leaders


HARMFUL, HARMLESS = "safety: harmful", "safety: harmless"


def safety_split(
    obs: list[Obs], questions: dict[tuple[str, str], Question], settings: Settings = Settings()
) -> list[ScoreCell]:
    """Safety scores kept apart for the requests to decline and those that only sound risky (tagged `harmless`), per
    model, judge and language: refusing everything earns the first and loses the second. Empty without such tags."""
    safety = {
        k: q.model_copy(update={"category": HARMLESS if "harmless" in q.tags else HARMFUL})
        for k, q in questions.items()
        if q.category == "safety"
    }
    if not any(q.category == HARMLESS for q in safety.values()):
        return []
    found, _ = single_scores([o for o in obs if (o.bench, o.question_id) in safety], safety, settings)
    return [c for c in found if c.category != ALL and c.turn == ALL]


def _rank(row: LeaderRow, rivals: list[LeaderRow]) -> int | None:
    """1 + rivals surely better: their lower bound above this one's upper bound (or, without intervals, a higher
    mean). None for a model with no scored judgment: n = 0 is no result, and ranks nothing."""
    top = row.ci_high if row.ci_high is not None else row.mean
    if top is None:
        return None
    return 1 + sum(1 for o in rivals if o is not row and (o.ci_low if o.ci_low is not None else o.mean or -1) > top)


def _one_model(
    model: str, judge: str, obs: list[Obs], questions: dict[tuple[str, str], Question], settings: Settings
) -> tuple[list[ScoreCell], LeaderRow | None]:
    clusters = Clusters(questions)
    rows = [(i, o) for o in obs if (i := clusters.of(o.bench, o.question_id)) is not None]
    if not rows:
        return [], None
    qs = clusters.questions
    cluster = np.array([c for c, _ in rows])
    lang = np.array([qs[c].lang for c, _ in rows], dtype=object)
    cat = np.array([qs[c].category for c, _ in rows], dtype=object)
    turn = np.array([str(o.turn) for _, o in rows], dtype=object)
    score = np.array([math.nan if o.score is None else o.score for _, o in rows])
    scored = ~np.isnan(score)
    values, weights = np.where(scored, score, 0.0), scored.astype(float)
    strata = clusters.strata_array()
    out: dict[tuple[str, str, str], ScoreCell] = {}
    variances: dict[tuple[str, str, str], tuple[float | None, float | None]] = {}
    for (lv, cv, tv), mask in cells(lang, cat, turn):
        s, c = per_cluster(cluster[mask], values[mask], weights[mask], len(qs))
        leaf = lv != ALL and cv != ALL
        iv = bounded_mean(s, c, None if leaf else strata, confidence=settings.confidence, bounds=SCALE)
        variances[lv, cv, tv] = (iv.variance, iv.df)
        out[lv, cv, tv] = ScoreCell(
            model=model,
            judge=judge,
            lang=lv,
            category=cv,
            turn=tv,
            n=int(c.sum()),
            questions=iv.clusters,
            mean=num(iv.estimate),
            ci_low=num(iv.low),
            ci_high=num(iv.high),
            unscored=int((mask & ~scored).sum()),
            scheme=iv.scheme,
            low_n=iv.clusters < settings.min_n,
        )
    total = out[ALL, ALL, ALL]
    t1, t2 = out.get((ALL, ALL, "1")), out.get((ALL, ALL, "2"))
    both = [c.mean for c in (t1, t2) if c is not None and c.mean is not None]
    means = {k: c.mean for k, c in out.items() if k[1] == ALL and k[2] == ALL and k[0] != ALL and c.mean is not None}
    macro = macro_low = macro_high = None
    if means:
        macro = float(np.mean(list(means.values())))
        var = [variances[k] for k in means]
        known = [(v, d) for v, d in var if v is not None and d is not None]
        if len(known) == len(var):
            total_var = sum(v for v, _ in known) / len(means) ** 2  # languages hold disjoint questions
            df = satterthwaite([v for v, _ in known], [d for _, d in known])
            macro_low, macro_high = t_interval(macro, total_var, df, settings.confidence, SCALE)
    leader = LeaderRow(
        model=model,
        judge=judge,
        n=total.n,
        questions=total.questions,
        mean=total.mean,
        ci_low=total.ci_low,
        ci_high=total.ci_high,
        turn1=t1.mean if t1 else None,
        turn2=t2.mean if t2 else None,
        seabench_avg=sum(both) / len(both) if both else None,
        macro_lang=macro,
        macro_low=macro_low,
        macro_high=macro_high,
        languages=len(means),
        unscored=total.unscored,
    )
    return list(out.values()), leader
