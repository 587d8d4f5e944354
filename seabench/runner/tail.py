"""Tail latency: a per-attempt timeout learned from the latencies seen, and hedged requests for stragglers.

A request that hangs costs a whole timeout, and the run waits for its slowest request. Once enough replies have been
seen, a request that has waited far past the typical latency gets a copy, and a copy that straggles in turn gets
another (the first reply wins, the others are cancelled), within a budget of a few percent of the requests sent; and
no attempt waits longer than a timeout learned from the same latencies (never under `floor_s`, never over the user's
`--timeout`).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

MIN_SEEN = 20
"""Replies seen before anything is learned; until then the user's --timeout alone applies and nothing is hedged."""
OVERTAKEN = 8
"""A straggler is a request that later ones have overtaken: only when this many requests sent after it have come back
does it get a copy. When everything is slow (the client's own CPU saturated, a provider slow for everyone) requests come
back in order, and a copy would only add load."""
COPIES = 2
"""Copies one request may get. A copy can straggle too (it met a hang of its own), and then the run would wait the
hang out; a third straggler in a row says the request itself is the trouble, which the timeout settles."""


class Tail:
    def __init__(
        self, ceiling_s: float, *, floor_s: float = 30.0, hedge_share: float = 0.05, hedge_floor_s: float = 0.5
    ):
        self.ceiling_s, self.floor_s = ceiling_s, min(floor_s, ceiling_s)
        self.hedge_share, self.hedge_floor_s = hedge_share, hedge_floor_s
        self.latencies: deque[float] = deque(maxlen=500)
        self.started = 0
        """Requests started, hedged copies included."""
        self.hedged = 0
        """Second copies sent."""
        self.hedge_wins = 0
        """Second copies whose reply was the one kept."""
        self.timeouts = 0
        """Attempts cut by the learned timeout."""
        self._sent = 0
        self._back: deque[int] = deque(maxlen=2000)
        """Send numbers of the latest replies, to tell how many later requests have overtaken a waiting one."""

    def seen(self, latency: float) -> None:
        self.latencies.append(latency)

    def _overtaken(self, mark: int) -> bool:
        """Whether requests sent after send number `mark` have overtaken it: OVERTAKEN of them, or every one there is
        (the last requests of a run have few behind them, and a hang there would hold up the whole run). With none
        sent after it there is no telling a straggler from a slow everything, so the last request waits."""
        later = self._sent - mark
        return later > 0 and sum(1 for n in self._back if n > mark) >= min(OVERTAKEN, later)

    def _quantile(self, q: float) -> float | None:
        if len(self.latencies) < MIN_SEEN:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def timeout_s(self) -> float:
        """How long one attempt may take: 8 × the 99th percentile latency, within [floor, --timeout]."""
        p99 = self._quantile(0.99)
        return self.ceiling_s if p99 is None else min(self.ceiling_s, max(self.floor_s, 8 * p99))

    def hedge_after_s(self) -> float | None:
        """When a waiting request gets a second copy: 3 × the 95th percentile latency (at least `hedge_floor_s`)."""
        p95 = self._quantile(0.95)
        return None if p95 is None else max(self.hedge_floor_s, 3 * p95)

    def may_hedge(self) -> bool:
        return self.hedged + 1 <= max(2.0, self.hedge_share * self.started)

    async def call(
        self, send: Callable[[], Awaitable[T]], before_hedge: Callable[[], Awaitable[object]]
    ) -> tuple[T, bool]:
        """`send()` once, and again if that straggles (up to COPIES more, one after another, each judged a straggler by
        the same rule from when it was sent); the first reply wins. Returns (reply, a copy won).

        A failure of an earlier copy waits for the later ones; a failure of the latest gives up on the straggler too
        (the runner retries). Raises `TimeoutError` when nothing replies within the timeout. Latencies learned while a
        request waits count for it: the first requests of a run can straggle too.
        """
        loop = asyncio.get_running_loop()
        started = loop.time()
        self.started += 1
        number = self._sent = self._sent + 1
        tasks: list[asyncio.Future[T]] = [asyncio.ensure_future(send())]
        # When the newest copy went out, and the send number from which it must be overtaken.
        latest_at, mark = started, number
        try:
            while True:
                for task in tasks:
                    if task.done() and task.exception() is None:
                        won = task is not tasks[0]
                        self.hedge_wins += won
                        self._back.append(number)
                        return task.result(), won
                if tasks[-1].done():
                    raise tasks[-1].exception()  # type: ignore[misc]
                limit, now = self.timeout_s(), loop.time()
                if now - started >= limit:
                    self.timeouts += 1
                    raise TimeoutError(f"no reply within {limit:.1f}s")
                wake = started + limit
                if len(tasks) <= COPIES:
                    hedge_at = self.hedge_after_s()
                    if (
                        hedge_at is not None
                        and now - latest_at >= hedge_at
                        and self.may_hedge()
                        and self._overtaken(mark)
                    ):
                        await before_hedge()  # a copy is a request like any other: it waits for the rate limit too
                        if not any(t.done() and t.exception() is None for t in tasks):  # none answered meanwhile
                            self.started += 1
                            self.hedged += 1
                            tasks.append(asyncio.ensure_future(send()))
                            latest_at, mark = loop.time(), self._sent
                        continue
                    due = (
                        now + 0.5
                        if hedge_at is None
                        else latest_at + hedge_at
                        if now - latest_at < hedge_at
                        else now + 0.05
                    )
                    wake = min(wake, due)
                pending = [t for t in tasks if not t.done()]
                await asyncio.wait(pending, timeout=max(0.0, wake - loop.time()), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                if not task.done():
                    task.cancel()
            # Let cancelled copies unwind (their connections close) without surfacing their errors.
            await asyncio.gather(*tasks, return_exceptions=True)
