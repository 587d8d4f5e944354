"""How fast to send: the user's hard caps (--rpm, --tpm) and the limits a provider lets us learn.

A provider either announces its limits in response headers (OpenAI's `x-ratelimit-*`, Anthropic's
`anthropic-ratelimit-*`) or only refuses with 429. Announced limits are paced to directly. With 429s alone the limit is
measured: after a 429 the provider's allowance is empty, so the successful requests sent between two 429s are exactly
what it let through in that time, whatever burst it allowed at the start. A limit refuses in clusters (everything sent
past it); scattered 429s among many successes are noise (an overloaded backend, a proxy) and teach no rate.

A Retry-After is the earliest time to retry *that* request (the runner waits it out for the request); it holds back
the pool only when refusals cluster, and then only until the pace can take over: servers round it up to whole
seconds, and a pool paused a whole second at every refusal of a 10/s limit runs at half speed. Once a rate is
learned, quiet stretches probe faster and faster (2%, 4%, 8%… per PROBE_EVERY_S), so a rate cut by noise is back
within 10% of the limit in under 30 s, while a real limit answers a probe with a cluster that measures it again.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable

from ..records import RateLimits

FIRST_CUT = 0.5
"""After the first 429 nothing is known but that the pool sent too fast (a starting burst may have hidden by how much):
drop to this share of what got through in the first second (at least), then ramp up until the next 429 measures the
limit."""
RAMP_PER_S = 0.5
"""Growth per second while ramping up after the first cut."""
MARGIN = 0.97
"""Share of a measured or announced limit to pace at."""
PROBE_EVERY_S = 3.0
PROBE_STEP = 0.02
"""Once the limit is measured, a run that has gone PROBE_EVERY_S without a 429 tries PROBE_STEP faster, and each
further quiet stretch doubles the step: limits change, and a rate cut by noise must climb back quickly."""
PROBE_MAX = 0.25
"""The largest step: a probe past a real limit is refused in proportion to how far it overshot."""
CLUSTER = 0.10
CLUSTER_MIN = 3
WINDOW_S, WINDOW_N = 2.0, 20
"""A 429 teaches a rate when enough of the requests sent in the last WINDOW_S seconds (or the last WINDOW_N requests,
if that is longer) were refused: before any limit is seen, at least CLUSTER_MIN and more than a random BACKGROUND
would give (see SURPRISE); once one is, two and CLUSTER's share."""
BACKGROUND, SURPRISE = 0.05, 0.01
"""Before any limit is seen, refusals cluster when that many among those sent would happen in under 1% of windows if
5% of requests were refused at random: early on, three refusals in twenty requests is bad luck, not a limit."""
RECHECK_S = 0.25
MIN_SPAN_S = 1.0
"""Two 429s closer than this measure nothing: the second only pauses the pool, and the measurement goes on."""


class Bucket:
    """A token bucket: `rate` per second, holding at most `capacity` (the burst allowed)."""

    def __init__(self, rate: float, capacity: float = 1.0, now: float = 0.0):
        self.rate, self.capacity, self.level, self.at = rate, capacity, capacity, now

    def delay(self, now: float, cost: float = 1.0) -> float:
        """Seconds until `cost` may be spent (a cost over the capacity needs a full bucket, then runs into debt)."""
        self.level, self.at = min(self.capacity, self.level + (now - self.at) * self.rate), now
        return max(0.0, (min(cost, self.capacity) - self.level) / self.rate)

    def take(self, cost: float = 1.0) -> None:
        self.level -= cost

    def refund(self, cost: float) -> None:
        self.level = min(self.capacity, self.level + cost)


