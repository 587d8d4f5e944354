"""Typed records that move between stages. Facts are frozen; nothing between stages is a dict."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SEA_BENCH_CATEGORIES = (
    "task-solving",
    "math-reasoning",
    "general-instruction",
    "natural-question",
    "safety",
)


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Question(Record):
    """One benchmark question, whatever file shape it came from."""

    id: str
    """Unique within its bench; numeric ids from Sea-bench and MT-bench are kept as their decimal text."""
    lang: str
    """ISO 639-1 code of the language the user writes in (see `seabench.languages`)."""
    category: str
    """Category in the vocabulary of the bench's shape (Sea-bench's five, SeaBench v2's ten types, MT-bench's eight)."""
    turns: tuple[str, ...] = Field(min_length=1)
    """User messages, one per turn, each non-empty."""
    references: tuple[str | None, ...] | None = None
    """Reference answers aligned with `turns` (None where a turn has none); None when the question has none at all."""
    answer_lang: str | None = None
    """The language the answer should be written in when it differs from `lang` (a translation task), if known."""
    baseline: str | None = None
    """A baseline answer shipped with the bench (Sea-bench's `chatgpt_response`), if any."""

    @property
    def has_reference(self) -> bool:
        return bool(self.references) and any(r for r in self.references)

    @property
    def expected_lang(self) -> str:
        return self.answer_lang or self.lang

    def reference(self, turn: int) -> str | None:
        """The reference for 1-based `turn`, or None."""
        if not self.references or turn > len(self.references):
            return None
        return self.references[turn - 1]


class Bench(Record):
    """A loaded, validated bench."""

    name: str
    """Short name, e.g. `seabench-starter` or the file stem."""
    source: str
    """Where it was loaded from: a path, `hf:OWNER/NAME`, or `bundled`."""
    shape: str
    """`sea-bench`, `seabench-v2`, `mt-bench` or `csv`: the record shape that was detected."""
    questions: tuple[Question, ...]
    description: str = ""


class BenchCell(Record):
    """How many questions one language × category cell of a bench holds."""

    lang: str
    category: str
    questions: int
    multi_turn: int
    """Questions with two or more turns."""
    with_reference: int
    """Questions with a reference answer on at least one turn."""
