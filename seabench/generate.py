"""Stage 1: questions × models → answers. Resumable by construction: only what the store lacks is sent.

An answer's key hashes the model name, spec, settings and the whole conversation so far, so turn k is asked with
the model's own earlier answers, and a re-run recognises every finished request.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .backends import BackendOptions, check_access, checkpoint_identity, make_backend, parse_spec, served_identity
from .backends.tokens import chat_counter
from .errors import SpecError
from .pricing import Price, PriceTable
from .records import Answer, Bench, Completion, Failure, GenerationSettings, Message, ModelRun, PlanRow, Question
from .runner import Job, Outcome, Progress, RetryPolicy, Runner, RunStats
from .runner.batch import BatchOptions, Ledger, choose
from .store import Store, answer_key, claim_owner


@dataclass
class _Pending:
    question: Question
    turn: int
    messages: list[Message]
    key: str


@dataclass
class ModelPlan:
    """What one model still needs: the first missing turn of every unfinished question."""

    run: ModelRun
    start: list[_Pending]
    remaining: int
    """Requests still to send, counting later turns."""
    total: int = 0
    """Requests the selected questions need in all, stored or not."""
    stored: dict[str, str] = field(repr=False, default_factory=dict)


@dataclass
class ModelResult:
    name: str
    stats: RunStats
    answers_stored: int
    """Rows this run wrote; fewer than the answers it received when another process stored some first."""
    failures: list[Failure]
    left: int = 0
    """Requests still not answered when this run ended: claimed by another process on the store that neither finished
    them nor died (its lease still holds). The CLI exits 1 and says so."""
    cut: dict[str, int] = field(default_factory=dict)
    """Answers this run received that stopped at --max-tokens (finish reason `length`), per language: a cut answer is
    judged as it stands, so the summary says how many."""
    withheld: dict[str, int] = field(default_factory=dict)
    """Answers the provider withheld, per language: empty with finish reason `content_filter` (OpenAI's, Azure's) or
    `refusal` (Anthropic's). Stored and judged as given, so the summary says how many."""


WITHHELD = ("content_filter", "refusal")
"""Finish reasons of an answer the provider withheld: OpenAI's (and Azure's) content filter, Anthropic's refusal."""


def _system(settings: GenerationSettings) -> list[Message]:
    return [Message(role="system", content=settings.system_prompt)] if settings.system_prompt else []


def _key(run: ModelRun, messages: list[Message]) -> str:
    return answer_key(run.name, run.spec, run.settings.model_dump(), [m.model_dump() for m in messages])


def plan_model(run: ModelRun, questions: list[Question], stored: dict[str, str]) -> ModelPlan:
    """Walk each conversation through the answers already stored; stop at the first turn that is missing."""
    start, remaining = [], 0
    for q in questions:
        messages = _system(run.settings)
        for turn, text in enumerate(q.turns, start=1):
            messages = [*messages, Message(role="user", content=text)]
            key = _key(run, messages)
            if key in stored:
                messages.append(Message(role="assistant", content=stored[key]))
                continue
            start.append(_Pending(q, turn, messages, key))
            remaining += len(q.turns) - turn + 1
            break
    return ModelPlan(
        run=run, start=start, remaining=remaining, total=sum(len(q.turns) for q in questions), stored=stored
    )


def make_plans(store: Store | None, runs: list[ModelRun], questions: list[Question]) -> list[ModelPlan]:
    """What each model still needs; with no store yet (a dry run before the first run), everything."""
    for run in runs:
        parse_spec(run.spec)
    runs = [r if r.checkpoint else r.model_copy(update={"checkpoint": checkpoint_identity(r.spec)}) for r in runs]
    return [plan_model(run, questions, store.answer_texts(run.name) if store else {}) for run in runs]


@dataclass
class _Answering:
    """One model's run over its plan, an answer at a time: store it, then ask the conversation's next turn that is not
    stored yet; a failure blocks the later turns of its conversation."""

    plan: ModelPlan
    bench: Bench
    store: Store
    price: Price | None
    written: int = 0
    failures: list[Failure] = field(default_factory=list)
    cut: dict[str, int] = field(default_factory=dict)
    withheld: dict[str, int] = field(default_factory=dict)

    def job(self, p: _Pending) -> Job:
        return Job(
            messages=p.messages,
            payload=p,
            size=sum(len(m.content) for m in p.messages),
            span=len(p.question.turns) - p.turn + 1,
            key=p.key,
        )

    def on_success(self, job: Job, completion: Completion, latency: float) -> Outcome:
        p: _Pending = job.payload
        cost = self.price.cost(completion.usage) if self.price else None
        self.written += self.store.add_answer(self.answer(p, completion, latency, cost))
        if completion.finish_reason == "length":
            self.cut[p.question.lang] = self.cut.get(p.question.lang, 0) + 1
        if completion.finish_reason in WITHHELD and not completion.text.strip():
            self.withheld[p.question.lang] = self.withheld.get(p.question.lang, 0) + 1
        outcome = Outcome(
            input_tokens=completion.usage.input_tokens or 0,
            output_tokens=completion.usage.output_tokens or 0,
            cost=cost or 0.0,
        )
        follow = self.next_turn(p, completion)
        if follow is not None:
            outcome.follow_ups.append(self.job(follow))
        return outcome

    def answer(self, p: _Pending, completion: Completion, latency: float, cost: float | None) -> Answer:
        run = self.plan.run
        return Answer(
            key=p.key,
            bench=self.bench.name,
            question_id=p.question.id,
            turn=p.turn,
            model=run.name,
            spec=run.spec,
            text=completion.text,
            usage=completion.usage,
            latency_s=round(latency, 4),
            cost_usd=cost,
            finish_reason=completion.finish_reason,
            checkpoint=run.checkpoint,
        )

    def next_turn(self, p: _Pending, completion: Completion) -> _Pending | None:
        """The first later turn not stored yet, asked with this model's own earlier answers."""
        messages = [*p.messages, Message(role="assistant", content=completion.text)]
        for turn in range(p.turn + 1, len(p.question.turns) + 1):
            messages = [*messages, Message(role="user", content=p.question.turns[turn - 1])]
            key = _key(self.plan.run, messages)
            if key not in self.plan.stored:
                return _Pending(p.question, turn, messages, key)
            messages.append(Message(role="assistant", content=self.plan.stored[key]))
        return None

    def on_failure(self, job: Job, error: str, attempts: int) -> int:
        p: _Pending = job.payload
        failure = Failure(
            key=p.key,
            bench=self.bench.name,
            question_id=p.question.id,
            turn=p.turn,
            model=self.plan.run.name,
            error=error,
            attempts=attempts,
        )
        self.store.add_failure(failure)
        self.failures.append(failure)
        return len(p.question.turns) - p.turn


async def generate_model(
    plan: ModelPlan,
    bench: Bench,
    store: Store,
    options: BackendOptions,
    *,
    concurrency: int | None = None,
    rpm: float | None = None,
    tpm: float | None = None,
    policy: RetryPolicy = RetryPolicy(),
    prices: PriceTable | None = None,
    progress: Progress | None = None,
    batch: BatchOptions | None = None,
) -> ModelResult:
    run = plan.run
    store.register_model(run.name, run.spec, run.settings, run.checkpoint)
    if not plan.start:
        return ModelResult(run.name, RunStats(), 0, [])
    price: Price | None = (prices or PriceTable()).lookup(run.spec)
    if price and batch:
        price = price.at_batch()
    if run.base_url:
        options = dataclasses.replace(options, base_url=run.base_url)
    steps = _Answering(plan, bench, store, price)
    backend = make_backend(parse_spec(run.spec), options)
    owner, lease = claim_owner(), policy.lease(options.timeout)

    def claim(job: Job) -> bool:
        return store.claim(job.payload.key, owner, lease, "answers")

    runner = choose(
        Runner(
            backend,
            run.settings,
            concurrency=concurrency,
            rpm=rpm,
            tpm=tpm,
            timeout=options.timeout,
            policy=policy,
            progress=progress,
        ),
        batch,
        lambda: Ledger.of(store, run.spec, run.name, "answers"),
    )
    try:
        stats = await runner.run(
            [steps.job(p) for p in plan.start],
            steps.on_success,
            steps.on_failure,
            total=plan.remaining,
            claim=claim,
            already=plan.total - plan.remaining,
        )
    finally:
        store.release(owner)
        await backend.aclose()
    return ModelResult(run.name, stats, steps.written, steps.failures, cut=steps.cut, withheld=steps.withheld)


def check_names(runs: list[ModelRun]) -> None:
    names = [r.name for r in runs]
    for name in names:
        if names.count(name) > 1:
            raise SpecError("two models share the name '{name}'; give each its own {names}", name=name)


def generate(
    store: Store,
    bench: Bench,
    runs: list[ModelRun],
    questions: list[Question],
    options: BackendOptions,
    *,
    show_progress: bool = True,
    **runner_options: Any,
) -> list[ModelResult]:
    """Collect every missing answer for every model, one model after another."""
    check_names(runs)
    for run in runs:
        if run.spec.startswith("hf:"):
            from .backends.hf import check_sampling

            check_sampling(run.spec.removeprefix("hf:"), run.settings.sampling)
    # What each API model's server is, asked once (a local server's /v1/models), before anything is sent: a name
    # whose server changed is refused when it registers.
    runs = [
        r
        if r.checkpoint
        else r.model_copy(update={"checkpoint": served_identity(r.spec, r.base_url or options.base_url)})
        for r in runs
    ]
    plans = make_plans(store, runs, questions)  # read before the first write: a damaged store is found untouched
    check_access([plan.run for plan in plans if plan.start], options)  # every model's, before the first one is paid for
    for plan in plans:  # every name still means its model (settings, checkpoint, server), before anything is sent
        store.check_model(plan.run.name, plan.run.spec, plan.run.settings, plan.run.checkpoint)
    store.save_bench(bench)
    results = []
    for plan in plans:
        progress = Progress(plan.run.name, enabled=show_progress)
        results.append(asyncio.run(generate_model(plan, bench, store, options, progress=progress, **runner_options)))
    return results


# -- dry run -------------------------------------------------------------------------------------------------


def estimate_plan(
    plans: list[ModelPlan],
    prices: PriceTable | None = None,
    chat_template: str | None = None,
    batch: bool = False,
    tokenizer: str | None = None,
) -> list[PlanRow]:
    """Requests, tokens and the most they can cost, per model and language (at batch prices with `batch`)."""
    prices = prices or PriceTable()
    rows = []
    for plan in plans:
        run = plan.run
        counter, source = chat_counter(run.spec, chat_template, tokenizer)
        price = prices.lookup(run.spec)
        if price and batch:
            price = price.at_batch()
        per_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for p in plan.start:
            # Later turns carry earlier answers we do not have yet: count each at the max token budget.
            prompt_tokens = counter(p.messages)
            for turn in range(p.turn, len(p.question.turns) + 1):
                if turn > p.turn:
                    prompt_tokens += run.settings.max_tokens + counter(
                        [Message(role="user", content=p.question.turns[turn - 1])]
                    )
                cell = per_lang[p.question.lang]
                cell[0] += 1
                cell[1] += prompt_tokens
                cell[2] += run.settings.max_tokens
        for lang, (requests, tin, tout) in per_lang.items():
            cost = price.cost_of(tin, tout) if price else None
            rows.append(
                PlanRow(
                    model=run.name,
                    lang=lang,
                    requests=requests,
                    input_tokens=tin,
                    max_output_tokens=tout,
                    max_cost_usd=cost,
                    token_source=source,
                )
            )
    return rows
