"""`seabench generate` against a fake OpenAI server that behaves the ways real APIs do: a rate limit the client is not
told, whose 429s give Retry-After in milliseconds, in whole seconds or not at all; a limit that allows a minute's
burst; the limit announced only in headers; scattered 429s with no limit behind them; faults that include long hangs,
alone and mixed with scattered 429s; and 1,000 requests through the whole command, beside the bare SDK doing the
same requests. Each row prints its goal's ratio
with the numbers it came from.

    python benchmarks/api_limits.py                      # every row
    python benchmarks/api_limits.py --only limit-seconds --only scattered
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes import FakeServer  # noqa: E402


def bench_file(folder: Path, n: int) -> Path:
    path = folder / "bench.jsonl"
    langs = ["en", "vi", "id", "ms", "tl", "th", "km", "lo", "my"]
    path.write_text(
        "\n".join(
            json.dumps({"question_id": i, "category": "safety", "lang": langs[i % 9], "turns": [f"question {i}"]})
            for i in range(n)
        ),
        encoding="utf-8",
    )
    return path


def generate(server: FakeServer, n: int, *extra: str) -> tuple[float, str]:
    """Run the command; the generation phase's seconds (first request to last answer stored), and its summary."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-m",
            "seabench",
            "generate",
            "--model",
            "openai:bench-model",
            "--base-url",
            server.url,
            "--bench",
            str(bench_file(Path(tmp), n)),
            "--db",
            str(Path(tmp) / "s.db"),
            *extra,
        ]
        result = subprocess.run(
            cmd, cwd=ROOT, env={**os.environ, "OPENAI_API_KEY": "bench"}, capture_output=True, text=True
        )
    if result.returncode != 0:
        sys.exit(f"generate failed:\n{result.stdout}\n{result.stderr}")
    found = re.search(r"requests? in ([0-9.]+)s", result.stderr)
    assert found, result.stderr
    return float(found.group(1)), result.stderr.strip().splitlines()[-1]


LIMIT_ROWS = {
    # name: (label, FakeServer switches, requests, requests per minute)
    "limit-ms": ("hidden limit, 429 with Retry-After in ms", {}, 200, 600),
    "limit-seconds": ("hidden limit, 429 with whole-second Retry-After", {"retry_after": "seconds"}, 200, 600),
    "limit-bare": ("hidden limit, 429 with no Retry-After", {"retry_after": "none"}, 200, 600),
    "limit-minute": ("hidden limit, a minute's burst allowed", {"burst_s": 60.0, "retry_after": "seconds"}, 400, 300),
    "limit-headers": ("limit announced only in headers", {"announce": "headers"}, 200, 600),
    "scattered": ("no limit, 3% scattered 429s (Retry-After 0.2)", {"scattered_429": 0.03}, 400, None),
}


def limited(name: str) -> None:
    label, switches, n, rpm = LIMIT_ROWS[name]
    latency, concurrency = 0.2, 8
    with FakeServer(latency=latency, rpm=rpm, seed=3, **switches) as server:
        run, summary = generate(server, n, "--concurrency", str(concurrency))
        sent, refused = len(server.requests), server.throttled + server.faults_sent.count("429")
    burst = rpm * switches.get("burst_s", 1.0) / 60 if rpm else 0.0
    ideal = max((n - burst) / (rpm / 60) if rpm else 0.0, n * latency / concurrency)
    print(f"{label}: {n} requests" + (f" under {rpm}/min" if rpm else "") + f", ideal {ideal:.1f}s")
    print(
        f"  took {run:.2f}s → ratio {run / ideal:.3f} (goal ≤ 1.10); refused {refused} of {sent} requests sent = "
        f"{refused / sent:.1%} (goal ≤ 5%)"
    )
    print(f"  {summary}")


