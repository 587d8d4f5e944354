"""Style-controlled Bradley–Terry ratings (Arena-Hard's and Chatbot Arena's style control): the same pairwise
outcomes, with the two answers' differences in length and markdown structure as covariates, so a model's rating is
what it earns at equal style; the fitted style coefficients say how much each feature swayed the judge."""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np

from ..records import Answer, PairOutcome, Question, StyleCoef, StyleRating
from ..stats import ELO_SCALE, logistic_cluster_covariance, logistic_fit
from .common import Settings
from .pairwise import PRIOR_TIES, VALUE

FEATURES = ("length", "headers", "lists", "bold")
# Arena-Hard's definitions (its add_markdown_info): markdown is counted with fenced code blocks taken out, so `# load
# data` in Python is no header and `2**3` no bold; length is counted on the whole answer, and markdown compared as
# densities per length unit (see `normalised`).
_CODE = re.compile(r"```[^`]*```")
_HEADER = re.compile(r"^#{1,6}\s", re.M)
_LIST = re.compile(r"^\s*\d+\.\s|^\s*[-*+]\s", re.M)
_BOLD = re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__")


def style_of(text: str, length: int | None = None) -> tuple[int, int, int, int]:
    """(length, markdown headers, list items, bold spans); `length` in the caller's unit (tokens where a tokenizer
    counted them), characters when not given."""
    prose = _CODE.sub("", text)
    return (
        len(text) if length is None else length,
        len(_HEADER.findall(prose)),
        len(_LIST.findall(prose)),
        len(_BOLD.findall(prose)),
    )


def answer_styles(answers: list[Answer]) -> tuple[dict[tuple[str, str, str, int], tuple[int, int, int, int]], str]:
    """Every answer's style, and the length unit: reply tokens as the API or tokenizer counted them when every
    answer has a count (Arena's unit), else characters for all (one unit within a fit)."""
    tokens = all(a.usage.output_tokens is not None for a in answers) and bool(answers)
    styles = {
        (a.model, a.bench, a.question_id, a.turn): style_of(a.text, a.usage.output_tokens if tokens else None)
        for a in answers
    }
    return styles, "tokens" if tokens else "characters"


