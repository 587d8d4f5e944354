"""LLM judges: single 1–10 grading and pairwise A/B/tie, per turn, with or without a reference; any backend judges.

Resumable like `generate`: each judgment's key hashes the request (judge, settings, rendered prompt, sample) and what
is judged (the models in position order and their answers' keys), so a re-run sends only what is missing and two
models that answered alike still get a judgment each. Pairwise always plays both orders; combining them is
`pair_outcomes`. A reply without a usable verdict is re-asked a bounded number of times, then stored unscored.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from ..backends import BackendOptions, make_backend, parse_spec
from ..errors import ConfigError, SpecError
from ..pricing import Price, PriceTable
from ..records import Completion, Failure, JudgeConfig, Judgment, Message, Question, Usage
from ..runner import Job, Outcome, Progress, RetryPolicy, Runner, RunStats
from ..runner.batch import BatchOptions, Ledger, choose
from ..store import Store, claim_owner, content_key, judgment_key
from .prompts import JudgePrompt, PromptSet, item_values
from .verdicts import Verdict, injection_flags, parse_score, parse_winner

REASK = (
    "Your reply has no verdict in the required format. Reply again with your verdict only, exactly in the format "
    "the instructions ask for ({fmt})."
)


@dataclass
class JudgeItem:
    key: str
    request_key: str
    answer_keys: tuple[tuple[str, ...], ...]
    kind: Literal["single", "pairwise"]
    question: Question
    bench: str
    turn: int
    models: tuple[str, ...]
    sample: int
    prompt: JudgePrompt
    messages: list[Message]
    flags: tuple[str, ...]
    attempts: int = 1
    replies: list[str] = field(default_factory=list)


@dataclass
class JudgePlan:
    items: list[JudgeItem]
    total: int
    """Items in scope, judged before or not."""
    missing_answers: int
    """Items skipped because an answer they need is not stored yet."""
    no_baseline: int = 0
    """Items skipped because the bench's shipped baseline has no answer for that turn (it ships the first turn only)."""


@dataclass
class JudgeResult:
    stats: RunStats
    stored: int = 0
    """Rows this run wrote to the store."""
    already: int = 0
    """Judgments this run made whose row another process had written meanwhile (not written again)."""
    unscored: int = 0
    flagged: int = 0
    failed: list[Failure] = field(default_factory=list)
    """Judgments that still failed after every retry, with their reasons (stored; the next run retries them)."""
    left: int = 0
    """Judgments still missing when this run ended, claimed by another live process whose lease still holds."""

    @property
    def failures(self) -> int:
        return len(self.failed)


def pairs(cfg: JudgeConfig, models: list[str]) -> list[tuple[str, str]]:
    if cfg.baseline:
        return [(m, cfg.baseline) for m in models if m != cfg.baseline]
    if cfg.all_pairs:
        return list(itertools.combinations(models, 2))
    raise SpecError("pairwise judging needs {baseline} or {all_pairs}")


