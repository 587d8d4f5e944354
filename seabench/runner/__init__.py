"""The one place with concurrency, rate limiting, retries and progress, for every backend and every stage.

Work arrives as `Job`s. `concurrency` workers each take up to `backend.batch_size` ready jobs (longest first when
batching, so a batch holds prompts of similar length), wait for the pacer (`pace`: hard caps and learned rate
limits), call the backend (`tail`: learned timeouts, hedged stragglers), retry what is retryable with exponential
backoff and jitter (honouring Retry-After), and hand each result to the stage, which stores it at once and may
return follow-up jobs (turn 2 after turn 1).
"""

from __future__ import annotations

import asyncio
import heapq
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from .. import defaults as D
from ..backends.base import AbortRun, Backend, Fatal, Retryable
from ..records import Completion, GenerationSettings, Message
from .pace import Pacer
from .tail import Tail


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_retry_after: float = 300.0

    def lease(self, timeout: float) -> float:
        """Seconds a claim on a request must last: every attempt timing out, with the longest wait between."""
        return self.max_attempts * (timeout + self.max_delay)

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        backoff = min(self.max_delay, self.base_delay * 2 ** (attempt - 1)) * rng.uniform(0.5, 1.0)
        if retry_after is not None:
            return max(backoff, min(retry_after, self.max_retry_after))
        return backoff


@dataclass
class Job:
    """One request: the conversation to send and whatever the stage needs to store the result."""

    messages: Sequence[Message]
    payload: Any
    size: int = 0
    """Prompt length, for grouping similar lengths into one batch."""
    span: int = 1
    """Requests this job stands for, later turns included: what the progress bar moves if another process takes it."""
    key: str = ""
    """The store key of what it produces: a batch request's custom id."""
    attempt: int = 1
    """The attempt it is on (a retried job waits out its backoff in a queue; its worker takes other work meanwhile)."""


@dataclass
class Outcome:
    """What the stage did with a result, for the progress line."""

    follow_ups: list[Job] = field(default_factory=list)
    finished: bool = True
    """False when the result only led to asking again (a judge re-asked for its verdict): not progress."""
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0


@dataclass
class RunStats:
    sent: int = 0
    """Requests sent, retries included."""
    done: int = 0
    failed: int = 0
    blocked: int = 0
    """Later turns never asked because an earlier turn failed."""
    elsewhere: int = 0
    """Requests left to another process working on the same store (it claimed them, or already stored them)."""
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    wall_s: float = 0.0
    throttled: int = 0
    """429s received."""
    hedged: int = 0
    """Second copies sent for stragglers (counted in `sent` too); the first reply won, the other was cancelled."""
    hedge_wins: int = 0
    """Second copies whose reply was the one kept."""
    timeouts: int = 0
    """Attempts cut by the timeout learned from this run's latencies."""
    batches: int = 0
    """Provider batches submitted (a batch run's requests are in `sent`)."""
    batched: bool = False
    """Each call carried several conversations at once (a local model's --batch-size): `sent` counts forward batches."""


OnSuccess = Callable[[Job, Completion, float], Outcome]
OnFailure = Callable[[Job, str, int], int]
"""Stores the failure; returns how many later turns are now blocked."""
Claim = Callable[[Job], bool]
"""Takes a job for this process (a lease in the store); False when another process has it or has finished it."""


