"""Records of the inputs and facts every stage shares: questions, answers, judgments, ratings, checks, run settings."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

SEA_BENCH_CATEGORIES = (
    "task-solving",
    "math-reasoning",
    "general-instruction",
    "natural-question",
    "safety",
)


Winner = Literal["A", "B", "tie"]
"""A pairwise verdict, by position (or, combined, in terms of model_a/model_b)."""
Verdict = Literal["ok", "wrong-language", "wrong-script", "mixed", "uncertain", "empty"]
"""A language check's verdict."""


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
    tags: tuple[str, ...] = ()
    """Labels from the bench (ours: `harmless` on a safety request that only sounds risky, which the best answer helps
    with)."""

    @property
    def has_reference(self) -> bool:
        return any(r for r in self.references or ())

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
    """Every question, in file order."""
    notes: tuple[str, ...] = ()
    """What the loader accepted but a user should know, as `FILE:LINE: …` (fields it does not read, for one)."""
    baseline_name: str | None = None
    """The field its shipped baseline answers came from (Sea-bench's `chatgpt_response`): they are stored as the
    answers of a model of that name, the bench's baseline, judged against but never graded as a candidate unless
    named."""
    description: str = ""
    """What the bench is, in a sentence (bundled benches say so)."""


class BenchCell(Record):
    """How many questions one language × category cell of a bench holds."""

    lang: str
    """ISO 639-1 code."""
    category: str
    """The category, in the bench's vocabulary."""
    questions: int
    """Questions in the cell."""
    multi_turn: int
    """Questions with two or more turns."""
    with_reference: int
    """Questions with a reference answer on at least one turn."""
    hard: int = 0
    """Questions tagged `hard` (written to separate strong models)."""


class Message(Record):
    """One message of a chat conversation."""

    role: Literal["system", "user", "assistant"]
    """Who speaks."""
    content: str
    """What is said."""


class GenerationSettings(Record):
    """What, besides the model, determines an answer. Part of every answer's key."""

    temperature: float = 0.0
    """Sampling temperature; 0 is greedy."""
    max_tokens: int = 1024
    """Reply length limit, in tokens."""
    system_prompt: str | None = None
    """System message for every conversation, if any."""
    sampling: tuple[tuple[str, float | int | bool | str], ...] = ()
    """More sampling options, sorted by name (`repeat_penalty=1.0`, `top_p=1`): extra body fields for an HTTP server,
    generation arguments for hf:."""

    @model_serializer(mode="wrap")
    def _without_empty_sampling(self, handler: SerializerFunctionWrapHandler) -> dict:
        # Left out when empty, so the settings of every run before --sampling existed dump (and key) as they did.
        data = handler(self)
        if not self.sampling:
            data.pop("sampling", None)
        return data


class Usage(Record):
    """Tokens one request used, as the API (or the HF tokenizer) counted them; None where unknown."""

    input_tokens: int | None = None
    """Prompt tokens."""
    output_tokens: int | None = None
    """Reply tokens."""


class RateLimits(Record):
    """What a provider's response headers say about its rate limits (None where a header is absent)."""

    requests_limit: int | None = None
    """Requests allowed per minute."""
    requests_remaining: int | None = None
    """Requests left before the limit bites."""
    requests_reset_s: float | None = None
    """Seconds until the request allowance is whole again."""
    tokens_limit: int | None = None
    """Tokens allowed per minute."""
    tokens_remaining: int | None = None
    """Tokens left before the limit bites."""
    tokens_reset_s: float | None = None
    """Seconds until the token allowance is whole again."""

    @property
    def known(self) -> bool:
        return self.requests_limit is not None or self.tokens_limit is not None


class Completion(Record):
    """What a backend returns for one conversation."""

    text: str
    """The assistant's reply; may be empty (recorded as such, not as a failure)."""
    usage: Usage = Usage()
    """Tokens the request used."""
    finish_reason: str | None = None
    """`stop`, `length` (hit max tokens), or the provider's own word for it."""
    limits: RateLimits | None = None
    """The provider's rate-limit headers on this response, for the runner's pacing (never stored)."""


class Answer(Record):
    """One stored answer: a model's reply to one turn of one question."""

    key: str
    """Content hash of model name, spec, settings and the conversation so far: the same request, the same key."""
    bench: str
    """The bench the question belongs to."""
    question_id: str
    """The question's id within its bench."""
    turn: int
    """1-based turn this answer replies to."""
    model: str
    """The name the model is stored and reported under (`--name`, default the spec)."""
    spec: str
    """`provider:model`."""
    text: str
    """The whole text, as the model wrote it."""
    usage: Usage = Usage()
    """Tokens used, as the API counted them."""
    latency_s: float | None = None
    """Seconds from the request to its reply (the last attempt)."""
    cost_usd: float | None = None
    """From the price table; None for models without a known price."""
    finish_reason: str | None = None
    """`stop`, `length` (hit --max-tokens) or the provider's own word."""
    created_at: str = ""
    """When it was stored (UTC, ISO 8601)."""
    checkpoint: str | None = None
    """The identity of the model that wrote it (see `ModelRun.checkpoint`)."""


class Failure(Record):
    """A request that still failed after every retry; the next run tries it again."""

    key: str
    """Content hash of what determines the record: the same request, the same key."""
    bench: str
    """The bench the question belongs to."""
    question_id: str
    """The question's id within its bench."""
    turn: int
    """1-based turn."""
    model: str
    """The model's stored name."""
    error: str
    """The last error, with any API key removed."""
    attempts: int
    """Tries so far, over every run."""
    updated_at: str = ""
    """When it was last tried (UTC, ISO 8601)."""
    role: Literal["candidate", "judge"] = "candidate"
    """Whose request failed: a candidate's answer (`model` is the model) or a judgment (`model` is the judge)."""