def plan(store: Store, cfg: JudgeConfig, prompts: PromptSet) -> JudgePlan:
    prompts.require(cfg.mode)
    parse_spec(cfg.spec)
    answers = store.latest_answers()
    stored_models = sorted({m for m, *_ in answers})
    baselines = store.baselines()
    # A bench's shipped baseline is judged against, never graded as a candidate unless named.
    models = list(cfg.models) if cfg.models else [m for m in stored_models if m not in baselines]
    unknown = [m for m in models if m not in stored_models]
    if unknown:
        raise ConfigError(
            f"no stored answers for model(s) {', '.join(unknown)}; stored: {', '.join(stored_models) or 'none'}"
        )
    if cfg.mode == "pairwise" and cfg.baseline:
        if cfg.baseline not in stored_models:
            raise ConfigError(
                f"baseline '{cfg.baseline}' has no stored answers; stored models: {', '.join(stored_models)}"
            )
        if cfg.baseline not in models:
            models.append(cfg.baseline)
    done = store.judgment_keys(cfg.name)
    _one_prompt_set(store, cfg.name, prompts)
    questions = store.questions()
    items, total, missing, no_baseline = [], 0, 0, 0
    groups = (
        [(m,) for m in models] if cfg.mode == "single" else [g for a, b in pairs(cfg, models) for g in ((a, b), (b, a))]
    )
    for (bench, qid), q in sorted(questions.items()):
        for turn in range(1, min(len(q.turns), 2) + 1):
            for group in groups:
                texts = [[answers.get((m, bench, qid, t)) for t in range(1, turn + 1)] for m in group]
                if any(a is None for chain in texts for a in chain):
                    lacking = {m for m, chain in zip(group, texts) if any(a is None for a in chain)}
                    if lacking <= baselines and all(answers.get((m, bench, qid, 1)) for m in lacking):
                        no_baseline += (
                            cfg.samples
                        )  # the bench ships its baseline's first turn only: nothing to wait for
                    elif any(a is not None for chain in texts for a in chain):
                        missing += cfg.samples
                    continue
                chains = [[a.text for a in chain] for chain in texts]  # type: ignore[union-attr]
                own = prompts.for_lang(q.lang)
                prompt = own.pick("single" if cfg.mode == "single" else "pairwise", turn, q.reference(turn) is not None)
                assert prompt is not None  # require() made sure
                values = item_values(prompt, own, q, turn) | _answer_values(cfg.mode, turn, chains)
                _check_aspects(prompt, own, q)
                system, user = prompt.render(values)
                messages = [Message(role="system", content=system), Message(role="user", content=user)]
                flags = tuple(
                    sorted(
                        {
                            (f"{'AB'[i]}:" if cfg.mode == "pairwise" else "") + flag
                            for i, chain in enumerate(chains)
                            for flag in injection_flags(chain[-1])
                        }
                    )
                )
                answer_keys = tuple(tuple(a.key for a in chain) for chain in texts)  # type: ignore[union-attr]
                for sample in range(cfg.samples):
                    total += 1
                    request = content_key(
                        "judgment/v1",
                        {
                            "judge": cfg.name,
                            "spec": cfg.spec,
                            "settings": cfg.settings.model_dump(),
                            "prompt": prompt.name,
                            "system": system,
                            "user": user,
                            "sample": sample,
                        },
                    )
                    key = judgment_key(request, group, answer_keys)
                    if key not in done:
                        items.append(
                            JudgeItem(
                                key,
                                request,
                                answer_keys,
                                cfg.mode,
                                q,
                                bench,
                                turn,
                                group,
                                sample,
                                prompt,
                                messages,
                                flags,
                            )
                        )
    return JudgePlan(items, total, missing, no_baseline)


def _one_prompt_set(store: Store, judge: str, prompts: PromptSet) -> None:
    """One judge name, one set of prompts: judgments of two prompt sets under one name would pool as samples."""
    stored = store.judgment_prompts(judge)
    if not stored:
        return
    foreign = sorted(stored - prompts.names_used)
    hashes = {r.prompts_hash for r in store.judges() if r.name == judge}
    if foreign or (hashes and prompts.digest not in hashes):
        what = (
            f"prompts {', '.join(foreign[:3])}{'…' if len(foreign) > 3 else ''}"
            if foreign
            else "prompts worded otherwise"
        )
        raise ConfigError(
            f"judge '{judge}' already has judgments from {what} than these ({prompts.source}, hash {prompts.digest}); "
            "give it a new name so the report keeps the two apart"
        )


def _answer_values(mode: str, turn: int, chains: list[list[str]]) -> dict[str, str]:
    if mode == "single":
        (chain,) = chains
        return {"answer": chain[0], "answer_1": chain[0]} | ({"answer_2": chain[1]} if turn == 2 else {})
    a, b = chains
    values = {"answer_a": a[0], "answer_b": b[0], "answer_a_1": a[0], "answer_b_1": b[0]}
    if turn == 2:
        values |= {"answer_a_2": a[1], "answer_b_2": b[1]}
    return values