class Pacer:
    """Decides when each request may start. One per runner: every worker asks it, so a 429 slows the whole pool."""

    def __init__(
        self, rpm: float | None = None, tpm: float | None = None, *, clock: Callable[[], float] = time.monotonic
    ):
        self.clock = clock
        self.cap_rps = rpm / 60 if rpm else None
        self.cap_tps = tpm / 60 if tpm else None
        self.announced_rps: float | None = None
        self.announced_tps: float | None = None
        self.learned_rps: float | None = None
        self._requests: Bucket | None = None
        self._tokens: Bucket | None = None
        self._lock = asyncio.Lock()
        self._rebuild()
        self.paused_until = 0.0
        self.started = clock()
        self.ramping = False
        self._cut_sent_at: float | None = None
        """When the request whose 429 set the current rate was sent (the allowance was empty then)."""
        self._cut_at = -1.0
        """When that rate was set: 429s of requests sent before it belong to the overload already answered."""
        self._ok_sent: deque[float] = deque()
        """Send times of successful requests, for measuring what got through between two 429s."""
        self._sent: deque[float] = deque()
        self._refused: deque[float] = deque()
        self._inflight: list[float] = []
        """Send times of requests not answered yet: a 429 comes back at once, the successes sent just before it
        later."""
        self._last_change = self.started
        self._bound = False
        """Whether a request had to wait for the pacer since the last change: only then is probing faster useful."""
        self._step = PROBE_STEP

    # when to send ------------------------------------------------------------------------------------------------

    def rate(self) -> float | None:
        """Requests per second to pace at; None when nothing limits them."""
        rates = [r for r in (self.cap_rps, self.announced_rps and self.announced_rps * MARGIN, self.learned_rps) if r]
        return min(rates) if rates else None

    def _rebuild(self) -> None:
        rate = self.rate()
        if rate is None:
            self._requests = None
        elif self._requests is None:
            self._requests = Bucket(rate, now=self.clock())
        else:
            self._requests.rate = rate
        tps = [t for t in (self.cap_tps, self.announced_tps and self.announced_tps * MARGIN) if t]
        if not tps:
            self._tokens = None
        elif self._tokens is None:
            # A burst of a second's worth: one long prompt must not wait a whole minute's allowance.
            self._tokens = Bucket(min(tps), capacity=max(1.0, min(tps)), now=self.clock())
        else:
            self._tokens.rate = min(tps)
            self._tokens.capacity = max(1.0, min(tps))

    async def acquire(self, tokens: int = 0) -> float:
        """Wait until a request may start; returns the time it starts (its send time, for `ok` and `throttled`).

        Requests wait in line, and the one at the front looks again at least every `RECHECK_S`: the rate may rise while
        it waits (a ramp, a header), and a slot reserved at the old rate would keep it waiting for nothing."""
        async with self._lock:
            while True:
                now = self.clock()
                if self.paused_until > now:
                    await asyncio.sleep(min(self.paused_until - now, RECHECK_S))
                    continue
                self._probe(now)
                delay = self._requests.delay(now) if self._requests else 0.0
                if self._tokens and tokens:
                    delay = max(delay, self._tokens.delay(now, tokens))
                if delay <= 0:
                    break
                self._bound = True
                await asyncio.sleep(min(delay, RECHECK_S))
            if self._requests:
                self._requests.take()
            if self._tokens and tokens:
                self._tokens.take(tokens)
            self._inflight.append(now)
            self._sent.append(now)
            while self._sent[0] < now - 120:
                self._sent.popleft()
            return now

    def _probe(self, now: float) -> None:
        if self.learned_rps is None:
            return
        since = now - self._last_change
        if self.ramping and since >= 0.25:
            self.learned_rps *= (1 + RAMP_PER_S) ** since
        elif not self.ramping and since >= PROBE_EVERY_S and self._bound:
            self.learned_rps *= 1 + self._step
            self._step = min(2 * self._step, PROBE_MAX)
        else:
            return
        self._last_change, self._bound = now, False
        self._rebuild()

    # what came back --------------------------------------------------------------------------------------------

    def ok(self, sent_at: float, limits: RateLimits | None = None, tokens: int = 0, reserved: int = 0) -> None:
        """A request sent at `sent_at` succeeded, with these headers and the tokens it really used."""
        self.done(sent_at)
        self._ok_sent.append(sent_at)
        while self._ok_sent and self._ok_sent[0] < self.clock() - 120:
            self._ok_sent.popleft()
        if self._tokens and tokens != reserved:
            self._tokens.refund(reserved - tokens)
        if limits:
            self._announce(limits)

    def done(self, sent_at: float) -> None:
        """A request sent at `sent_at` is answered, whatever the answer (`ok` and `throttled` say so themselves)."""
        if sent_at in self._inflight:
            self._inflight.remove(sent_at)

    def throttled(self, sent_at: float, retry_after: float | None, limits: RateLimits | None = None) -> None:
        """A request sent at `sent_at` got a 429."""
        self.done(sent_at)
        now = self.clock()
        if limits:
            self._announce(limits)
        self._refused.append(sent_at)
        while self._refused[0] < now - 120:
            self._refused.popleft()
        announced = bool(limits and limits.known)
        if not (announced or self._clustered(sent_at)):
            return  # scattered: that request waits out its Retry-After, the pool goes on
        self._step = PROBE_STEP
        first = self.learned_rps is None
        if sent_at >= self._cut_at and not announced:
            self._learn(sent_at, now)
        rate = self.rate()
        if rate is None or (first and not announced):
            # nothing to pace at yet, or a first cut made blind: hold the pool while what is in flight comes back
            pause = retry_after if retry_after is not None else (1 / rate if rate else 1.0)
            self.paused_until = max(self.paused_until, now + pause)
        elif self._requests is not None:
            self._requests.level = min(self._requests.level, 0.0)  # the allowance is spent: start again at the pace

    def _clustered(self, sent_at: float) -> bool:
        recent = [t for t in self._sent if t <= sent_at]
        since = min(sent_at - WINDOW_S, recent[-WINDOW_N] if len(recent) >= WINDOW_N else self.started)
        refused = sum(1 for t in self._refused if since <= t <= sent_at)
        sent = sum(1 for t in recent if t >= since)
        if self.learned_rps is not None:  # a limit was seen: a probe past it is expected, two refusals say so
            return refused >= 2 and refused >= CLUSTER * sent
        # none seen yet: only refusals too many to be a background of BACKGROUND scattered ones cut the pace
        return refused >= CLUSTER_MIN and _tail(refused, sent, BACKGROUND) < SURPRISE

    def _learn(self, sent_at: float, now: float) -> None:
        if self._cut_sent_at is None:
            through = sum(1 for t in (*self._ok_sent, *self._inflight) if t <= sent_at)
            self.learned_rps = max(0.05, FIRST_CUT * through / max(sent_at - self.started, 1.0))
            self.ramping = True
        else:
            span = sent_at - self._cut_sent_at
            if span < MIN_SPAN_S:
                return
            # Those still in flight mostly get through: near the limit only the few sent past it are refused.
            through = sum(1 for t in (*self._ok_sent, *self._inflight) if self._cut_sent_at < t < sent_at)
            self.learned_rps = max(0.05, MARGIN * through / span)
            self.ramping = False
        self._cut_sent_at, self._cut_at, self._last_change, self._bound = sent_at, now, now, False
        self._rebuild()

    def _announce(self, limits: RateLimits) -> None:
        if limits.requests_limit:
            self.announced_rps = limits.requests_limit / 60
        if limits.tokens_limit:
            self.announced_tps = limits.tokens_limit / 60
        # An allowance that is spent waits for its reset, whatever the pace says.
        for remaining, reset in (
            (limits.requests_remaining, limits.requests_reset_s),
            (limits.tokens_remaining, limits.tokens_reset_s),
        ):
            if remaining is not None and remaining <= 0 and reset:
                self.paused_until = max(self.paused_until, self.clock() + min(reset, 60.0))
        self._rebuild()


def _tail(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p), each term in logs: math.comb(n, i) alone overflows a float past n ≈ 1,030 (a
    fast pool sends that many in a window)."""
    log_p, log_q = math.log(p), math.log1p(-p)
    whole = math.lgamma(n + 1)
    return math.fsum(
        math.exp(whole - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q)
        for i in range(k, n + 1)
    )
