"""What every statistic shares: settings, the `all` margin, and the cells a question counts in."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import numpy as np

from ..languages import lang_sort_key
from ..records import ALL, HUMAN, Question, Settings

__all__ = ["ALL", "HUMAN", "Settings", "POOLING", "Clusters", "cells", "margins", "num", "order", "per_cluster"]


POOLING = (
    "a question is the unit: its turns and samples are pooled into it, every scored judgment counting once, and "
    "intervals treat questions (not judgments) as independent"
)


def order(lang: str) -> tuple:
    return (lang == ALL, lang_sort_key(lang))


def num(x: float | np.floating | None) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


class Clusters:
    """Questions as clusters: an index per question, and each question's stratum (its language × category cell)."""

    def __init__(self, questions: dict[tuple[str, str], Question]):
        self.index: dict[tuple[str, str], int] = {}
        self.strata: list[str] = []
        self.questions: list[Question] = []
        self._questions = questions

    def of(self, bench: str, qid: str) -> int | None:
        key = (bench, qid)
        if key not in self.index:
            q = self._questions.get(key)
            if q is None:
                return None
            self.index[key] = len(self.questions)
            self.questions.append(q)
            self.strata.append(f"{q.lang}\x00{q.category}")
        return self.index[key]

    def strata_array(self) -> np.ndarray:
        return np.array(self.strata, dtype=object)


def margins(lang: str, category: str) -> list[tuple[str, str]]:
    return list(itertools.product((lang, ALL), (category, ALL)))


def cells(*axes: np.ndarray, mask: np.ndarray | None = None) -> Iterator[tuple[tuple[str, ...], np.ndarray]]:
    """Every combination of each axis's values and `all`, nested in the order given, with its row mask; a cell
    appears only where it has rows (a language's categories are the ones it has)."""
    mask = np.ones(len(axes[0]), bool) if mask is None else mask
    first, rest = axes[0], axes[1:]
    for value in [*sorted(set(first[mask])), ALL]:
        inner = mask if value == ALL else mask & (first == value)
        if not inner.any():
            continue
        if not rest:
            yield (value,), inner
        else:
            for values, m in cells(*rest, mask=inner):
                yield (value, *values), m


def per_cluster(
    cluster: np.ndarray, values: np.ndarray, weights: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per-question sums of scored values and counts of scored rows."""
    return (
        np.bincount(cluster, weights=values * weights, minlength=size),
        np.bincount(cluster, weights=weights, minlength=size),
    )