def normalised(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Arena-Hard's style features of a pair before standardising (its show_result.py), from two answers' (length,
    headers, lists, bold): the length difference (a − b) / (a + b), so 500 against 520 tokens is about even; and each
    markdown count as a density per length unit, count / (length + 1), compared as (dₐ − d_b) / (dₐ + d_b + 1), so
    three headers in a short answer weigh more than three in a long one and two answers without a feature sit at 0.
    Two empty answers have a length difference of 0 (Arena's lengths are never 0)."""
    total = a[0] + b[0]
    length = (a[0] - b[0]) / total if total > 0 else 0.0
    da, db = a[1:] / (a[0] + 1.0), b[1:] / (b[0] + 1.0)
    return np.concatenate([[length], (da - db) / (da + db + 1.0)])


def style_controlled(
    results: list[PairOutcome],
    styles: dict[tuple[str, str, str, int], tuple[int, int, int, int]],
    questions: dict[tuple[str, str], Question],
    settings: Settings = Settings(),
    length_unit: str = "characters",
) -> tuple[list[StyleRating], list[StyleCoef]]:
    """Per judge with three or more models: P(a beats b) = σ(θ_a − θ_b + Σ γ_f d_f), d_f the pair's feature f as
    `normalised` computes it, standardised (Arena-Hard's style control); ratings on the Elo scale (mean
    1000), t intervals from the fit's cluster-robust covariance (questions as the unit). One virtual tie between every
    two models, as in the raw fit. `length_unit` names what the length feature counts."""
    by_judge: dict[str, list[PairOutcome]] = defaultdict(list)
    for r in results:
        if r.winner is not None and r.judge != "human" and (r.bench, r.question_id) in questions:
            by_judge[r.judge].append(r)
    ratings: list[StyleRating] = []
    coefs: list[StyleCoef] = []
    for judge, games in sorted(by_judge.items()):
        games = [g for g in games if all((m, g.bench, g.question_id, g.turn) in styles for m in (g.model_a, g.model_b))]
        models = sorted({g.model_a for g in games} | {g.model_b for g in games})
        if len(models) < 3:
            continue
        fitted, fitted_coefs = _fit(judge, games, models, styles, settings)
        ratings += fitted
        coefs += [
            c.model_copy(update={"feature": f"length ({length_unit})"}) if c.feature == "length" else c
            for c in fitted_coefs
        ]
    return ratings, coefs


def _fit(
    judge: str,
    games: list[PairOutcome],
    models: list[str],
    styles: dict[tuple, tuple[int, int, int, int]],
    settings: Settings,
) -> tuple[list[StyleRating], list[StyleCoef]]:
    from scipy.stats import t

    k, index = len(models), {m: i for i, m in enumerate(models)}
    rows, y, clusters = [], [], []
    for g in games:
        a, b = (np.array(styles[(m, g.bench, g.question_id, g.turn)], dtype=float) for m in (g.model_a, g.model_b))
        diff = normalised(a, b)
        side = np.zeros(k)
        side[index[g.model_a]], side[index[g.model_b]] = 1.0, -1.0
        rows.append(np.concatenate([side, diff]))
        y.append(VALUE[g.winner])  # type: ignore[index]
        clusters.append(f"{g.bench}\x00{g.question_id}")
    X = np.array(rows)
    # Scaled to unit SD over the judge's games (the sample SD, as Arena-Hard's torch.std). Not centred, unlike
    # Arena-Hard's: centring moves "equal style" from 0 to the average gap, and with games in a fixed order (a
    # candidate against its baseline, or pairs in name order) that takes a real style difference out of the control.
    spread = X[:, k:].std(axis=0, ddof=1) if len(X) > 1 else np.zeros(len(FEATURES))
    X[:, k:] = np.divide(X[:, k:], spread, out=np.zeros_like(X[:, k:]), where=spread > 0)
    # The prior: one virtual tie between every two models, at equal style; not data, so no cluster of its own.
    prior = [
        np.concatenate([np.eye(k)[i] - np.eye(k)[j], np.zeros(len(FEATURES))])
        for i in range(k)
        for j in range(i + 1, k)
    ]
    X = np.vstack([X, prior])
    y_all = np.array(y + [0.5] * len(prior))
    w = np.concatenate([np.ones(len(y)), np.full(len(prior), PRIOR_TIES)])
    cl = np.array(clusters + [""] * len(prior), dtype=object)
    X = X[:, 1:]  # the first model's θ is 0: ratings are identified up to a shift, fixed below by centring
    beta = logistic_fit(X, y_all, w)
    if np.isnan(beta).any():  # style alone separates the verdicts (the longer answer always won): no finite fit
        return [], []
    cov, n = logistic_cluster_covariance(X, y_all, beta, cl, w)
    theta = np.concatenate([[0.0], beta[: k - 1]])
    centre = np.eye(k) - 1 / k  # rating_m = θ_m − mean θ, as a linear map of the fitted coefficients
    A = centre[:, 1:]
    var = np.einsum("ij,jk,ik->i", A, cov[: k - 1, : k - 1], A)
    q = t.ppf((1 + settings.confidence) / 2, n - 1) if n >= 3 else np.nan
    ratings = [
        StyleRating(
            judge=judge,
            model=m,
            rating=float(1000 + ELO_SCALE * (theta[i] - theta.mean())),
            ci_low=_end(1000 + ELO_SCALE * (theta[i] - theta.mean() - q * np.sqrt(var[i]))),
            ci_high=_end(1000 + ELO_SCALE * (theta[i] - theta.mean() + q * np.sqrt(var[i]))),
            games=sum(1 for g in games if m in (g.model_a, g.model_b)),
        )
        for i, m in enumerate(models)
    ]
    # A feature neither answer ever showed (no headers anywhere) has no spread: coefficient 0, and no interval.
    se = np.where(spread > 0, np.sqrt(np.clip(np.diag(cov)[k - 1 :], 0, None)), np.nan)
    coefs = [
        StyleCoef(
            judge=judge,
            feature=f,
            coef=float(beta[k - 1 + j]),
            ci_low=_end(beta[k - 1 + j] - q * se[j]),
            ci_high=_end(beta[k - 1 + j] + q * se[j]),
        )
        for j, f in enumerate(FEATURES)
    ]
    return ratings, coefs


def _end(x: float) -> float | None:
    return None if np.isnan(x) else float(x)
