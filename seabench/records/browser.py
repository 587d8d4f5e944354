"""Records of what the HTML report shows beyond the statistics: every answer with its verdicts and ratings, and the
run's facts for its header."""

from __future__ import annotations

from .core import Record


class BrowserJudgment(Record):
    judge: str
    """The judge's stored name, or `human` for annotators."""
    verdict: str
    """The score, `A`/`B`/`tie` with the opponent, or `unscored`."""
    text: str
    """The judge's whole reply."""
    flags: tuple[str, ...] = ()
    """Injection flags of the answers judged."""
    score: float | None = None
    """The 1–10 score of a single judgment (None for pairwise or unscored), for sorting."""


class BrowserRating(Record):
    """A human's rating of one answer, shown beside the judges'."""

    annotator: str
    """Who rated, as written on the sheet."""
    score: float
    """1–10."""
    comment: str | None = None
    """The annotator's comment, if any."""


class BrowserAnswer(Record):
    model: str
    """The model's stored name."""
    turn: int
    """1-based turn."""
    text: str
    """The whole text, as the model wrote it."""
    chars: int = 0
    """Its length in Unicode characters."""
    language: str
    """The language check's verdict (and what it detected)."""
    health: tuple[str, ...] = ()
    """Script-health flags: not-nfc, zawgyi, truncated, broken-cluster, cut-mid-word, repetitive."""
    judgments: tuple[BrowserJudgment, ...] = ()
    """Every judgment of this answer."""
    ratings: tuple[BrowserRating, ...] = ()
    """Every human rating of this answer."""
    injection: bool = False
    """The answer tries to steer its judge (verdict markers or instructions)."""


class BrowserQuestion(Record):
    bench: str
    """The bench the question belongs to."""
    question_id: str
    """The question's id within its bench."""
    lang: str
    """ISO 639-1 code of the questions' language, or `all`."""
    category: str
    """The questions' category, or `all`."""
    turns: tuple[str, ...]
    """The user's messages."""
    references: tuple[str | None, ...] | None
    """Reference answers per turn, if any."""
    answers: tuple[BrowserAnswer, ...]
    """Every model's answers, by model and turn."""


class RunFacts(Record):
    """What a reader needs to trust or reproduce a report: when, with what, on which bench, by which judges."""

    created_at: str
    """When the report was made (UTC, ISO 8601)."""
    version: str
    """The seabench version that made it."""
    benches: tuple[tuple[str, str, int], ...]
    """Per bench: its name, a content hash of its questions (first 12 hex digits) and how many questions it has."""
    judges: tuple[tuple[str, str], ...]
    """Per judge: its name and the judge prompts its judgments used."""
    judge_runs: tuple[tuple[str, str, str, str], ...] = ()
    """Per judge run recorded: name, spec, where its prompts came from, and a hash of their wording."""
    models: tuple[tuple[str, str, str], ...]
    """Per model: its name, spec and generation settings (temperature, max tokens, system prompt)."""
