"""A training run as a series, and the regression gate's decision: what `report --checkpoints` and `compare
--fail-on-regression` give."""

from __future__ import annotations

from typing import Literal

from .core import Record


class CheckpointRow(Record):
    """One checkpoint's score in one language (or `all`) under the headline judge: a point of the Checkpoints chart."""

    model: str
    """The checkpoint's stored name."""
    step: int
    """Its training step (read from the name: ckpt-2000 is step 2000)."""
    judge: str
    """Whose scores."""
    lang: str
    """ISO 639-1 code, or `all`."""
    questions: int
    """Questions behind the mean."""
    mean: float | None
    """Pooled mean score, both turns."""
    ci_low: float | None
    """Lower end of the 95% interval (bounded-mean method, as every score cell)."""
    ci_high: float | None
    """Upper end."""


class CheckpointChange(Record):
    """A significant change from one checkpoint to the next, overall or in one language."""

    judge: str
    """Whose scores."""
    model: str
    """The later checkpoint."""
    step: int
    """Its step."""
    previous: str
    """The checkpoint before it."""
    previous_step: int
    """Its step."""
    lang: str
    """ISO 639-1 code, or `all`."""
    questions: int
    """Questions scored for both."""
    diff: float
    """Later − earlier, paired by judgment."""
    ci_low: float | None
    """Lower end of the 95% interval."""
    ci_high: float | None
    """Upper end."""
    p_adj: float
    """The paired test's p, Holm-adjusted over that step's overall and language cells."""


class GateCell(Record):
    """One place the regression gate looked: a paired compare cell, tested again within the gate's own family."""

    lang: str
    """ISO 639-1 code, or `all`."""
    category: str
    """Category, or `all`."""
    n: int
    """Questions scored for both models."""
    diff: float | None
    """New − base."""
    ci_low: float | None
    """Lower end of the 95% interval."""
    ci_high: float | None
    """Upper end."""
    p_adj: float | None
    """The paired test's p, Holm-adjusted over the cells the gate looked at (not every cell of `compare`)."""
    regressed: bool
    """Significantly worse (p_adj < 0.05) with the whole interval below −margin."""


class GateVerdict(Record):
    """What `compare --fail-on-regression` decided, as its JSON verdict says it."""

    new: str
    """The model tested (compare's A)."""
    base: str
    """What it is held against (compare's B)."""
    judge: str
    """Whose scores."""
    by: Literal["language", "category", "cell"]
    """Where it looked: the overall cell and each language, each category, or each language × category."""
    margin: float
    """How much worse counts (score points); 0: any significant drop."""
    failed: bool
    """Some cell regressed: the command exits 1."""
    cells: tuple[GateCell, ...]
    """Every cell looked at, regressions first."""


class DiscriminationRow(Record):
    """How well one part of a bench (a category, a tag, or all of it) tells the models apart, under one judge."""

    judge: str
    """Whose scores."""
    kind: Literal["all", "category", "tag"]
    """What the group is."""
    group: str
    """The category or tag; `all` for the whole bench."""
    items: int
    """Questions scored for every model compared (turns and samples pooled per model)."""
    models: int
    """Models compared."""
    ceiling: float
    """Share of items every model scored 9 or more: nothing left to separate them."""
    floor: float
    """Share of items every model scored 2 or less."""
    discrimination: float | None
    """Mean item-rest correlation over the items that vary: near 1, the items order models as the rest of the bench
    does; near 0, noise. None with fewer than three models or no item that varies."""
    varied: int
    """Items whose scores differ between models (the ones the discrimination averages)."""