class Runner:
    def __init__(
        self,
        backend: Backend,
        settings: GenerationSettings,
        *,
        concurrency: int | None = None,
        rpm: float | None = None,
        tpm: float | None = None,
        timeout: float = D.TIMEOUT_S,
        policy: RetryPolicy = RetryPolicy(),
        progress: Progress | None = None,
        seed: int | None = None,
    ):
        self.backend = backend
        self.settings = settings
        # A local model runs one batch at a time (batching is its parallelism); an HTTP API takes many requests, and a
        # local serving engine (vllm:) as many as keep its continuous batching full.
        local = hasattr(backend, "max_concurrency") or getattr(backend, "local", False)
        wanted: int = concurrency if concurrency else getattr(backend, "default_concurrency", 8)
        cap = getattr(backend, "max_concurrency", None)
        if cap is None and not local:  # one pool of connections per server (--base-url URL1,URL2 gives several)
            cap = D.CONNECTIONS_PER_HOST * int(getattr(backend, "hosts", 1))
        self.concurrency: int = max(1, min(wanted, cap if cap is not None else wanted))
        self.pacer = Pacer(rpm, tpm)
        # A local model's latency is its batch's length, not a straggling server: nothing to hedge, nothing to learn.
        self.tail = None if local else Tail(timeout)
        self.policy = policy
        self.progress = progress or Progress(enabled=False)
        self.rng = random.Random(seed)
        self._failing = 0
        """Attempts that failed in a row across the pool: how unwell the server is. A retry backs off by this as well
        as by its own attempts, so a request unlucky on a healthy server (others succeeding meanwhile) tries again
        soon, while a server failing everything still gets exponentially longer waits."""
        self.stats = RunStats(batched=getattr(backend, "batch_size", 1) > 1)

    async def run(
        self,
        jobs: list[Job],
        on_success: OnSuccess,
        on_failure: OnFailure,
        total: int | None = None,
        claim: Claim | None = None,
        already: int = 0,
    ) -> RunStats:
        """Send every job (and the follow-ups they lead to). `claim`, when given, is asked right before a job is sent,
        so several processes on one store split the work; `already` is what earlier runs stored, for the progress
        bar."""
        self._pending = list(jobs)
        self._waiting: list[tuple[float, int, Job]] = []
        """Jobs waiting out a backoff: (when they may go again, order, job), a heap."""
        self._outstanding = len(jobs)
        self._cond = asyncio.Condition()
        self._on_success, self._on_failure, self._claim = on_success, on_failure, claim
        started = time.perf_counter()
        self.progress.start((total if total is not None else len(jobs)) + already, already=already)
        # No more workers than conversations: a follow-up turn takes its parent's place, so more could never be busy,
        # and an idle worker per unit of a huge --concurrency only makes every wake-up slower.
        workers = [asyncio.create_task(self._worker()) for _ in range(max(1, min(self.concurrency, len(jobs))))]
        try:
            done, _ = await asyncio.wait(workers, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                if task.exception():
                    raise task.exception()  # type: ignore[misc]
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            self.stats.wall_s = time.perf_counter() - started
            self.progress.stop(self.stats)
        return self.stats

    def _take(self) -> list[Job]:
        size = max(1, getattr(self.backend, "batch_size", 1))
        if size == 1:
            return [self._pending.pop(0)]
        self._pending.sort(key=lambda j: j.size, reverse=True)
        batch, self._pending = self._pending[:size], self._pending[size:]
        return batch

    async def _next(self) -> list[Job]:
        """The next batch to send, once one is ready; [] when all work is done."""
        async with self._cond:
            while True:
                now = time.monotonic()
                while self._waiting and self._waiting[0][0] <= now:
                    self._pending.insert(0, heapq.heappop(self._waiting)[2])
                if self._pending:
                    return self._take()
                if self._outstanding == 0:
                    return []
                wake = self._waiting[0][0] - now if self._waiting else None
                try:
                    await asyncio.wait_for(self._cond.wait(), wake)
                except asyncio.TimeoutError:
                    pass

    async def _worker(self) -> None:
        while batch := await self._next():
            taken = len(batch)
            if self._claim is not None:
                # A retried job is this process's already; a new one is claimed just before it is sent.
                mine = [j for j in batch if j.attempt > 1 or self._claim(j)]
                for job in batch:
                    if job not in mine:
                        self.stats.elsewhere += job.span
                        self.progress.update(self.stats, advance=job.span)
                batch = mine
            follow_ups, again = await self._attempt(batch) if batch else ([], None)
            async with self._cond:
                if again is not None:
                    for job in batch:
                        job.attempt += 1
                        heapq.heappush(self._waiting, (again, id(job), job))
                    taken -= len(batch)
                self._pending.extend(follow_ups)
                self._outstanding += len(follow_ups) - taken
                self._cond.notify_all()

    async def _attempt(self, batch: list[Job]) -> tuple[list[Job], float | None]:
        """One try: the follow-up jobs, and when to try again (None when the batch is finished, well or not)."""
        attempt = max(j.attempt for j in batch)
        # Reserved against a token limit until the reply says what was used: the prompt (≈ 4 bytes a token) and the
        # most the reply may take, as providers count it.
        reserve = sum(j.size // 4 for j in batch) + self.settings.max_tokens * len(batch)
        sent_at = await self.pacer.acquire(reserve)
        started = time.perf_counter()
        try:
            completions = await self._call(batch, reserve)
        except AbortRun:
            raise
        except Retryable as e:
            if e.throttled:
                self.stats.throttled += 1
                self.pacer.throttled(sent_at, e.retry_after, e.limits)
            else:
                self.pacer.done(sent_at)
            self._failing += 1
            if attempt >= self.policy.max_attempts:
                return self._fail(batch, str(e), attempt), None
            return [], time.monotonic() + self.policy.delay(min(attempt, self._failing), e.retry_after, self.rng)
        except Fatal as e:
            self.pacer.done(sent_at)
            return self._fail(batch, str(e), attempt), None
        latency = time.perf_counter() - started
        self._failing = 0
        used = sum((c.usage.input_tokens or 0) + (c.usage.output_tokens or 0) for c in completions)
        self.pacer.ok(sent_at, completions[0].limits if completions else None, tokens=used or reserve, reserved=reserve)
        if self.tail:
            self.tail.seen(latency)
        follow_ups: list[Job] = []
        finished = 0
        for job, completion in zip(batch, completions):
            outcome = self._on_success(job, completion, latency)
            follow_ups += outcome.follow_ups
            finished += outcome.finished
            self.stats.input_tokens += outcome.input_tokens
            self.stats.output_tokens += outcome.output_tokens
            self.stats.cost += outcome.cost
        self.stats.done += finished
        self.progress.update(self.stats, advance=finished)
        return follow_ups, None

    async def _call(self, batch: list[Job], reserve: int) -> list[Completion]:
        """One attempt: the backend's reply, or a second copy's if the first straggles (see `tail`)."""
        conversations = [j.messages for j in batch]
        if self.tail is None:
            self.stats.sent += 1
            return await self.backend.complete(conversations, self.settings)
        tail = self.tail

        async def send() -> list[Completion]:
            self.stats.sent += 1
            return await self.backend.complete(conversations, self.settings)

        async def before_hedge() -> None:
            # A copy waits its turn like any request, but only the original's reply is measured for rate learning.
            self.pacer.done(await self.pacer.acquire(reserve))

        try:
            completions, won = await tail.call(send, before_hedge)
        except TimeoutError as e:
            raise Retryable(str(e)) from None
        finally:
            self.stats.hedged, self.stats.hedge_wins, self.stats.timeouts = tail.hedged, tail.hedge_wins, tail.timeouts
        return completions

    def _fail(self, batch: list[Job], error: str, attempts: int) -> list[Job]:
        for job in batch:
            blocked = self._on_failure(job, error, attempts)
            self.stats.failed += 1
            self.stats.blocked += blocked
            self.progress.update(self.stats, advance=1 + blocked)
        return []


def per_time(rate: float) -> str:
    """Answers per second, or per minute when fewer than one in ten seconds (a CPU model is not "0.0/s")."""
    return f"{rate:.1f}/s" if rate >= 0.1 or rate == 0 else f"{rate * 60:.1f}/min"


class Progress:
    """A rich progress bar on a terminal; plain periodic lines otherwise. On stderr: it is status, never a result."""

    def __init__(
        self, label: str = "", *, enabled: bool = True, interval_s: float = 10.0, stream: TextIO | None = None
    ) -> None:
        self.label = label
        self.enabled = enabled
        self.interval_s = interval_s
        self.stream = stream or sys.stderr
        self._bar: Any = None  # rich's Progress, on a terminal

    def start(self, total: int, already: int = 0) -> None:
        """`total` is the whole job; `already` of it was stored by earlier runs (a resumed run shows 212 + 13 of
        225)."""
        self.total, self.done, self._t0, self._last = total, already, time.monotonic(), time.monotonic()
        self._already = already
        if not self.enabled:
            return
        from rich.console import Console

        console = Console(file=self.stream)
        if console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                TextColumn("{task.fields[extra]}"),
                console=console,
                transient=False,
            )
            self._task = self._bar.add_task(self.label, total=total, completed=already, rate="", extra="")
            self._bar.start()

    def update(self, stats: RunStats, advance: int) -> None:
        self.done += advance
        if not self.enabled:
            return
        elapsed = max(1e-9, time.monotonic() - self._t0)
        rate = per_time((self.done - self._already) / elapsed)
        extra = f"{stats.failed} failed · {stats.input_tokens + stats.output_tokens:,} tok" + (
            f" · {stats.output_tokens / elapsed:.1f} tok/s out" if stats.output_tokens > 0 else ""
        )
        extra += f" · ${stats.cost:.4f}" if stats.cost else ""
        if self._bar is not None:
            self._bar.update(self._task, advance=advance, rate=rate, extra=extra)
        elif time.monotonic() - self._last >= self.interval_s or self.done == self.total:
            self._last = time.monotonic()
            resumed = f" ({self._already} stored before)" if self._already else ""
            print(
                f"{self.label}: {self.done}/{self.total} done{resumed}, {rate}, {extra}",
                file=self.stream,
                flush=True,
            )

    def note(self, text: str) -> None:
        """A line of news (a batch's status), above the bar on a terminal."""
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.console.print(f"{self.label}: {text}", highlight=False, markup=False)
        else:
            print(f"{self.label}: {text}", file=self.stream, flush=True)

    def stop(self, stats: RunStats) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
