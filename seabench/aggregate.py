"""Stage 3: pure, seeded statistics over stored judgments and ratings, returned as records.

Every mean comes with its n and a bootstrap interval; unscored judgments are left out and counted; repeated
samples of an item are pooled (so an imported FastChat run gives exactly FastChat's means) while the bootstrap
resamples whole items. DataFrames stay inside this module.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import defaultdict
from typing import Iterable, Literal

import numpy as np
from scipy import sparse

from .judging.llm import PairOutcome as Outcome
from .languages import lang_sort_key
from .records import Judgment, PairRating, Question, Rating, Record
from .stats import (
    ELO_SCALE, bootstrap_ratio, bradley_terry, cohen_kappa, holm, krippendorff_interval, paired_bootstrap,
    percentile_interval, quadratic_kappa, rng_for, wilcoxon_p,
)

ALL = "all"
HUMAN = "human"


class Settings(Record):
    rounds: int = 1000
    seed: int = 0
    confidence: float = 0.95


class ScoreCell(Record):
    """Mean 1–10 score of one model under one judge in one language × category × turn cell (or an `all` margin)."""

    model: str
    judge: str
    """The judge's name, or `human` for imported ratings."""
    lang: str
    category: str
    turn: str
    """`1`, `2` or `all`."""
    n: int
    """Scored judgments averaged (every sample and every annotator of an item counts)."""
    items: int
    """Distinct answers behind them; the bootstrap resamples these."""
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    unscored: int


class LeaderRow(Record):
    model: str
    judge: str
    n: int
    mean: float | None
    """Pooled over every scored judgment."""
    ci_low: float | None
    ci_high: float | None
    turn1: float | None
    turn2: float | None
    seabench_avg: float | None
    """SeaBench v2's overall figure: (mean of turn 1 + mean of turn 2) / 2."""
    macro_lang: float | None
    """Mean of the per-language means, so a language with more questions does not dominate."""
    macro_low: float | None
    macro_high: float | None
    languages: int
    unscored: int


class PairCell(Record):
    model: str
    opponent: str
    """Another model, or `all` (every opponent pooled)."""
    judge: str
    lang: str
    category: str
    n: int
    wins: int
    ties: int
    losses: int
    adjusted: float | None
    """(wins + ½ ties) / n."""
    ci_low: float | None
    ci_high: float | None
    inconsistent: int
    """Items whose two orders disagreed (counted as ties)."""
    unscored: int


class RatingRow(Record):
    """Bradley–Terry rating on the Elo scale (mean 1000), from pairwise outcomes."""

    model: str
    judge: str
    rating: float
    ci_low: float
    ci_high: float
    games: int


class CompareCell(Record):
    lang: str
    category: str
    n: int
    """Items scored for both models."""
    mean_a: float | None
    mean_b: float | None
    diff: float | None
    """mean(A − B) over paired items."""
    ci_low: float | None
    ci_high: float | None
    p: float | None
    """Wilcoxon signed-rank, two-sided."""
    p_adj: float | None
    """Holm-adjusted over every cell reported."""
    underpowered: bool
    significant: bool


class AgreementRow(Record):
    kind: Literal["judge-human", "annotator-annotator", "pairwise judge-human", "pairwise annotator-annotator"]
    a: str
    b: str
    lang: str
    category: str
    n: int
    spearman: float | None = None
    kendall: float | None = None
    kappa: float | None = None
    """Quadratic-weighted for scores; unweighted on A/B/tie for pairwise."""
    exact: float | None = None
    within_one: float | None = None
    alpha: float | None = None
    """Krippendorff's alpha (interval) across all annotators, on annotator rows."""


class LanguageRate(Record):
    model: str
    lang: str
    checked: int
    ok: int
    wrong: int
    """wrong-language or wrong-script."""
    mixed: int
    uncertain: int
    rate: float | None
    """(wrong + mixed) / checked."""


# -- inputs -----------------------------------------------------------------------------------------------------


class Obs(Record):
    """One score observation: a single judgment, or one annotator's rating."""

    model: str
    judge: str
    bench: str
    question_id: str
    turn: int
    score: float | None


