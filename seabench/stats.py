"""Statistics primitives: pure functions of arrays, seeded, no I/O. Checked in tests against scipy, scikit-learn
and the krippendorff package (or hand-computed values).
"""

from __future__ import annotations

import hashlib
import math
import warnings
from functools import lru_cache
from typing import NamedTuple

import numpy as np


def rng_for(seed: int, *names: str) -> np.random.Generator:
    """A generator seeded by `seed` and names, so adding a model never changes another model's intervals."""
    digest = hashlib.sha256("\x00".join(names).encode()).digest()
    return np.random.default_rng([seed, int.from_bytes(digest[:8], "little")])


class Interval(NamedTuple):
    """An estimate with its two-sided interval; low/high are None where there is no honest interval."""

    estimate: float | None
    low: float | None
    high: float | None
    clusters: int
    """Independent units (questions) behind the estimate."""
    df: float | None
    """Degrees of freedom of the t quantile used."""
    scheme: str
    """How the variance was estimated: `questions`, `stratified`, `stratified, N thin strata pooled`; `none` (under two
    questions) or `none (no spread)` where there is no interval."""
    variance: float | None = None


NO_SPREAD = 1e-24
"""Every question gave the same value (common with integer scores and two or three questions): a zero-width interval
and a p of 0 would claim certainty the data cannot give, so such a cell gets neither, like a one-question cell."""

MIN_STRATUM = 2
"""A stratum needs two questions to estimate its own variance; thinner ones are pooled (collapsed strata)."""


def cluster_variance(e: np.ndarray, strata: np.ndarray | None = None) -> tuple[float, float, str]:
    """Variance of Σe over clusters, from one linearised value per cluster (a question with all its turns and samples).

    Unstratified: n/(n−1)·Σ(e−ē)². Stratified (a bench fixes how many questions each language × category cell has):
    the same within each stratum, summed; strata under MIN_STRATUM questions are pooled into one (and that into the
    smallest other stratum if it is still thin), the standard collapsed-strata estimator, slightly conservative.
    Returns (variance, degrees of freedom, scheme).
    """
    n = len(e)
    groups = _collapse(strata) if strata is not None else None
    if groups is None or len(groups) <= 1:
        return float(n / (n - 1) * np.sum((e - e.mean()) ** 2)), n - 1.0, "questions"
    var = 0.0
    for g in groups:
        eg = e[g]
        var += len(eg) / (len(eg) - 1) * float(np.sum((eg - eg.mean()) ** 2))
    assert strata is not None  # groups exist only for strata
    thin = int(sum(c < MIN_STRATUM for c in np.unique(strata, return_counts=True)[1]))
    scheme = "stratified" + (f", {thin} thin strata pooled" if thin else "")
    return var, float(n - len(groups)), scheme