class Judgment(Record):
    """One judge's verdict on one item: a single answer's score, or one order of a pairwise game."""

    key: str
    """Content hash of what determines the record: the same request, the same key."""
    kind: Literal["single", "pairwise"]
    """`single` (a 1–10 score) or `pairwise` (one order of an A/B game)."""
    judge: str
    """The judge's name: its model spec, or the name a FastChat import gave it."""
    prompt: str
    """The judge prompt's name."""
    bench: str
    """The bench the question belongs to."""
    question_id: str
    """The question's id within its bench."""
    turn: int
    """1-based turn judged (turn 2 shows the whole conversation)."""
    model: str
    """Single: the model judged. Pairwise: the model shown in position A."""
    model_b: str | None = None
    """Pairwise: the model shown in position B."""
    sample: int = 0
    """Repeated judgments of the same item (`--samples`, or duplicates in an imported file) are kept apart."""
    score: float | None = None
    """1–10 for single grading; None when the judge gave no usable verdict."""
    winner: Winner | None = None
    """Pairwise, by position; None when unscored."""
    judgment: str
    """The judge's whole reply: rationale and verdict."""
    problem: str | None = None
    """Why the judgment is unscored."""
    flags: tuple[str, ...] = ()
    """Ways the judged answers tried to steer the judge (see `judging.verdicts.injection_flags`)."""
    attempts: int = 1
    """Replies asked for: 1, plus one per re-ask for a usable verdict."""
    usage: Usage = Usage()
    """Tokens of every reply, re-asks included."""
    cost_usd: float | None = None
    """At the price table's prices; None without a known price."""
    source: str = "seabench"
    """`seabench` (judged here) or `fastchat` (imported)."""
    created_at: str = ""
    """When it was stored (UTC, ISO 8601)."""
    request_key: str | None = None
    """Hash of the request that was sent (judge, settings, rendered prompt, sample); judgments of alike answers share
    it."""
    answer_keys: tuple[tuple[str, ...], ...] = ()
    """Per judged model, in position order: the keys of the answers the prompt showed (turn 1 first)."""

    @property
    def scored(self) -> bool:
        return self.score is not None or self.winner is not None


class Rating(Record):
    """A human's 1–10 score for one answer."""

    annotator: str
    """Who rated, as written on the sheet."""
    bench: str
    """The bench the question belongs to."""
    question_id: str
    """The question's id within its bench."""
    turn: int
    """1-based turn."""
    model: str
    """The model's stored name."""
    score: float
    """1–10."""
    comment: str | None = None
    """The annotator's comment, if any."""


class PairRating(Record):
    """A human's choice between two models' answers."""

    annotator: str
    """Who rated, as written on the sheet."""
    bench: str
    """The bench the question belongs to."""
    question_id: str
    """The question's id within its bench."""
    turn: int
    """1-based turn."""
    model_a: str
    """The model shown (or counted) as A."""
    model_b: str
    """The model shown (or counted) as B."""
    winner: Winner
    """A, B or tie, in terms of model_a/model_b."""
    comment: str | None = None
    """The annotator's comment, if any."""


class PairOutcome(Record):
    """One pairwise result in model names: a judge's item after both orders, or one annotator's choice."""

    judge: str
    """The judge's stored name, or `human`."""
    bench: str
    """The bench the question belongs to."""
    question_id: str
    """The question's id within its bench."""
    turn: int
    """1-based turn."""
    model_a: str
    """The model shown (or counted) as A."""
    model_b: str
    """The model shown (or counted) as B."""
    winner: Winner | None
    """In terms of model_a/model_b; None when a game was unscored or missing."""
    sample: int = 0
    """Which repeated judgment of the item this is."""
    inconsistent: bool = False
    """The two orders disagreed (counted as a tie)."""
    annotator: str | None = None
    """For a human's choice (judge `human`): who made it."""


class ModelRun(Record):
    """One candidate model to collect answers from."""

    name: str
    """Name it is stored and reported under."""
    spec: str
    """`provider:model`."""
    settings: GenerationSettings = GenerationSettings()
    """What besides the model determines an answer (part of every answer's key)."""
    base_url: str | None = None
    """This model's own endpoint (from an eval config); not part of any key."""
    checkpoint: str | None = None
    """What the model is beyond its spec; a name never holds answers from two. A local model (hf:, vllm:): its hub
    revision, or a hash of its config and weight files' names, sizes and times. An API model: `served:ID`, what a local
    server's /v1/models says it serves, or `endpoint:URL` for a hosted one."""


class JudgeConfig(Record):
    """One LLM judge run: who judges, how, and which models."""

    spec: str
    """The judge's model spec, e.g. `openai:gpt-4o`."""
    name: str
    """The judge's name in the store and reports (default: the spec)."""
    mode: Literal["single", "pairwise"] = "single"
    """`single`: a 1–10 score per answer; `pairwise`: A/B/tie between two answers, both orders."""
    baseline: str | None = None
    """Pairwise: compare every model with this one."""
    all_pairs: bool = False
    """Pairwise: compare every pair of models."""
    models: tuple[str, ...] | None = None
    """Only these stored models (default: every model with answers)."""
    samples: int = 1
    """Judgments per item, kept apart as samples."""
    settings: GenerationSettings = GenerationSettings(temperature=0.0, max_tokens=2048)
    """The judge's own temperature and reply limit."""
    max_reasks: int = 2
    """How often a reply without a usable verdict is asked again before it is stored unscored."""
    base_url: str | None = None
    """The judge's own endpoint (commas: several servers of it); None: its SDK's environment variable, else the
    provider's API. Never part of a judgment's key."""
