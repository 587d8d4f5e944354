"""What a report's first screen stands on besides the scores: the significant differences under the primary judge,
and which questions the rankings used."""

from __future__ import annotations

from .core import Record


class Difference(Record):
    """One significant gap between two models under the report's primary judge: A − B in one cell, paired on the
    questions both were scored on, Holm-adjusted over that pair's cells (`compare`'s test)."""

    model_a: str
    """The better-scored model."""
    model_b: str
    """The model it beats."""
    judge: str
    """The judge whose scores were compared."""
    lang: str
    """ISO 639-1 code, or `all`."""
    category: str
    """Category, or `all`."""
    questions: int
    """Questions scored for both models in the cell."""
    diff: float
    """mean A − mean B (positive: A ahead)."""
    ci_low: float | None
    """Lower end of the difference's 95% interval."""
    ci_high: float | None
    """Upper end."""
    p_adj: float
    """Holm-adjusted p-value."""


class Coverage(Record):
    """Which questions the rankings stand on: the ones every listed candidate answered, unless --all-questions."""

    questions: int
    """Questions with at least one candidate's answer."""
    common: int
    """Questions every candidate answered: what leaderboards, summaries and comparisons are computed on."""
    left_out: tuple[tuple[str, int], ...] = ()
    """(model, questions it lacks that another candidate answered), for each model that lacks some."""
    all_questions: bool = False
    """True when --all-questions kept every question, or no question was answered by every model: then models are
    ranked on different questions."""
