"""Rate limits learned from 429s and from headers, learned timeouts and hedged stragglers: fake servers that enforce
a limit or hang, talked to by the real SDK clients; the pacer's arithmetic on a hand-driven clock."""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
from dataclasses import dataclass, field

import pytest

from seabench.backends import BackendOptions
from seabench.backends.base import parse_limits, parse_retry_after
from seabench.bench import load_bench
from seabench.generate import ModelRun, generate
from seabench.records import GenerationSettings
from seabench.runner import RetryPolicy
from seabench.runner.pace import FIRST_CUT, MARGIN, Pacer
from seabench.runner.tail import Tail
from seabench.store import Store

from .fakes import FakeServer, Fault

POLICY = RetryPolicy(max_attempts=10, base_delay=0.05, max_delay=0.5)


def _bench(tmp_path, n: int, turns: int = 1):
    path = tmp_path / "b.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(
                {
                    "question_id": f"q{i}",
                    "category": "safety",
                    "lang": "en",
                    "turns": [f"question {i} turn {t}" for t in range(1, turns + 1)],
                }
            )
            for i in range(n)
        )
    )
    return load_bench(path)


def _generate(tmp_path, server, n: int, **kw):
    bench = _bench(tmp_path, n)
    with Store(tmp_path / "s.db") as store:
        (result,) = generate(
            store,
            bench,
            [ModelRun(name="m", spec="openai:m", settings=GenerationSettings())],
            list(bench.questions),
            BackendOptions(base_url=server.url, timeout=kw.pop("timeout", 10.0)),
            show_progress=False,
            policy=POLICY,
            **kw,
        )
    rows = (
        sqlite3.connect(tmp_path / "s.db")
        .execute("SELECT question_id, COUNT(*) FROM answers GROUP BY question_id")
        .fetchall()
    )
    return result, rows