def _check_aspects(prompt: JudgePrompt, prompts: PromptSet, q: Question) -> None:
    if "priority_aspect" in prompt.fields and prompts.aspects and q.category not in prompts.aspects:
        raise ConfigError(
            f"{prompts.source}: prompt '{prompt.name}' needs a priority aspect for category '{q.category}', "
            f"which the aspects file lacks (it has: {', '.join(sorted(prompts.aspects))})"
        )


@dataclass
class _Judging:
    """One judge's run over its plan, a reply at a time: count its tokens, read its verdict, re-ask a reply without
    one (within `max_reasks`), build the judgment, write it. Each step is a method, so each can be read alone."""

    store: Store
    cfg: JudgeConfig
    price: Price | None
    result: JudgeResult
    usage: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    """Tokens per item so far, re-asks included: a judgment's cost is all it took."""

    def on_success(self, job: Job, completion: Completion, latency: float) -> Outcome:
        item: JudgeItem = job.payload
        item.replies.append(completion.text)
        tokens = self.count(item, completion)
        verdict = parse_score(completion.text) if item.kind == "single" else parse_winner(completion.text)
        outcome = Outcome(
            input_tokens=completion.usage.input_tokens or 0,
            output_tokens=completion.usage.output_tokens or 0,
            cost=self.price.cost(completion.usage) or 0.0 if self.price else 0.0,
        )
        if verdict.problem and item.attempts <= self.cfg.max_reasks:
            return self.reask(job, item, completion, outcome)
        self.write(self.record(item, verdict, tokens))
        return outcome

    def count(self, item: JudgeItem, completion: Completion) -> list[int]:
        tokens = self.usage[item.key]
        tokens[0] += completion.usage.input_tokens or 0
        tokens[1] += completion.usage.output_tokens or 0
        return tokens

    def reask(self, job: Job, item: JudgeItem, completion: Completion, outcome: Outcome) -> Outcome:
        """Ask once more for the verdict in its format, the reply so far kept in the conversation."""
        item.attempts += 1
        fmt = "[[rating]], a number from 1 to 10" if item.kind == "single" else "[[A]], [[B]] or [[C]]"
        item.messages = [
            *item.messages,
            Message(role="assistant", content=completion.text),
            Message(role="user", content=REASK.format(fmt=fmt)),
        ]
        outcome.follow_ups.append(Job(messages=item.messages, payload=item, size=job.size, key=item.key))
        outcome.finished = False
        return outcome

    def record(self, item: JudgeItem, verdict: Verdict, tokens: list[int]) -> Judgment:
        return Judgment(
            key=item.key,
            kind=item.kind,
            judge=self.cfg.name,
            prompt=item.prompt.name,
            bench=item.bench,
            question_id=item.question.id,
            turn=item.turn,
            model=item.models[0],
            model_b=item.models[1] if len(item.models) > 1 else None,
            sample=item.sample,
            score=verdict.score,
            winner=verdict.winner,
            judgment="\n\n[re-asked for the verdict]\n\n".join(item.replies),
            problem=verdict.problem,
            flags=item.flags,
            attempts=item.attempts,
            usage=Usage(input_tokens=tokens[0], output_tokens=tokens[1]),
            cost_usd=self.price.cost_of(*tokens) if self.price else None,
            request_key=item.request_key,
            answer_keys=item.answer_keys,
        )

    def write(self, judgment: Judgment) -> None:
        """Store it; another process may have stored the same judgment first, which is counted, not doubled."""
        written = self.store.add_judgments([judgment])
        self.result.stored += written
        self.result.already += 1 - written
        self.result.unscored += written and not judgment.scored
        self.result.flagged += written and bool(judgment.flags)

    def on_failure(self, job: Job, error: str, attempts: int) -> int:
        item: JudgeItem = job.payload
        failure = Failure(
            key=item.key,
            bench=item.bench,
            question_id=item.question.id,
            turn=item.turn,
            model=self.cfg.name,
            error=error,
            attempts=attempts,
            role="judge",
        )
        self.store.add_failure(failure)
        self.result.failed.append(failure)
        return 0


