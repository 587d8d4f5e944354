"""Records the store keeps about its own bookkeeping: which judge runs it saw, and what a blind sheet's item ids stand
for."""

from __future__ import annotations

from .core import Record


class JudgeRun(Record):
    """A judge run as the store recorded it: what a report's facts show."""

    name: str
    """The judge's stored name."""
    spec: str
    """Its model spec."""
    prompts: str
    """Where its prompts came from (ours, or a file)."""
    prompts_hash: str
    """A hash of the prompts' wording (PromptSet.digest)."""


class HumanItem(Record):
    """What a blind sheet's item id stands for: one model's answer to one turn."""

    bench: str
    """The question's bench."""
    question_id: str
    """The question."""
    turn: int
    """The turn rated."""
    model: str
    """The model whose answer it is."""


class HumanPairItem(Record):
    """What a blind pairwise sheet's item id stands for: two models' answers to one turn, in the order shown."""

    bench: str
    """The question's bench."""
    question_id: str
    """The question."""
    turn: int
    """The turn compared."""
    model_a: str
    """The model shown as A."""
    model_b: str
    """The model shown as B."""
