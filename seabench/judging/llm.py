"""LLM judges: single 1–10 grading and pairwise A/B/tie, per turn, with or without a reference; any backend judges.

Runs a judge's plan (`plan.py`: what to ask, resumable like `generate`); combining a pair's two orders is
`pair_outcomes`. A reply without a usable verdict is re-asked a bounded number of times, then stored unscored.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..backends import BackendOptions, make_backend, parse_spec
from ..backends.base import CONTEXT_FULL
from ..pricing import Price, PriceTable
from ..records import Completion, Failure, JudgeConfig, Judgment, Message, Usage
from ..runner import Job, Outcome, Progress, RetryPolicy, Runner, RunStats
from ..runner.batch import BatchOptions, Ledger, choose
from ..store import Store, claim_owner
from .plan import JudgeItem, JudgePlan, plan
from .prompts import PromptSet
from .verdicts import Verdict, parse_score, parse_winner

REASK = (
    "Your reply has no verdict in the required format. Reply again with your verdict only, exactly in the format "
    "the instructions ask for ({fmt})."
)


@dataclass
class JudgeResult:
    stats: RunStats
    stored: int = 0
    """Rows this run wrote to the store."""
    already: int = 0
    """Judgments this run made whose row another process had written meanwhile (not written again)."""
    unscored: int = 0
    flagged: int = 0
    context_full: int = 0
    """Judgments stored unscored because the conversation outgrew the judge's context (a re-ask carries the reply)."""
    cut: int = 0
    """Judgments stored unscored whose last reply stopped at the judge's token limit before a verdict (a reasoning
    judge spends its tokens on reasoning first)."""
    failed: list[Failure] = field(default_factory=list)
    """Judgments that still failed after every retry, with their reasons (stored; the next run retries them)."""
    left: int = 0
    """Judgments still missing when this run ended, claimed by another live process whose lease still holds."""

    @property
    def failures(self) -> int:
        return len(self.failed)

    @property
    def nothing_scored(self) -> bool:
        """Every judgment this run stored is unscored: the judge's replies carry no verdict in the prompt's format,
        which is no result (and not a success)."""
        return self.stored > 0 and self.unscored == self.stored


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
        self.result.cut += bool(verdict.problem) and completion.finish_reason == "length"
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
        if error.startswith(CONTEXT_FULL):
            # Sending it again would be refused again: the judgment ends here, unscored with the reason, keeping
            # whatever the judge replied before the re-ask that overflowed.
            self.write(self.record(item, Verdict(problem=error), self.usage[item.key]))
            self.result.context_full += 1
            return 0
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


def judge(
    store: Store,
    cfg: JudgeConfig,
    prompts: PromptSet,
    options: BackendOptions,
    judge_plan: JudgePlan | None = None,
    scope: frozenset[tuple[str, str]] | None = None,
    **kwargs: Any,
) -> tuple[JudgePlan, JudgeResult]:
    """Plan (unless `judge_plan` is the plan just made) and run one judge, over the questions in `scope` (all stored
    ones when None)."""
    if cfg.base_url:
        options = dataclasses.replace(options, base_url=cfg.base_url)
    if judge_plan is None:
        judge_plan = plan(store, cfg, prompts, scope)
    if judge_plan.items:
        store.register_judge(cfg.name, cfg.spec, cfg.settings, prompts.source, prompts.digest)
    return judge_plan, asyncio.run(run_plan(store, cfg, judge_plan, options, **kwargs))
