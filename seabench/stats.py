"""Statistics primitives: pure functions of arrays, seeded, no I/O. Checked in tests against scipy, scikit-learn
and the krippendorff package (or hand-computed values).
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
from scipy import sparse


def rng_for(seed: int, *names: str) -> np.random.Generator:
    """A generator seeded by `seed` and names, so adding a model never changes another model's intervals."""
    digest = hashlib.sha256("\x00".join(names).encode()).digest()
    return np.random.default_rng([seed, int.from_bytes(digest[:8], "little")])


def bootstrap_ratio(
    sums: np.ndarray, counts: np.ndarray, membership: sparse.csr_matrix, strata: np.ndarray, *, rounds: int,
    rng: np.random.Generator, confidence: float = 0.95, chunk: int = 200,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pooled means Σsum/Σcount of groups of items (cells), with percentile bootstrap intervals.

    `sums`/`counts` are per item (an item's samples pooled); `membership` is items × cells (an item sits in its
    own cell and in every margin); `strata` gives each item's innermost cell. Each round resamples every stratum's
    items with replacement, keeping its size, so an innermost cell gets the ordinary bootstrap and a margin the
    stratified one (a bench fixes how many questions each cell has). One draw per round serves every cell.
    Returns (mean, low, high, replicates: cells × rounds).
    """
    m_t = membership.T.tocsr()
    denom = m_t @ counts
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(denom > 0, (m_t @ sums) / np.where(denom > 0, denom, 1), np.nan)
    n = len(sums)
    _, inverse, sizes = np.unique(strata, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    order = np.argsort(inverse, kind="stable")  # slots grouped by stratum
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    slot_start, slot_size = starts[inverse[order]], sizes[inverse[order]]
    # Items of one stratum share their cells, so resampled sums are added up per stratum, then per cell.
    cell_of_stratum = membership[order[starts]].toarray()  # strata × cells
    reps = np.empty((membership.shape[1], rounds), dtype=np.float64)
    for done in range(0, rounds, chunk):
        k = min(chunk, rounds - done)
        picks = order[slot_start + (rng.random((k, n)) * slot_size).astype(np.int64)]
        num = np.add.reduceat(sums[picks], starts, axis=1) @ cell_of_stratum
        den = np.add.reduceat(counts[picks], starts, axis=1) @ cell_of_stratum
        with np.errstate(invalid="ignore", divide="ignore"):
            reps[:, done : done + k] = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan).T
    low, high = percentile_interval(reps, confidence)
    return mean, low, high, reps


def percentile_interval(replicates: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    alpha = (1 - confidence) / 2
    nan = np.isnan(replicates)
    full, partial = ~nan.any(axis=-1), nan.any(axis=-1) & ~nan.all(axis=-1)
    low = np.full(replicates.shape[:-1], np.nan)
    high = np.full(replicates.shape[:-1], np.nan)
    # np.percentile on the rows without gaps; the slower nan-aware one only where a resample left a cell empty
    for rows, func in ((full, np.percentile), (partial, np.nanpercentile)):
        if rows.any():
            low[rows], high[rows] = func(replicates[rows], [100 * alpha, 100 * (1 - alpha)], axis=-1)
    return low, high


def paired_bootstrap(diffs: np.ndarray, *, rounds: int, rng: np.random.Generator, confidence: float = 0.95) -> tuple[float, float]:
    """Percentile interval of the mean paired difference, resampling items with replacement."""
    if len(diffs) == 0:
        return math.nan, math.nan
    idx = rng.integers(0, len(diffs), size=(rounds, len(diffs)))
    low, high = percentile_interval(diffs[idx].mean(axis=1), confidence)
    return float(low), float(high)


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


def wilcoxon_p(diffs: np.ndarray) -> float | None:
    """Two-sided Wilcoxon signed-rank p-value; 1.0 when every difference is zero, None with no pairs."""
    from scipy.stats import wilcoxon

    if len(diffs) == 0:
        return None
    if np.all(diffs == 0):
        return 1.0
    return float(wilcoxon(diffs).pvalue)


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
