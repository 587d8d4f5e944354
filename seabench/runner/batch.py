"""Provider batch APIs (OpenAI's Batch API, Anthropic's Message Batches): the same jobs as the runner's, at half price,
in waves.

A wave submits every job that is ready — split to the provider's per-batch limits — polls until each batch has ended,
and hands each result to the stage like any reply; what the results lead to (turn 2 after turn 1, a judge re-asked for
its verdict) and what failed or expired go in the next wave. Every batch is written to the ledger the moment the
provider accepts it, so a run that is killed, or run again, collects that batch instead of paying for it twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ..backends.base import AbortRun, BatchState, Fatal, Retryable
from ..errors import SpecError
from ..records import Completion, GenerationSettings
from ..store import Store
from . import Claim, Job, OnFailure, OnSuccess, Outcome, Progress, RetryPolicy, Runner, RunStats


@dataclass(frozen=True)
class BatchOptions:
    """`--batch` and its settings."""

    poll_s: float = 30.0
    """Seconds between looks at a running batch."""
    sync_retry: bool = False
    """Requests a batch failed or let expire are sent one by one at the end, instead of in the next wave."""


@dataclass
class Ledger:
    """Where a stage keeps its batches (the store), as three calls."""

    open: Callable[[], dict[str, set[str]]]
    """Batches not collected yet: id → the custom ids (job keys) they hold."""
    add: Callable[[str, list[str], str], None]
    """(id, the custom ids it holds, the token it was intended under)."""
    collected: Callable[[str, str], None]
    """(id, the provider's final status)."""
    intend: Callable[[str, int], float] = lambda token, n: time.time()
    """(token, requests) before a create call → since when that submission has been intended (unix seconds)."""
    known: Callable[[], set[str]] = set
    """Every batch the store has made: never adopted as a lost one."""

    @classmethod
    def of(cls, store: Store, spec: str, name: str, role: str) -> Ledger:
        return cls(
            open=lambda: store.open_batches(spec, name, role),
            add=lambda bid, ids, token: store.add_batch(bid, spec, name, role, ids, token),
            collected=store.batch_collected,
            intend=lambda token, n: store.intend_batch(token, spec, name, role, n),
            known=store.known_batches,
        )


def choose(runner: Runner, batch: BatchOptions | None, ledger: Callable[[], Ledger]) -> Runner | BatchRunner:
    """The runner a stage uses: the synchronous one, or a batch runner that hands its leftovers to it on request."""
    if batch is None:
        return runner
    return BatchRunner(
        runner.backend,
        runner.settings,
        ledger=ledger(),
        policy=runner.policy,
        poll_s=batch.poll_s,
        sync_retry=runner if batch.sync_retry else None,
        progress=runner.progress,
    )


class BatchRunner:
    def __init__(
        self,
        backend: Any,
        settings: GenerationSettings,
        *,
        ledger: Ledger,
        policy: RetryPolicy = RetryPolicy(),
        poll_s: float = 30.0,
        sync_retry: Runner | None = None,
        progress: Progress | None = None,
    ) -> None:
        if not getattr(backend, "batch_limits", None):
            raise SpecError(
                "{batch} needs a provider with a batch API (openai: or anthropic:, at the provider's own URL)"
            )
        self.backend, self.settings, self.ledger, self.policy, self.poll_s = backend, settings, ledger, policy, poll_s
        self.sync_retry = sync_retry
        """Where failed and expired requests go instead of the next wave, when the user asked for that."""
        self.progress = progress or Progress(enabled=False)
        self.stats = RunStats()
        self.rng = random.Random()

    async def run(
        self,
        jobs: list[Job],
        on_success: OnSuccess,
        on_failure: OnFailure,
        total: int | None = None,
        claim: Claim | None = None,
        already: int = 0,
    ) -> RunStats:
        started = time.perf_counter()
        self.progress.start((total if total is not None else len(jobs)) + already, already=already)
        pending = {job.key: job for job in jobs}
        to_sync: list[Job] = []
        try:
            while pending:
                pending, failed = await self._wave(pending, on_success, on_failure, claim)
                to_sync += failed
        finally:
            self.stats.wall_s = time.perf_counter() - started
            self.progress.stop(self.stats)
        if to_sync and self.sync_retry is not None:
            self.progress.note(f"{len(to_sync)} requests the batches did not answer: sending them one by one")
            sync = await self.sync_retry.run(to_sync, on_success, on_failure)
            for name in (
                "sent",
                "done",
                "failed",
                "blocked",
                "elsewhere",
                "input_tokens",
                "output_tokens",
                "cost",
                "throttled",
                "hedged",
            ):
                setattr(self.stats, name, getattr(self.stats, name) + getattr(sync, name))
            self.stats.wall_s += sync.wall_s
        return self.stats

    async def _wave(
        self, pending: dict[str, Job], on_success: OnSuccess, on_failure: OnFailure, claim: Claim | None
    ) -> tuple[dict[str, Job], list[Job]]:
        """One wave: collect the open batches that hold pending jobs, submit the rest, wait, hand out the results.
        Returns the next wave's jobs, and the failed ones meant for synchronous retries."""
        batches = {bid: ids & pending.keys() for bid, ids in self.ledger.open().items() if ids & pending.keys()}
        for bid, ids in batches.items():
            self.progress.note(f"collecting batch {bid} ({len(ids)} requests) from an earlier run")
        held = set().union(*batches.values()) if batches else set()
        fresh = [job for key, job in pending.items() if key not in held]
        if claim is not None:
            mine = [job for job in fresh if job.attempt > 1 or claim(job)]
            for job in fresh:
                if job not in mine:
                    self.stats.elsewhere += job.span
                    self.progress.update(self.stats, advance=job.span)
                    pending.pop(job.key)
            fresh = mine
        submitted = {}
        for chunk in self._split(fresh):
            token = _token(chunk)
            since = self.ledger.intend(token, len(chunk))
            taken = set(batches) | self.ledger.known()  # batches already ours: never adopted again
            bid = await self._call(self.backend.submit_batch, [line for _, line in chunk], token, since, taken)
            self.ledger.add(bid, [job.key for job, _ in chunk], token)  # stored before anything else can go wrong
            submitted[bid] = time.monotonic()
            batches[bid] = {job.key for job, _ in chunk}
            self.stats.sent += len(chunk)
            self.stats.batches += 1
            self.progress.note(f"batch {bid}: {len(chunk)} requests submitted")
        states = await self._wait(list(batches))
        following: dict[str, Job] = {}
        failed: list[Job] = []
        ledger = self.ledger.open()
        for bid, keys in batches.items():
            state = states[bid]
            results = await self._call(self.backend.batch_results, bid) if state.error is None else {}
            latency = time.monotonic() - submitted[bid] if bid in submitted else 0.0
            for key in keys:
                job = pending[key]
                result = results.get(key, state.error or "the batch returned no result for this request")
                if isinstance(result, Completion):
                    self._succeeded(job, result, latency, on_success, following)
                elif job.attempt >= self.policy.max_attempts:
                    self.stats.failed += 1
                    blocked = on_failure(job, f"batch {bid}: {result}", job.attempt)
                    self.stats.blocked += blocked
                    self.progress.update(self.stats, advance=1 + blocked)
                else:
                    job.attempt += 1
                    if self.sync_retry is not None:
                        failed.append(job)
                    else:
                        following[key] = job
            # Collected only when this run held every request in it (a run over fewer languages leaves the rest).
            if keys == ledger.get(bid, keys):
                self.ledger.collected(bid, state.status)
        return following, failed

    def _succeeded(
        self, job: Job, completion: Completion, latency: float, on_success: OnSuccess, following: dict[str, Job]
    ) -> None:
        outcome: Outcome = on_success(job, completion, latency)
        for follow_up in outcome.follow_ups:
            following[follow_up.key] = follow_up
        self.stats.done += outcome.finished
        self.stats.input_tokens += outcome.input_tokens
        self.stats.output_tokens += outcome.output_tokens
        self.stats.cost += outcome.cost
        self.progress.update(self.stats, advance=outcome.finished)

    def _split(self, jobs: list[Job]) -> list[list[tuple[Job, dict]]]:
        """Jobs as batch lines, in chunks within the provider's limits on requests and bytes."""
        most, most_bytes = self.backend.batch_limits
        chunks: list[list[tuple[Job, dict]]] = []
        size = 0
        for job in jobs:
            line = self.backend.batch_line(job.key, job.messages, self.settings)
            n = len(json.dumps(line, ensure_ascii=False).encode("utf-8")) + 1
            if not chunks or len(chunks[-1]) >= most or size + n > most_bytes:
                chunks.append([])
                size = 0
            chunks[-1].append((job, line))
            size += n
        return chunks

    async def _wait(self, batch_ids: list[str]) -> dict[str, BatchState]:
        states: dict[str, BatchState] = {}
        seen: dict[str, tuple] = {}
        while len(states) < len(batch_ids):
            for bid in batch_ids:
                if bid in states:
                    continue
                state = await self._call(self.backend.batch_state, bid)
                shown = (state.status, state.succeeded, state.failed)
                if seen.get(bid) != shown:
                    seen[bid] = shown
                    self.progress.note(
                        f"batch {bid}: {state.status}, {state.succeeded}/{state.total} done"
                        + (f", {state.failed} failed" if state.failed else "")
                    )
                if state.ended:
                    states[bid] = state
            if len(states) < len(batch_ids):
                await asyncio.sleep(self.poll_s)
        return states

    async def _call(self, method: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        """A batch API call, retried like any request; one that keeps failing stops the run (the ledger keeps the
        batches: the next run picks them up)."""
        for attempt in range(1, self.policy.max_attempts + 1):
            try:
                return await method(*args)
            except Fatal as e:
                raise AbortRun(f"the batch API refused: {e}") from None
            except Retryable as e:
                if attempt == self.policy.max_attempts:
                    raise AbortRun(
                        f"the batch API kept failing ({e}); its batches are recorded, run the command again"
                    ) from None
                await asyncio.sleep(self.policy.delay(attempt, e.retry_after, self.rng))


def _token(chunk: list[tuple[Job, dict]]) -> str:
    """This submission's name: its requests and their attempt, so a run repeated after a lost create reply names it
    alike (and finds the batch the provider made), while a retry wave of the same requests is a new submission."""
    text = "\n".join(sorted(f"{job.key}#{job.attempt}" for job, _ in chunk))
    return "sb-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]