def hangs(n: int, concurrency: int, fault_rate: float, hang_s: float, scattered: float) -> None:
    latency = 0.2
    with FakeServer(latency=latency, fault_rate=fault_rate, hang_s=hang_s, scattered_429=scattered, seed=1) as server:
        run, summary = generate(server, n, "--concurrency", str(concurrency), "--max-attempts", "8")
        sent, faults = len(server.requests), list(server.faults_sent)
    ideal = n * latency / concurrency
    print(
        f"faults: {n} requests, concurrency {concurrency}, {latency} s latency, {fault_rate:.0%} faults "
        f"({faults.count('hang')} hangs of {hang_s:.0f} s) and {scattered:.0%} scattered 429s, {len(faults)} faults in "
        f"all; ideal {ideal:.1f}s"
    )
    print(f"  took {run:.2f}s → ratio {run / ideal:.3f} (goal ≤ 1.5); the server saw {sent} requests for {n} answers")
    print(f"  {summary}")


HANG_ROWS = {
    "hangs": (320, 8, 0.10, 30.0, 0.0),
    "hangs-429": (320, 8, 0.10, 30.0, 0.03),
    "hangs-20": (450, 8, 0.20, 20.0, 0.03),
}


BARE_SDK = """
import asyncio, sys, time
import openai

async def main(url, questions, concurrency):
    client = openai.AsyncOpenAI(base_url=url, api_key="bench", http_client=openai.DefaultAioHttpClient())
    todo = list(range(questions))

    async def worker():
        while todo:
            i = todo.pop()
            messages = [{"role": "user", "content": f"q {i}"}]
            reply = await client.chat.completions.create(model="bench-model", messages=messages)
            messages += [{"role": "assistant", "content": reply.choices[0].message.content}]
            messages += [{"role": "user", "content": f"and {i}?"}]
            await client.chat.completions.create(model="bench-model", messages=messages)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    await client.close()

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
"""
"""The floor: the same conversations through the bare SDK (its import, its aiohttp client, a loop of workers) and
nothing else — no bench, store, pacing or progress."""


def startup(questions: int, concurrency: int) -> None:
    """1,000 requests (two-turn questions) at 0.2 s latency: the whole command, imports included, against the ideal
    and against the bare SDK doing the same requests in the same run."""
    with FakeServer(latency=0.2) as server, tempfile.TemporaryDirectory() as tmp:
        bench = Path(tmp) / "bench.jsonl"
        bench.write_text(
            "\n".join(
                json.dumps({"question_id": i, "category": "safety", "lang": "en", "turns": [f"q {i}", f"and {i}?"]})
                for i in range(questions)
            ),
            encoding="utf-8",
        )
        cmd = [
            sys.executable,
            "-m",
            "seabench",
            "generate",
            "--model",
            "openai:bench-model",
            "--base-url",
            server.url,
            "--bench",
            str(bench),
            "--db",
            str(Path(tmp) / "s.db"),
            "--concurrency",
            str(concurrency),
        ]
        env = {**os.environ, "OPENAI_API_KEY": "bench"}
        started = time.perf_counter()
        result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
        started = time.perf_counter()
        bare = subprocess.run(
            [sys.executable, "-c", BARE_SDK, server.url, str(questions), str(concurrency)],
            capture_output=True,
            text=True,
        )
        bare_wall = time.perf_counter() - started
    if result.returncode != 0 or bare.returncode != 0:
        sys.exit(result.stderr + bare.stderr)
    run = float(re.search(r"requests? in ([0-9.]+)s", result.stderr).group(1))  # type: ignore[union-attr]
    requests = 2 * questions
    ideal = max(requests * 0.2 / concurrency, 0.4)
    print(f"start-up: {requests} requests, 0.2 s latency, concurrency {concurrency}; ideal {ideal:.2f}s")
    print(
        f"  generation phase {run:.2f}s → ratio {run / ideal:.3f}; whole command {wall:.2f}s → ratio "
        f"{wall / ideal:.3f} (goal ≤ 1.15)"
    )
    print(
        f"  the bare SDK, same requests: {bare_wall:.2f}s → ratio {bare_wall / ideal:.3f}; seabench ÷ bare SDK "
        f"{wall / bare_wall:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=[*LIMIT_ROWS, *HANG_ROWS, "startup"], action="append")
    args = parser.parse_args()
    for name in args.only or [*LIMIT_ROWS, *HANG_ROWS, "startup"]:
        if name in LIMIT_ROWS:
            limited(name)
        elif name in HANG_ROWS:
            hangs(*HANG_ROWS[name])
        else:
            startup(500, 32)


if __name__ == "__main__":
    main()