def observations(judgments: Iterable[Judgment], ratings: Iterable[Rating] = ()) -> list[Obs]:
    out = [Obs(model=j.model, judge=j.judge, bench=j.bench, question_id=j.question_id, turn=j.turn, score=j.score)
           for j in judgments if j.kind == "single"]
    out += [Obs(model=r.model, judge=HUMAN, bench=r.bench, question_id=r.question_id, turn=r.turn, score=r.score) for r in ratings]
    return out


def _frame(obs: list[Obs], questions: dict[tuple[str, str], Question]):
    import pandas as pd

    rows = []
    for o in obs:
        q = questions.get((o.bench, o.question_id))
        if q is None:
            continue
        rows.append((o.model, o.judge, q.lang, q.category, str(o.turn), f"{o.bench}\x00{o.question_id}\x00{o.turn}", o.score))
    return pd.DataFrame(rows, columns=["model", "judge", "lang", "category", "turn", "item", "score"])


def _cells(keys: list[tuple[str, str, str]]) -> tuple[list[tuple[str, str, str]], sparse.csr_matrix]:
    """Each key (lang, category, turn) sits in its own cell and in every `all` margin: 8 cells per item."""
    axes = [sorted(set(k[d] for k in keys)) + [ALL] for d in range(3)]
    codes = []
    for d, axis in enumerate(axes):
        index = {v: i for i, v in enumerate(axis)}
        codes.append(np.fromiter((index[k[d]] for k in keys), dtype=np.int64, count=len(keys)))
    sizes = [len(a) for a in axes]
    combos = []
    for use in itertools.product((True, False), repeat=3):
        parts = [c if u else np.full(len(keys), n - 1) for c, u, n in zip(codes, use, sizes)]
        combos.append((parts[0] * sizes[1] + parts[1]) * sizes[2] + parts[2])
    flat = np.concatenate(combos)
    unique, columns = np.unique(flat, return_inverse=True)
    rows = np.tile(np.arange(len(keys)), 8)
    cells = [(axes[0][u // (sizes[1] * sizes[2])], axes[1][(u // sizes[2]) % sizes[1]], axes[2][u % sizes[2]]) for u in unique]
    m = sparse.csr_matrix((np.ones(len(flat)), (rows, columns.ravel())), shape=(len(keys), len(unique)))
    return cells, m


def _num(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


# -- single scores ------------------------------------------------------------------------------------------------


def single_scores(obs: list[Obs], questions: dict[tuple[str, str], Question], settings: Settings = Settings()) -> tuple[list[ScoreCell], list[LeaderRow]]:
    df = _frame(obs, questions)
    cells_out: list[ScoreCell] = []
    leaders: list[LeaderRow] = []
    if df.empty:
        return cells_out, leaders
    df["c"] = df["score"].notna().astype(int)
    df["u"] = 1 - df["c"]
    df["s"] = df["score"].fillna(0.0)
    for (model, judge), group in df.groupby(["model", "judge"], sort=True):
        items = group.groupby("item", sort=True).agg(
            lang=("lang", "first"), category=("category", "first"), turn=("turn", "first"), s=("s", "sum"), c=("c", "sum"), u=("u", "sum"),
        )
        keys = list(zip(items["lang"], items["category"], items["turn"]))
        cells, m = _cells(keys)
        sums, counts = items["s"].to_numpy(float), items["c"].to_numpy(float)
        rng = rng_for(settings.seed, "single", model, judge)
        mean, low, high, reps = bootstrap_ratio(sums, counts, m, np.array(["\x00".join(k) for k in keys]), rounds=settings.rounds,
                                                rng=rng, confidence=settings.confidence)
        m_t = m.T.tocsr()
        n, n_items, unscored = m_t @ counts, m_t @ (counts > 0).astype(float), m_t @ items["u"].to_numpy(float)
        at = {cell: i for i, cell in enumerate(cells)}
        for i, (lang, cat, turn) in enumerate(cells):
            cells_out.append(ScoreCell(
                model=model, judge=judge, lang=lang, category=cat, turn=turn, n=int(n[i]), items=int(n_items[i]),
                mean=_num(mean[i]), ci_low=_num(low[i]), ci_high=_num(high[i]), unscored=int(unscored[i]),
            ))
        langs = [c for c in cells if c[1] == ALL and c[2] == ALL and c[0] != ALL and n[at[c]] > 0]
        macro = macro_low = macro_high = None
        if langs:
            rows = [at[c] for c in langs]
            macro = float(np.mean(mean[rows]))
            lo, hi = percentile_interval(np.nanmean(reps[rows], axis=0)[None, :], settings.confidence)
            macro_low, macro_high = _num(lo[0]), _num(hi[0])
        total = at[(ALL, ALL, ALL)]
        t1 = _num(mean[at[(ALL, ALL, "1")]]) if (ALL, ALL, "1") in at else None
        t2 = _num(mean[at[(ALL, ALL, "2")]]) if (ALL, ALL, "2") in at else None
        both = [t for t in (t1, t2) if t is not None]
        leaders.append(LeaderRow(
            model=model, judge=judge, n=int(n[total]), mean=_num(mean[total]), ci_low=_num(low[total]), ci_high=_num(high[total]),
            turn1=t1, turn2=t2, seabench_avg=sum(both) / len(both) if both else None, macro_lang=macro,
            macro_low=macro_low, macro_high=macro_high, languages=len(langs), unscored=int(unscored[total]),
        ))
    cells_out.sort(key=lambda c: (c.judge, c.model, _order(c.lang), c.category == ALL, c.category, c.turn))
    leaders.sort(key=lambda r: (r.judge, -(r.mean if r.mean is not None else -1)))
    return cells_out, leaders


def _order(lang: str) -> tuple:
    return (lang == ALL, lang_sort_key(lang))


# -- pairwise -------------------------------------------------------------------------------------------------------


def outcomes(pair_outcomes: Iterable[Outcome], pair_ratings: Iterable[PairRating] = ()) -> list[Outcome]:
    """A judge's combined games and the annotators' choices, as one kind of record."""
    return [*pair_outcomes, *(Outcome(judge=HUMAN, bench=p.bench, question_id=p.question_id, turn=p.turn, model_a=p.model_a,
                                      model_b=p.model_b, winner=p.winner) for p in pair_ratings)]


def pairwise(results: list[Outcome], questions: dict[tuple[str, str], Question], settings: Settings = Settings()) -> tuple[list[PairCell], list[RatingRow]]:
    import pandas as pd

    rows = []
    for o in results:
        q = questions.get((o.bench, o.question_id))
        if q is None:
            continue
        value = {"A": 1.0, "B": 0.0, "tie": 0.5, None: math.nan}[o.winner]
        item = f"{o.bench}\x00{o.question_id}\x00{o.turn}"
        rows.append((o.judge, o.model_a, o.model_b, q.lang, q.category, item, value, o.inconsistent))
        rows.append((o.judge, o.model_b, o.model_a, q.lang, q.category, item, 1 - value, o.inconsistent))
    cells_out: list[PairCell] = []
    ratings: list[RatingRow] = []
    if not rows:
        return cells_out, ratings
    df = pd.DataFrame(rows, columns=["judge", "model", "opponent", "lang", "category", "item", "v", "inconsistent"])
    df["c"] = df["v"].notna().astype(int)
    df["u"] = 1 - df["c"]
    df["s"] = df["v"].fillna(0.0)
    df["w"], df["t"], df["l"] = (df["v"] == 1).astype(int), (df["v"] == 0.5).astype(int), (df["v"] == 0).astype(int)
    df["inc"] = df["inconsistent"].astype(int)
    for (judge, model), g in df.groupby(["judge", "model"], sort=True):
        g = g.assign(key=g["item"] + "\x00" + g["opponent"])
        items = g.groupby("key", sort=True).agg(
            lang=("lang", "first"), category=("category", "first"), opponent=("opponent", "first"),
            **{k: (k, "sum") for k in ("s", "c", "u", "w", "t", "l", "inc")},
        )
        keys = list(zip(items["lang"], items["category"], items["opponent"]))
        cells, m = _cells(keys)  # the third axis is the opponent here
        rng = rng_for(settings.seed, "pair", model, judge)
        mean, low, high, _ = bootstrap_ratio(items["s"].to_numpy(float), items["c"].to_numpy(float), m,
                                             np.array(["\x00".join(k) for k in keys]), rounds=settings.rounds, rng=rng, confidence=settings.confidence)
        m_t = m.T.tocsr()
        agg = {k: m_t @ items[k].to_numpy(float) for k in ("c", "w", "t", "l", "inc", "u")}
        for i, (lang, cat, opp) in enumerate(cells):
            cells_out.append(PairCell(
                model=model, opponent=opp, judge=judge, lang=lang, category=cat, n=int(agg["c"][i]), wins=int(agg["w"][i]),
                ties=int(agg["t"][i]), losses=int(agg["l"][i]), adjusted=_num(mean[i]), ci_low=_num(low[i]), ci_high=_num(high[i]),
                inconsistent=int(agg["inc"][i]), unscored=int(agg["u"][i]),
            ))
    for judge in sorted({o.judge for o in results}):
        ratings += bradley_terry_ratings([o for o in results if o.judge == judge], settings)
    cells_out.sort(key=lambda c: (c.judge, c.model, c.opponent == ALL, c.opponent, _order(c.lang), c.category == ALL, c.category))
    return cells_out, ratings


def bradley_terry_ratings(results: list[Outcome], settings: Settings = Settings()) -> list[RatingRow]:
    """Elo-scale Bradley–Terry ratings with bootstrap intervals; only with three or more models."""
    scored = [o for o in results if o.winner is not None]
    models = sorted({o.model_a for o in scored} | {o.model_b for o in scored})
    if len(models) < 3:
        return []
    index = {m: i for i, m in enumerate(models)}
    a = np.array([index[o.model_a] for o in scored])
    b = np.array([index[o.model_b] for o in scored])
    v = np.array([{"A": 1.0, "B": 0.0, "tie": 0.5}[o.winner] for o in scored])

    def fit(weights: np.ndarray) -> np.ndarray:
        wins = np.zeros((len(models), len(models)))
        np.add.at(wins, (a, b), weights * v)
        np.add.at(wins, (b, a), weights * (1 - v))
        return 1000 + ELO_SCALE * bradley_terry(wins)

    point = fit(np.ones(len(v)))
    rng = rng_for(settings.seed, "bt", results[0].judge if results else "")
    reps = np.stack([fit(rng.poisson(1.0, size=len(v)).astype(float)) for _ in range(settings.rounds)], axis=1)
    low, high = percentile_interval(reps, settings.confidence)
    games = np.bincount(np.concatenate([a, b]), minlength=len(models))
    judge = results[0].judge
    rows = [RatingRow(model=m, judge=judge, rating=float(point[i]), ci_low=float(low[i]), ci_high=float(high[i]), games=int(games[i]))
            for i, m in enumerate(models)]
    return sorted(rows, key=lambda r: -r.rating)


# -- checkpoint comparison ---------------------------------------------------------------------------------------


def compare(obs: list[Obs], questions: dict[tuple[str, str], Question], model_a: str, model_b: str, judge: str,
            settings: Settings = Settings(), min_n: int = 30, alpha: float = 0.05) -> list[CompareCell]:
    """Paired differences A − B per language × category and margins: bootstrap interval, Wilcoxon p, Holm across cells."""
    per_item: dict[str, dict[tuple, list[float]]] = {model_a: defaultdict(list), model_b: defaultdict(list)}
    for o in obs:
        if o.judge == judge and o.model in per_item and o.score is not None:
            per_item[o.model][(o.bench, o.question_id, o.turn)].append(o.score)
    shared = sorted(set(per_item[model_a]) & set(per_item[model_b]))
    groups: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    pairs_items: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for item in shared:
        q = questions.get(item[:2])
        if q is None:
            continue
        pair = (float(np.mean(per_item[model_a][item])), float(np.mean(per_item[model_b][item])))
        for cell in itertools.product((q.lang, ALL), (q.category, ALL)):
            groups[cell].append(pair)
            pairs_items[cell].append(item)
    cells = []
    # A margin over a single language or category repeats a cell; testing it twice would only inflate the family.
    seen: set[frozenset] = set()
    # Keep the overall cell, then language × category cells, before margins that merely repeat one of them.
    priority = lambda kv: (kv[0] != (ALL, ALL), ALL in kv[0])  # noqa: E731
    for (lang, cat), pairs in sorted(groups.items(), key=priority):
        items = frozenset(pairs_items[(lang, cat)])
        if items in seen:
            continue
        seen.add(items)
        arr = np.array(pairs)
        diffs = arr[:, 0] - arr[:, 1]
        low, high = paired_bootstrap(diffs, rounds=settings.rounds, rng=rng_for(settings.seed, "compare", model_a, model_b, lang, cat), confidence=settings.confidence)
        cells.append(dict(lang=lang, category=cat, n=len(diffs), mean_a=float(arr[:, 0].mean()), mean_b=float(arr[:, 1].mean()),
                          diff=float(diffs.mean()), ci_low=low, ci_high=high, p=wilcoxon_p(diffs)))
    for cell, p_adj in zip(cells, holm([c["p"] for c in cells])):
        cell["p_adj"] = p_adj
        cell["underpowered"] = cell["n"] < min_n
        cell["significant"] = p_adj is not None and p_adj < alpha
    out = [CompareCell(**{k: (_num(v) if isinstance(v, float) else v) for k, v in c.items()}) for c in cells]
    # Significant regressions first, then significant improvements, then the rest by language and category.
    return sorted(out, key=lambda c: (not c.significant, (c.diff or 0) > 0 if c.significant else 0, _order(c.lang), c.category == ALL, c.category))


# -- agreement ------------------------------------------------------------------------------------------------------


def agreement(judgments: list[Judgment], ratings: list[Rating], results: list[Outcome],
                   questions: dict[tuple[str, str], Question]) -> list[AgreementRow]:
    """Judge vs human and annotator vs annotator, per language and category (and `all`)."""
    from scipy.stats import kendalltau, spearmanr

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
        return list(itertools.product((q.lang, ALL), (q.category, ALL))) if q else []

    rows: list[AgreementRow] = []

    def score_row(kind: str, a: str, b: str, cell: tuple[str, str], pairs: list[tuple[float, float]], alpha: float | None = None) -> AgreementRow:
        x, y = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
        xr, yr = np.clip(np.rint(x), 1, 10), np.clip(np.rint(y), 1, 10)
        varied = len(pairs) >= 2 and np.ptp(x) > 0 and np.ptp(y) > 0
        return AgreementRow(
            kind=kind, a=a, b=b, lang=cell[0], category=cell[1], n=len(pairs),
            spearman=_num(spearmanr(x, y).statistic) if varied else None,
            kendall=_num(kendalltau(x, y).statistic) if varied else None,
            kappa=_num(quadratic_kappa(xr, yr, np.arange(1, 11))) if len(pairs) >= 2 else None,
            exact=float(np.mean(xr == yr)), within_one=float(np.mean(np.abs(xr - yr) <= 1)), alpha=alpha,
        )

    for judge, scores in sorted(judge_scores.items()):
        groups: dict[tuple, list[tuple[float, float]]] = defaultdict(list)
        for item, by_annotator in human.items():
            if item in scores:
                js = float(np.mean(scores[item]))
                for cell in cells_of(item):
                    groups[cell].extend((js, h) for h in by_annotator.values())
        rows += [score_row("judge-human", judge, HUMAN, cell, pairs) for cell, pairs in sorted(groups.items(), key=_cell_key)]
    if len(annotators) >= 2:
        groups = defaultdict(list)
        units: dict[tuple, list[tuple]] = defaultdict(list)
        for item, by_annotator in human.items():
            for cell in cells_of(item):
                units[cell].append(item)
                for a1, a2 in itertools.combinations(sorted(by_annotator), 2):
                    groups[cell].append((by_annotator[a1], by_annotator[a2]))
        for cell, pairs in sorted(groups.items(), key=_cell_key):
            matrix = np.array([[human[item].get(a, np.nan) for item in units[cell]] for a in annotators], dtype=float)
            rows.append(score_row("annotator-annotator", ALL, ALL, cell, pairs, alpha=_num(krippendorff_interval(matrix))))
    rows += _pair_agreement(results, questions)
    return rows


def _cell_key(kv) -> tuple:
    (lang, cat), _ = kv
    return (_order(lang), cat == ALL, cat)


def _pair_agreement(results: list[Outcome], questions: dict[tuple[str, str], Question]) -> list[AgreementRow]:
    def norm(o: Outcome) -> tuple[tuple, str]:
        a, b = sorted((o.model_a, o.model_b))
        w = o.winner if (o.model_a, o.model_b) == (a, b) else {"A": "B", "B": "A", "tie": "tie"}[o.winner]
        return (o.bench, o.question_id, o.turn, a, b), w

    humans: dict[tuple, list[str]] = defaultdict(list)
    judges: dict[str, dict[tuple, str]] = defaultdict(dict)
    for o in results:
        if o.winner is None:
            continue
        item, w = norm(o)
        if o.judge == HUMAN:
            humans[item].append(w)
        else:
            judges[o.judge][item] = w
    rows = []
    for judge, verdicts in sorted(judges.items()):
        groups: dict[tuple, list[tuple[str, str]]] = defaultdict(list)
        for item, ws in humans.items():
            q = questions.get(item[:2])
            if item in verdicts and q:
                for cell in itertools.product((q.lang, ALL), (q.category, ALL)):
                    groups[cell].extend((verdicts[item], h) for h in ws)
        for cell, pairs in sorted(groups.items(), key=_cell_key):
            a, b = [p[0] for p in pairs], [p[1] for p in pairs]
            rows.append(AgreementRow(kind="pairwise judge-human", a=judge, b=HUMAN, lang=cell[0], category=cell[1], n=len(pairs),
                                     exact=float(np.mean([x == y for x, y in pairs])), kappa=_num(cohen_kappa(a, b)) if len(pairs) >= 2 else None))
    return rows


# -- language and usage --------------------------------------------------------------------------------------------


def language_rates(checks: dict[str, str], answer_index: dict[str, tuple[str, str]]) -> list[LanguageRate]:
    """`checks`: answer key → LanguageCheck JSON; `answer_index`: answer key → (model, lang)."""
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, raw in checks.items():
        if key not in answer_index:
            continue
        model, lang = answer_index[key]
        verdict = json.loads(raw)["verdict"]
        for cell in ((model, lang), (model, ALL)):
            counts[cell][verdict] += 1
    out = []
    for (model, lang), c in counts.items():
        checked = sum(c.values())
        wrong = c["wrong-language"] + c["wrong-script"]
        out.append(LanguageRate(model=model, lang=lang, checked=checked, ok=c["ok"], wrong=wrong, mixed=c["mixed"],
                                uncertain=c["uncertain"] + c["empty"], rate=(wrong + c["mixed"]) / checked if checked else None))
    return sorted(out, key=lambda r: (r.model, _order(r.lang)))


class HealthRate(Record):
    """How many of a model's answers in one language show each script problem."""

    model: str
    lang: str
    checked: int
    not_nfc: int
    zawgyi: int
    truncated: int
    broken_cluster: int
    cut_mid_word: int
    repetitive: int
    wrong_script: int
    """From the language check: written in another language's script (a Lao question answered in Thai)."""
    mixed: int


HEALTH_FIELDS = ("not_nfc", "zawgyi", "truncated", "broken_cluster", "cut_mid_word", "repetitive")


def health_rates(health: dict[str, str], language: dict[str, str], answer_index: dict[str, tuple[str, str]]) -> list[HealthRate]:
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, raw in health.items():
        if key not in answer_index:
            continue
        model, lang = answer_index[key]
        data = json.loads(raw)
        verdict = json.loads(language[key])["verdict"] if key in language else None
        for cell in ((model, lang), (model, ALL)):
            c = counts[cell]
            c["checked"] += 1
            for f in HEALTH_FIELDS:
                c[f] += bool(data[f])
            c["wrong_script"] += verdict == "wrong-script"
            c["mixed"] += verdict == "mixed"
    rows = [HealthRate(model=m, lang=l, **{k: c[k] for k in ("checked", *HEALTH_FIELDS, "wrong_script", "mixed")}) for (m, l), c in counts.items()]
    return sorted(rows, key=lambda r: (r.model, _order(r.lang)))