@pytest.mark.parametrize("announce", ["429", "headers"])
def test_an_unknown_rate_limit_is_learned_and_kept_to(tmp_path, announce, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    # 1,200 a minute = 20 a second, a bucket of 20; 80 requests from 8 workers would meet ~60 refusals unpaced.
    with FakeServer(latency=0.1, rpm=1200, announce=announce) as server:
        result, rows = _generate(tmp_path, server, 80)
        sent, refused = len(server.requests), server.throttled
    assert len(rows) == 80 and all(n == 1 for _, n in rows) and not result.failures
    assert result.stats.throttled == refused
    if announce == "headers":
        assert refused == 0  # paced to the announced limit from the first reply on
    else:
        # finding the limit costs a fixed dozen refusals (the first wave, the ramp's overshoot, a probe): in a 4 s run
        # that is most of them; unpaced, ~60 of ~140 would be refused
        assert refused <= 0.2 * sent, (refused, sent)


def test_without_a_limit_nothing_is_paced(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    with FakeServer(latency=0.05) as server:
        result, rows = _generate(tmp_path, server, 40, concurrency=8)
        starts = sorted(r["t"] for r in server.requests)
    assert len(rows) == 40 and result.stats.throttled == 0
    # 8 in flight at once, from the first moment: no spacing was invented.
    assert starts[7] - starts[0] < 0.05


def test_retry_after_in_every_form_a_server_sends_and_nonsense_as_absent():
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    assert parse_retry_after({"retry-after": "2"}) == 2.0
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # a date in the past: now
    # a hostile or broken server's "nan" and "inf" would have reached the pacer's clock arithmetic
    assert parse_retry_after({"retry-after-ms": "nan", "retry-after": "3"}) == 3.0
    assert parse_retry_after({"retry-after": "inf"}) is None and parse_retry_after({"retry-after": "nan"}) is None
    assert parse_retry_after({"retry-after": "soon"}) is None


def test_limit_headers_of_both_providers_are_read():
    openai = parse_limits(
        {
            "x-ratelimit-limit-requests": "600",
            "x-ratelimit-remaining-requests": "0",
            "x-ratelimit-reset-requests": "1m30.5s",
            "x-ratelimit-limit-tokens": "150000",
            "x-ratelimit-remaining-tokens": "149000",
            "x-ratelimit-reset-tokens": "120ms",
        }
    )
    assert openai is not None
    assert (openai.requests_limit, openai.requests_remaining, openai.requests_reset_s) == (600, 0, 90.5)
    assert (openai.tokens_limit, openai.tokens_remaining, openai.tokens_reset_s) == (
        150000,
        149000,
        pytest.approx(0.12),
    )
    anthropic = parse_limits(
        {
            "anthropic-ratelimit-requests-limit": "50",
            "anthropic-ratelimit-requests-remaining": "49",
            "anthropic-ratelimit-requests-reset": "2999-01-01T00:00:00Z",
            "anthropic-ratelimit-input-tokens-limit": "30000",
            "anthropic-ratelimit-input-tokens-remaining": "29000",
            "anthropic-ratelimit-input-tokens-reset": "2000-01-01T00:00:00Z",
        }
    )
    assert anthropic is not None and (anthropic.requests_limit, anthropic.tokens_limit) == (50, 30000)
    assert anthropic.requests_reset_s > 1e9 and anthropic.tokens_reset_s == 0.0
    assert parse_limits({"content-type": "application/json"}) is None
    # a header of inf or nan (a broken proxy) is no number: it used to raise OverflowError out of the backend
    odd = parse_limits({"x-ratelimit-limit-requests": "inf", "x-ratelimit-remaining-requests": "nan"})
    assert odd is None or (odd.requests_limit is None and odd.requests_remaining is None)
    zoneless = parse_limits(
        {"anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-reset": "2026-01-01T00:00:00"}
    )
    assert zoneless is not None and zoneless.requests_limit == 50 and zoneless.requests_reset_s is None
    assert (
        parse_limits({"x-ratelimit-limit-requests": "600", "x-ratelimit-reset-requests": "soon"}).requests_reset_s
        is None
    )


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_the_first_cluster_of_429s_cuts_then_the_next_measures_the_limit():
    clock = Clock()
    pacer = Pacer(clock=clock)
    # 9 sent at once; after a burst the provider lets 10 a second through and refuses the rest.
    sends = [clock.t] * 9
    pacer._sent.extend(sends)
    pacer._inflight.extend(sends)
    for t in sends[:6]:
        pacer.ok(t)
    clock.t += 0.2
    pacer.throttled(sends[6], retry_after=None)  # refusals short of a cluster teach nothing
    pacer.throttled(sends[7], retry_after=None)
    assert pacer.learned_rps is None
    pacer.throttled(sends[8], retry_after=None)
    # 6 got through in (at least) a second: a cautious start, then a ramp.
    assert pacer.learned_rps == pytest.approx(FIRST_CUT * 6 / 1.0) and pacer.ramping
    # Two seconds at the limit, 10 a second, then three refusals: the slope between the cuts is the limit.
    base = clock.t
    times = [base + i / 10 for i in range(1, 21)]
    for t in times:
        pacer._sent.append(t)
        pacer._inflight.append(t)
        pacer.ok(t)
    clock.t = base + 2.05
    pacer._sent.extend([clock.t] * 3)
    pacer._inflight.extend([clock.t] * 3)
    for _ in range(3):
        pacer.throttled(clock.t, retry_after=1.0)
    span = clock.t - sends[8]
    assert pacer.learned_rps == pytest.approx(MARGIN * 20 / span) and not pacer.ramping
    # A whole-second Retry-After does not stop the pool for a second: the pace takes over from an empty allowance.
    assert pacer.paused_until <= clock.t and pacer._requests.level <= 0


def _steady(pacer: Pacer, clock: Clock, seconds: float, per_s: float, refuse) -> int:
    """Send `per_s` a second for `seconds` on the fake clock; `refuse(i)` says which requests get a 429."""
    refused = 0
    for i in range(int(seconds * per_s)):
        clock.t += 1 / per_s
        pacer._bound = True  # the pool is waiting on the pacer: probing faster is useful
        pacer._probe(clock.t)
        pacer._sent.append(clock.t)
        pacer._inflight.append(clock.t)
        if refuse(i):
            refused += 1
            pacer.throttled(clock.t, retry_after=0.2)
        else:
            pacer.ok(clock.t)
    return refused


def test_scattered_429s_neither_cut_the_pace_nor_pause_the_pool():
    clock = Clock()
    pacer = Pacer(clock=clock)
    rng = random.Random(4)
    refused = _steady(pacer, clock, 120, 40, lambda i: rng.random() < 0.03)
    assert refused > 100  # 3% of 4,800: each waits out its own Retry-After
    assert pacer.learned_rps is None and pacer.paused_until == 0.0


def test_a_pace_cut_by_noise_is_back_within_ten_percent_in_thirty_seconds():
    clock = Clock()
    pacer = Pacer(clock=clock)
    pacer.learned_rps, pacer._last_change = 5.0, clock.t  # halved from 10/s by a cluster that was bad luck
    pacer._rebuild()
    _steady(pacer, clock, 30, 8, lambda i: False)
    assert pacer.learned_rps >= 9.0


def test_a_real_limit_answers_the_probes_and_keeps_refusals_rare():
    """A 10/s limit that refuses whatever is sent past it: probing finds it again and again, and refuses little."""
    clock = Clock()
    pacer = Pacer(clock=clock)
    pacer.learned_rps, pacer._last_change = 9.7, clock.t
    pacer._rebuild()
    allowance, sent, refused = 10.0, 0, 0
    last = clock.t
    while clock.t < 100 + 120:
        clock.t += 1 / pacer.rate()
        allowance = min(10.0, allowance + (clock.t - last) * 10.0)
        last = clock.t
        pacer._bound = True
        pacer._probe(clock.t)
        pacer._sent.append(clock.t)
        pacer._inflight.append(clock.t)
        sent += 1
        if allowance >= 1:
            allowance -= 1
            pacer.ok(clock.t)
        else:
            refused += 1
            pacer.throttled(clock.t, retry_after=1.0)
    assert refused / sent <= 0.05
    assert 8.5 <= pacer.learned_rps <= 12


def test_an_announced_limit_paces_requests_and_a_spent_allowance_waits_for_its_reset():
    async def go():
        pacer = Pacer()
        from seabench.records import RateLimits

        pacer.ok(await pacer.acquire(), RateLimits(requests_limit=600, requests_remaining=5, requests_reset_s=0.1))
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        for _ in range(5):
            pacer.done(await pacer.acquire())
        spaced = loop.time() - t0
        pacer.ok(await pacer.acquire(), RateLimits(requests_limit=600, requests_remaining=0, requests_reset_s=0.3))
        t1 = loop.time()
        pacer.done(await pacer.acquire())
        return spaced, loop.time() - t1, pacer.rate()

    spaced, waited, rate = asyncio.run(go())
    assert rate == pytest.approx(10 * MARGIN)
    assert spaced >= 4 / (10 * MARGIN) - 0.02  # five starts at 10 a second: four intervals
    assert waited >= 0.28


def test_a_token_cap_holds_requests_back_until_tokens_are_refunded():
    async def go():
        pacer = Pacer(tpm=6000)  # 100 tokens a second, a bucket of 100
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        first = await pacer.acquire(100)
        second = await pacer.acquire(100)  # the bucket is empty: a second's worth of waiting
        waited = loop.time() - t0
        pacer.ok(first, tokens=10, reserved=100)  # the reply used 10: 90 come back
        pacer.ok(second, tokens=10, reserved=100)
        t1 = loop.time()
        await pacer.acquire(100)
        return waited, loop.time() - t1

    waited, after_refund = asyncio.run(go())
    assert waited >= 0.95 and after_refund < 0.3


def test_a_hung_request_is_hedged_and_stored_once(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    calls = []

    def reply(body):
        calls.append(body["messages"][-1]["content"])
        # The 30th request hangs; its copy is answered.
        return Fault("hang") if len(calls) == 30 else f"ok: {calls[-1]}"

    with FakeServer(latency=0.05, reply=reply, hang_s=20.0) as server:
        result, rows = _generate(tmp_path, server, 40, timeout=60.0)
    s = result.stats
    assert len(rows) == 40 and all(n == 1 for _, n in rows) and not result.failures
    assert s.hedged == 1 and s.hedge_wins == 1 and s.sent == 41 == len(calls)
    assert calls.count(calls[29]) == 2  # the hung question was asked twice, once per copy
    assert s.wall_s < 10  # it did not wait out the 20 s hang (nor the 60 s timeout)


def _straggling_tail() -> Tail:
    """A Tail that has learned 10 ms latencies and sees every waiting request as overtaken: a straggler."""
    tail = Tail(30.0, hedge_floor_s=0.02)
    for _ in range(20):
        tail.seen(0.01)
    tail._overtaken = lambda mark: True  # type: ignore[method-assign]
    return tail


def test_hedging_stays_within_its_budget_and_a_failed_copy_gives_up_on_the_straggler():
    async def go():
        tail = _straggling_tail()

        async def hang():
            await asyncio.sleep(5)
            return "late"

        attempts = {"n": 0}

        async def first_hangs_copy_fails():
            attempts["n"] += 1
            if attempts["n"] == 1:
                return await hang()
            raise RuntimeError("copy refused")

        async def nothing():
            return None

        loop = asyncio.get_running_loop()
        t0 = loop.time()
        with pytest.raises(RuntimeError, match="copy refused"):
            await tail.call(first_hangs_copy_fails, nothing)
        gave_up = loop.time() - t0
        hedged_once = tail.hedged
        # The budget: at least 2 copies, then 5% of requests started.
        tail.started = 0
        for _ in range(3):
            try:
                await asyncio.wait_for(tail.call(hang, nothing), 0.2)
            except asyncio.TimeoutError:
                pass
        return gave_up, hedged_once, tail.hedged

    gave_up, hedged_once, hedged = asyncio.run(go())
    assert gave_up < 1.0 and hedged_once == 1
    assert hedged == 2  # one more allowed (2 in all) out of 3 straggling calls


def test_the_timeout_is_learned_between_floor_and_ceiling():
    tail = Tail(120.0, floor_s=5.0)
    assert tail.timeout_s() == 120.0 and tail.hedge_after_s() is None  # nothing seen yet
    for _ in range(50):
        tail.seen(0.2)
    assert tail.timeout_s() == 5.0  # 8 × 0.2 s is under the floor
    for _ in range(500):
        tail.seen(4.0)
    assert tail.timeout_s() == 32.0 and tail.hedge_after_s() == 12.0
    assert Tail(20.0, floor_s=30.0).timeout_s() == 20.0


def test_a_copy_that_hangs_too_gets_a_copy_of_its_own():
    """The copy can meet a hang of its own (a 20% fault mix sends one in 30 requests into a hang); the run then waited
    the hang out — 32 s where 16 s was usual in `benchmarks/api_limits.py --only hangs-20`."""

    async def go():
        tail = _straggling_tail()
        sent = []

        async def send():
            sent.append(len(sent))
            if len(sent) <= 2:  # the request and its first copy both hang
                await asyncio.sleep(5)
            return f"reply {len(sent)}"

        async def nothing():
            return None

        loop = asyncio.get_running_loop()
        t0 = loop.time()
        reply, won = await asyncio.wait_for(tail.call(send, nothing), 2.0)
        return reply, won, tail.hedged, loop.time() - t0

    reply, won, hedged, took = asyncio.run(go())
    assert (reply, won, hedged) == ("reply 3", True, 2) and took < 1.0


def test_a_straggling_copy_gets_another_even_after_the_original_failed():
    async def go():
        tail = _straggling_tail()
        sent = []

        async def send():
            sent.append(1)
            if len(sent) == 1:  # the original straggles, then its connection drops
                await asyncio.sleep(0.05)
                raise ConnectionError("dropped")
            if len(sent) == 2:  # its copy hangs
                await asyncio.sleep(5)
            return "third"

        async def nothing():
            return None

        return await asyncio.wait_for(tail.call(send, nothing), 2.0), tail.hedged

    (reply, won), hedged = asyncio.run(go())
    assert (reply, won, hedged) == ("third", True, 2)


def test_a_straggler_among_the_last_requests_is_hedged_once_those_sent_after_it_are_back():
    """At a run's end fewer than OVERTAKEN requests follow a hang; once all of them are back it is a straggler."""

    async def go():
        tail = Tail(30.0, hedge_floor_s=0.02)
        for _ in range(20):
            tail.seen(0.01)
        copies = []

        async def hang_then_answer():
            copies.append(1)
            if len(copies) == 1:
                await asyncio.sleep(5)
            return "copy"

        async def quick():
            await asyncio.sleep(0.01)
            return "quick"

        async def nothing():
            return None

        straggler = asyncio.ensure_future(tail.call(hang_then_answer, nothing))
        await asyncio.sleep(0)  # it is sent first; three follow it and come back
        rest = await asyncio.gather(*(tail.call(quick, nothing) for _ in range(3)))
        return await asyncio.wait_for(straggler, 2.0), rest, tail.hedged

    (reply, won), rest, hedged = asyncio.run(go())
    assert (reply, won, hedged) == ("copy", True, 1) and [r for r, _ in rest] == ["quick"] * 3


@dataclass(frozen=True)
class _Recording(RetryPolicy):
    """Records the attempt number each backoff was computed from (the one place that turns it into seconds)."""

    seen: list = field(default_factory=list)

    def delay(self, attempt, retry_after, rng):
        self.seen.append(attempt)
        return super().delay(attempt, retry_after, rng)


@pytest.mark.parametrize("healthy", [True, False])
def test_backoff_follows_the_servers_health_not_one_unlucky_requests_count(tmp_path, monkeypatch, healthy):
    """One request failing four times while the rest succeed retries at the first step each time (20% faults with
    hangs: a run waited 4–8 s on one request's fourth backoff); a server failing everything backs off exponentially."""
    from seabench.backends import make_backend, parse_spec
    from seabench.records import Message
    from seabench.runner import Job, Outcome, Runner

    monkeypatch.setenv("OPENAI_API_KEY", "k")
    tries = {"unlucky": 0}

    def reply(body):
        asked = body["messages"][-1]["content"]
        if asked == "unlucky" or not healthy:
            tries["unlucky"] += asked == "unlucky"
            if tries["unlucky"] <= 4 or not healthy:
                return Fault("500")
        return "ok"

    async def go(url):
        backend = make_backend(parse_spec("openai:m"), BackendOptions(base_url=url, timeout=10))
        policy = _Recording(max_attempts=5, base_delay=0.05, max_delay=1.0)
        runner = Runner(backend, GenerationSettings(), concurrency=2, policy=policy)
        # The unlucky question goes first; the others keep succeeding while it waits.
        names = ["unlucky"] + [f"q{i}" for i in range(120 if healthy else 1)]
        jobs = [Job(messages=[Message(role="user", content=n)], payload=n) for n in names]
        try:
            stats = await runner.run(jobs, lambda j, c, latency: Outcome(), lambda j, e, a: 0)
        finally:
            await backend.aclose()
        return stats, policy.seen

    with FakeServer(latency=0.02, reply=reply) as server:
        stats, seen = asyncio.run(go(server.url))
    if healthy:
        assert stats.done == 121 and stats.failed == 0
        assert seen == [1, 1, 1, 1]  # every retry came after other requests had succeeded
    else:
        assert stats.failed == 2
        assert max(seen) == 4  # its own four failures in a row: 1, 2, 3, 4 (the two requests interleave)


def test_when_everything_is_slow_nothing_is_hedged():
    async def go():
        tail = Tail(30.0, hedge_floor_s=0.02)
        for _ in range(20):
            tail.seen(0.01)

        async def slow():
            await asyncio.sleep(0.3)  # far past 3 x p95, but nothing sent later has come back: no straggler
            return "ok"

        async def nothing():
            return None

        return await asyncio.gather(*(tail.call(slow, nothing) for _ in range(4))), tail.hedged

    replies, hedged = asyncio.run(go())
    assert [r for r, _ in replies] == ["ok"] * 4 and hedged == 0


def test_after_a_run_with_a_hedged_straggler_nothing_is_left_in_flight(monkeypatch):
    from seabench.backends import make_backend, parse_spec
    from seabench.records import Message
    from seabench.runner import Job, Outcome, Runner

    monkeypatch.setenv("OPENAI_API_KEY", "k")
    calls = []

    def reply(body):
        calls.append(1)
        return Fault("hang") if len(calls) == 30 else "ok"

    async def go(url):
        backend = make_backend(parse_spec("openai:m"), BackendOptions(base_url=url, timeout=60))
        runner = Runner(backend, GenerationSettings(), concurrency=8)
        jobs = [Job(messages=[Message(role="user", content=f"q{i}")], payload=i) for i in range(40)]
        try:
            stats = await runner.run(jobs, lambda j, c, latency: Outcome(), lambda j, e, a: 0)
        finally:
            await backend.aclose()
        return stats, runner.pacer._inflight

    with FakeServer(latency=0.05, reply=reply, hang_s=20.0) as server:
        stats, inflight = asyncio.run(go(server.url))
    assert stats.hedged == 1 and stats.done == 40
    assert inflight == []  # a copy's send is not left counting as a success for the rate it measures


def test_a_huge_concurrency_is_capped_per_server(monkeypatch):
    """--concurrency 100000 queues behind a few hundred connections a server instead of opening a storm of them."""
    from seabench import defaults as D
    from seabench.backends import make_backend, parse_spec
    from seabench.runner import Runner

    monkeypatch.setenv("OPENAI_API_KEY", "k")
    one = make_backend(parse_spec("openai:m"), BackendOptions(base_url="http://127.0.0.1:9/v1"))
    two = make_backend(parse_spec("openai:m"), BackendOptions(base_url="http://127.0.0.1:9/v1,http://127.0.0.1:8/v1"))
    assert Runner(one, GenerationSettings(), concurrency=100_000).concurrency == D.CONNECTIONS_PER_HOST
    assert Runner(two, GenerationSettings(), concurrency=100_000).concurrency == 2 * D.CONNECTIONS_PER_HOST
    assert Runner(one, GenerationSettings(), concurrency=12).concurrency == 12


def test_the_background_test_is_scipys_binomial_tail_even_for_a_fast_pool():
    """Cluster detection asks how surprising k refusals of n are; a pool at hundreds a second puts thousands in a
    window, where a plain binomial coefficient no longer fits a float."""
    from scipy.stats import binom

    from seabench.runner.pace import _tail

    for k, n in ((3, 20), (0, 5), (7, 16), (60, 1200), (600, 1200), (90, 5000)):
        assert _tail(k, n, 0.05) == pytest.approx(binom.sf(k - 1, n, 0.05), rel=1e-9, abs=1e-300)