async def run_plan(
    store: Store,
    cfg: JudgeConfig,
    judge_plan: JudgePlan,
    options: BackendOptions,
    *,
    concurrency: int | None = None,
    rpm: float | None = None,
    tpm: float | None = None,
    policy: RetryPolicy = RetryPolicy(),
    prices: PriceTable | None = None,
    show_progress: bool = True,
    batch: BatchOptions | None = None,
) -> JudgeResult:
    result = JudgeResult(RunStats())
    if not judge_plan.items:
        return result
    steps = _Judging(store, cfg, price_of(cfg, prices, batch is not None), result)
    backend = make_backend(parse_spec(cfg.spec), options)
    owner = claim_owner()

    def claim(job: Job) -> bool:
        return store.claim(job.payload.key, owner, policy.lease(options.timeout), "judgments")

    progress = Progress(f"judge {cfg.name}", enabled=show_progress)
    runner = choose(
        Runner(
            backend,
            cfg.settings,
            concurrency=concurrency,
            rpm=rpm,
            tpm=tpm,
            timeout=options.timeout,
            policy=policy,
            progress=progress,
        ),
        batch,
        lambda: Ledger.of(store, cfg.spec, cfg.name, "judgments"),
    )
    jobs = [
        Job(messages=i.messages, payload=i, size=sum(len(m.content) for m in i.messages), key=i.key)
        for i in judge_plan.items
    ]
    try:
        already = judge_plan.total - len(jobs)
        result.stats = await runner.run(jobs, steps.on_success, steps.on_failure, claim=claim, already=already)
    finally:
        store.release(owner)
        await backend.aclose()
    return result


def price_of(cfg: JudgeConfig, prices: PriceTable | None, batch: bool) -> Price | None:
    price = (prices or PriceTable()).lookup(cfg.spec)
    return price.at_batch() if price and batch else price


def check_prompts(cfg: JudgeConfig, prompts: PromptSet, questions: list[Question]) -> None:
    """Every question's prompt renders for this judge's mode, each turn it will be judged on — before any request: a
    missing placeholder, prompt or priority aspect is found here, not after the answers are paid for."""
    prompts.require(cfg.mode)
    kind = "single" if cfg.mode == "single" else "pairwise"
    for q in questions:
        own = prompts.for_lang(q.lang)
        for turn in range(1, min(len(q.turns), 2) + 1):
            prompt = own.pick(kind, turn, q.reference(turn) is not None)
            if prompt is None:
                raise ConfigError(f"{prompts.source}: no {kind} prompt for turn {turn} of question {q.id} ({q.lang})")
            _check_aspects(prompt, own, q)
            chains = [["…"] * turn] * (1 if kind == "single" else 2)
            try:
                prompt.render(item_values(prompt, own, q, turn) | _answer_values(cfg.mode, turn, chains))
            except (KeyError, IndexError, ValueError) as e:
                raise ConfigError(
                    f"{prompts.source}: prompt '{prompt.name}' cannot be filled for question {q.id} ({e})"
                ) from None


def judge(
    store: Store, cfg: JudgeConfig, prompts: PromptSet, options: BackendOptions, **kwargs: Any
) -> tuple[JudgePlan, JudgeResult]:
    if cfg.base_url:
        options = dataclasses.replace(options, base_url=cfg.base_url)
    judge_plan = plan(store, cfg, prompts)
    if judge_plan.items:
        store.register_judge(cfg.name, cfg.spec, cfg.settings, prompts.source, prompts.digest)
    return judge_plan, asyncio.run(run_plan(store, cfg, judge_plan, options, **kwargs))