def _collapse(strata: np.ndarray) -> list[np.ndarray] | None:
    labels, inverse, counts = np.unique(strata, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    if len(labels) <= 1:
        return None
    groups = [np.flatnonzero(inverse == i) for i in range(len(labels)) if counts[i] >= MIN_STRATUM]
    thin = np.flatnonzero(np.isin(inverse, np.flatnonzero(counts < MIN_STRATUM)))
    if len(thin) >= MIN_STRATUM or (len(thin) and not groups):
        groups.append(thin)
    elif len(thin):
        smallest = min(range(len(groups)), key=lambda i: len(groups[i]))
        groups[smallest] = np.concatenate([groups[smallest], thin])
    return groups if len(groups) > 1 else None


@lru_cache(maxsize=4096)
def quantile(p: float, df: float | None = None) -> float:
    """Student's t quantile (the normal's with df None): scipy's, cached, as a report asks thousands of cells for the
    same few (scipy's ppf costs a tenth of a millisecond each)."""
    from scipy.stats import norm, t

    return float(norm.ppf(p) if df is None else t.ppf(p, df))


def t_interval(
    estimate: float, variance: float, df: float, confidence: float, bounds: tuple[float, float] | None
) -> tuple[float, float]:
    half = quantile(0.5 + confidence / 2, df) * math.sqrt(max(variance, 0.0))
    low, high = estimate - half, estimate + half
    if bounds:  # the scale's own limits: clipping never moves the interval away from a true value inside them
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return low, high


def ratio_mean(
    sums: np.ndarray,
    counts: np.ndarray,
    strata: np.ndarray | None = None,
    *,
    confidence: float = 0.95,
    bounds: tuple[float, float] | None = None,
) -> Interval:
    """Pooled mean Σsums/Σcounts over clusters, with a cluster-robust t interval (linearised ratio variance).

    `sums`/`counts` hold one row per cluster (a question: its scored judgments in the cell, every turn and sample).
    Fewer than two clusters: the estimate, no interval. With one judgment per question this is the textbook
    t interval on the mean.
    """
    keep = counts > 0
    s, c = sums[keep], counts[keep]
    st = strata[keep] if strata is not None else None
    n = len(s)
    if n == 0:
        return Interval(None, None, None, 0, None, "none")
    total = float(c.sum())
    mean = float(s.sum()) / total
    if n < 2:
        return Interval(mean, None, None, n, None, "none")
    var, df, scheme = cluster_variance((s - mean * c) / total, st)
    if var <= NO_SPREAD:
        return Interval(mean, None, None, n, None, "none (no spread)")
    low, high = t_interval(mean, var, df, confidence, bounds)
    return Interval(mean, low, high, n, df, scheme, var)


PSEUDO_WEIGHT = 1 / 3
"""How much of an average question each of `bounded_mean`'s two pseudo-questions weighs (one at each end of the scale).

Chosen by simulation (`benchmarks/coverage.py`, `tests/test_stats.py`): at 1/3, 95% intervals cover 93.5–98% of cells
with 3–40 questions whether scores are bell-shaped or mostly 8–10 with a rare 1–2; without them a cell whose questions
happened to miss the rare low score claims a narrow interval far above the truth (85% coverage).
"""


def bounded_mean(
    sums: np.ndarray,
    counts: np.ndarray,
    strata: np.ndarray | None = None,
    *,
    bounds: tuple[float, float],
    confidence: float = 0.95,
) -> Interval:
    """`ratio_mean`'s pooled mean of scores on a bounded scale, with an interval that holds when scores are skewed.

    The estimate is the plain pooled mean. The interval is computed on the logit of the mean's place between the
    bounds (a mean near 10 cannot move up as far as it can move down) from the data plus two pseudo-questions of
    PSEUDO_WEIGHT questions each, one scoring the low bound and one the high: the bounded-mean cousin of Agresti and
    Coull's "add two successes and two failures". They stand for the rare extreme scores a few questions can miss, so
    in a cell the normal quantile replaces t's small-sample widening; a margin (`strata` given) has its
    pseudo-questions as a stratum of their own and keeps t's quantile at the strata's degrees of freedom. Mapped back,
    the interval is asymmetric and stays inside the bounds. The variance and degrees of freedom reported are the plain
    mean's (for margins built from cells).
    """
    from scipy.special import expit, logit

    plain = ratio_mean(sums, counts, strata, confidence=confidence, bounds=bounds)
    if plain.low is None or plain.estimate is None:
        return plain
    keep = counts > 0
    s, c = sums[keep], counts[keep]
    lo, hi = bounds
    w = PSEUDO_WEIGHT * float(c.mean())
    s_aug, c_aug = np.concatenate([s, [w * lo, w * hi]]), np.concatenate([c, [w, w]])
    total = float(c_aug.sum())
    mean = float(s_aug.sum()) / total
    e = (s_aug - mean * c_aug) / total
    z = quantile(0.5 + confidence / 2)
    if strata is None:
        var, _, _ = cluster_variance(e, None)
    else:
        labels = np.concatenate([strata[keep].astype(str), ["\x00pseudo", "\x00pseudo"]])
        var, df, _ = cluster_variance(e, labels)
        z = quantile(0.5 + confidence / 2, df)
    place = (mean - lo) / (hi - lo)
    se = math.sqrt(var) / ((hi - lo) * place * (1 - place))  # the delta method onto the logit scale
    low, high = (lo + (hi - lo) * float(expit(logit(place) + k * z * se)) for k in (-1, 1))
    # the pseudo-questions pull the centre inwards; the interval always holds the estimate it is shown with
    return plain._replace(low=min(low, plain.estimate), high=max(high, plain.estimate))


def paired_difference(
    sums_a: np.ndarray,
    counts_a: np.ndarray,
    sums_b: np.ndarray,
    counts_b: np.ndarray,
    strata: np.ndarray | None = None,
    *,
    confidence: float = 0.95,
    bounds: tuple[float, float] | None = None,
) -> tuple[Interval, float | None]:
    """Difference of two pooled means over the same clusters (questions both were scored on), its t interval, and the
    two-sided p-value of the matching t test (so p < α exactly when the (1−α) interval excludes 0)."""
    from scipy.stats import t

    keep = (counts_a > 0) & (counts_b > 0)
    sa, ca, sb, cb = sums_a[keep], counts_a[keep], sums_b[keep], counts_b[keep]
    st = strata[keep] if strata is not None else None
    n = len(sa)
    if n == 0:
        return Interval(None, None, None, 0, None, "none"), None
    ta, tb = float(ca.sum()), float(cb.sum())
    ra, rb = float(sa.sum()) / ta, float(sb.sum()) / tb
    diff = ra - rb
    if n < 2:
        return Interval(diff, None, None, n, None, "none"), None
    var, df, scheme = cluster_variance((sa - ra * ca) / ta - (sb - rb * cb) / tb, st)
    if var <= NO_SPREAD:
        return Interval(diff, None, None, n, None, "none (no spread)"), None
    low, high = t_interval(diff, var, df, confidence, bounds)
    return Interval(diff, low, high, n, df, scheme, var), float(2 * t.sf(abs(diff) / math.sqrt(var), df))


def satterthwaite(variances: list[float], dfs: list[float]) -> float:
    """Degrees of freedom of a sum of independent variance estimates."""
    num = sum(variances) ** 2
    den = sum(v * v / d for v, d in zip(variances, dfs) if d > 0)
    return num / den if den > 0 else float(min(dfs))


def cluster_weights(clusters: np.ndarray, *, rounds: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap weights (rounds × rows): each cluster drawn with replacement, carrying all its rows."""
    labels, inverse = np.unique(clusters, return_inverse=True)
    counts = rng.multinomial(len(labels), np.full(len(labels), 1 / len(labels)), size=rounds)
    return counts[:, inverse.ravel()].astype(float)


def percentile_interval(replicates: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    alpha = (1 - confidence) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a row no replicate could compute stays NaN
        low, high = np.nanpercentile(replicates, [100 * alpha, 100 * (1 - alpha)], axis=-1)
    return low, high


def logistic_fit(
    X: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None, iterations: int = 50, tol: float = 1e-10
) -> np.ndarray:
    """Maximum-likelihood logistic regression coefficients by Newton–Raphson (IRLS).

    `X` is rows × features (no intercept is added), `y` the outcome of each row in [0, 1] (a tie is 0.5), `weights` one
    per row (ones when None). NaN coefficients when the fit does not converge (separable outcomes: one side always
    wins).
    """
    from scipy.special import expit

    w = np.ones(len(y)) if weights is None else weights
    beta = np.zeros(X.shape[1])
    for _ in range(iterations):
        p = expit(X @ beta)
        hess = (X * (w * p * (1 - p))[:, None]).T @ X + np.eye(X.shape[1]) * 1e-12
        step = np.linalg.solve(hess, X.T @ (w * (y - p)))
        beta += step
        if np.abs(step).max() < tol:
            return beta if np.abs(beta).max() <= 30 else np.full_like(beta, np.nan)
    return np.full_like(beta, np.nan)


def logistic_cluster_covariance(
    X: np.ndarray, y: np.ndarray, beta: np.ndarray, clusters: np.ndarray, weights: np.ndarray | None = None
) -> tuple[np.ndarray, int]:
    """Cluster-robust (sandwich) covariance of a logistic fit's coefficients, with the small-sample factor C/(C−1),
    and the number of clusters C. Rows whose cluster is "" (a prior's virtual rows) shape the fit but are not data."""
    from scipy.special import expit

    w = np.ones(len(y)) if weights is None else weights
    p = expit(X @ beta)
    bread = np.linalg.pinv((X * (w * p * (1 - p))[:, None]).T @ X)
    data = clusters != ""
    labels, inverse = np.unique(clusters[data], return_inverse=True)
    scores = np.zeros((len(labels), X.shape[1]))
    np.add.at(scores, inverse.ravel(), (X * (w * (y - p))[:, None])[data])
    c = len(labels)
    meat = scores.T @ scores * (c / (c - 1) if c > 1 else 1.0)
    return bread @ meat @ bread, c


def logistic_cluster_interval(
    X: np.ndarray, y: np.ndarray, beta: np.ndarray, clusters: np.ndarray, confidence: float = 0.95, coefficient: int = 0
) -> tuple[float, float] | None:
    """A t interval for one coefficient of a logistic fit, from its cluster-robust variance with C−1 degrees of
    freedom — questions as the unit, as for means. None under 3 clusters."""
    from scipy.stats import t

    cov, c = logistic_cluster_covariance(X, y, beta, clusters)
    if c < 3:
        return None
    half = t.ppf((1 + confidence) / 2, c - 1) * float(np.sqrt(cov[coefficient, coefficient]))
    return beta[coefficient] - half, beta[coefficient] + half


def logistic(x: float) -> float:
    """σ(x) for one number, as scipy.special.expit computes it; its own, so that importing the aggregation package
    imports no scipy (0.14 s for scipy.special): the functions that need scipy import it where they run."""
    x = float(x)
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # the far negative tail keeps its relative precision (and never overflows)
    return e / (1.0 + e)


def holm(pvalues: list[float | None]) -> list[float | None]:
    """Holm–Bonferroni adjusted p-values (None stays None and does not count towards the family)."""
    present = [(p, i) for i, p in enumerate(pvalues) if p is not None and not math.isnan(p)]
    m = len(present)
    out: list[float | None] = [None] * len(pvalues)
    running = 0.0
    for rank, (p, i) in enumerate(sorted(present)):
        running = max(running, min(1.0, (m - rank) * p))
        out[i] = running
    return out


def quadratic_kappa(a: np.ndarray, b: np.ndarray, labels: np.ndarray) -> float:
    """Cohen's kappa with quadratic weights over the ordered `labels`."""
    index = {v: i for i, v in enumerate(labels)}
    k = len(labels)
    observed = np.zeros((k, k))
    for x, y in zip(a, b):
        observed[index[x], index[y]] += 1
    observed /= observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    i, j = np.indices((k, k))
    weights = (i - j) ** 2 / (k - 1) ** 2
    denom = (weights * expected).sum()
    return float(1 - (weights * observed).sum() / denom) if denom > 0 else math.nan


def cohen_kappa(a: list, b: list) -> float:
    """Unweighted Cohen's kappa for nominal labels."""
    labels = sorted(set(a) | set(b))
    index = {v: i for i, v in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)))
    for x, y in zip(a, b):
        table[index[x], index[y]] += 1
    table /= table.sum()
    p_o = np.trace(table)
    p_e = float(table.sum(axis=1) @ table.sum(axis=0))
    return float((p_o - p_e) / (1 - p_e)) if p_e < 1 else math.nan


def krippendorff_interval(data: np.ndarray) -> float:
    """Krippendorff's alpha, interval metric. `data`: raters × units, NaN where a rater did not rate a unit."""
    values = []
    for unit in data.T:
        present = unit[~np.isnan(unit)]
        if len(present) >= 2:
            values.append(present)
    if not values:
        return math.nan
    n = sum(len(v) for v in values)
    # Observed disagreement: squared differences of all ordered pairs within each unit, weighted by 1/(m_u - 1).
    d_o = sum(((v[:, None] - v[None, :]) ** 2).sum() / (len(v) - 1) for v in values) / n
    pooled = np.concatenate(values)
    d_e = ((pooled[:, None] - pooled[None, :]) ** 2).sum() / (n * (n - 1))
    return float(1 - d_o / d_e) if d_e > 0 else math.nan


def bradley_terry(wins: np.ndarray, iterations: int = 500, tol: float = 1e-10) -> np.ndarray:
    """Strengths (log scale, mean 0) from a matrix wins[i, j] = times i beat j (ties as ½ each way). Hunter's MM."""
    n = wins.shape[0]
    games = wins + wins.T
    w = wins.sum(axis=1)
    p = np.ones(n)
    for _ in range(iterations):
        denom = (games / (p[:, None] + p[None, :])).sum(axis=1)
        new = np.where(denom > 0, w / np.where(denom > 0, denom, 1), p)
        new = np.maximum(new, 1e-12)
        new /= np.exp(np.mean(np.log(new)))
        if np.max(np.abs(new - p)) < tol:
            p = new
            break
        p = new
    theta = np.log(p)
    return theta - theta.mean()


ELO_SCALE = 400 / math.log(10)
