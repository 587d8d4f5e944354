"""`seabench generate` against a fake OpenAI server that behaves like a real API: a rate limit the client is not told,
the same limit announced only in headers, and faults that include 30 s hangs. Each line prints its goal's ratio
with the numbers it came from.

    python benchmarks/api_limits.py                      # all three
    python benchmarks/api_limits.py --only unknown-limit
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


def limited(announce: str, n: int, rpm: float) -> None:
    with FakeServer(latency=0.2, rpm=rpm, announce=announce) as server:
        run, summary = generate(server, n)
        sent = len(server.requests)
    ideal = n / (rpm / 60)
    label = (
        "limit the client is not told (429 + Retry-After only)"
        if announce == "429"
        else "limit announced only in headers"
    )
    print(f"{label}: {n} requests under {rpm:.0f}/min, ideal N ÷ rate = {ideal:.1f}s")
    print(
        f"  took {run:.2f}s → ratio {run / ideal:.3f} (goal ≤ 1.10); 429s {server.throttled} of {sent} requests sent = "
        f"{server.throttled / sent:.1%} (goal ≤ 5%)"
    )
    print(f"  {summary}")


def hangs(n: int, concurrency: int) -> None:
    with FakeServer(latency=0.2, fault_rate=0.10, hang_s=30.0, seed=1) as server:
        run, summary = generate(server, n, "--concurrency", str(concurrency), "--max-attempts", "8")
        sent, faults = len(server.requests), list(server.faults_sent)
    ideal = n * 0.2 / concurrency
    print(
        f"faults: {n} requests, concurrency {concurrency}, 0.2 s latency, 10% faults ({faults.count('hang')} hangs of "
        f"30 s, "
        f"{len(faults)} faults in all), ideal {ideal:.1f}s"
    )
    print(f"  took {run:.2f}s → ratio {run / ideal:.3f} (goal ≤ 1.5); the server saw {sent} requests for {n} answers")
    print(f"  {summary}")


def startup(questions: int, concurrency: int) -> None:
    """1,000 requests (two-turn questions) at 0.2 s latency: the whole command, imports included, against the ideal."""
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
        started = time.perf_counter()
        result = subprocess.run(
            cmd, cwd=ROOT, env={**os.environ, "OPENAI_API_KEY": "bench"}, capture_output=True, text=True
        )
        wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(result.stderr)
    run = float(re.search(r"requests? in ([0-9.]+)s", result.stderr).group(1))  # type: ignore[union-attr]
    requests = 2 * questions
    ideal = max(requests * 0.2 / concurrency, 0.4)
    print(f"start-up: {requests} requests, 0.2 s latency, concurrency {concurrency}; ideal {ideal:.2f}s")
    print(
        f"  generation phase {run:.2f}s → ratio {run / ideal:.3f}; whole command {wall:.2f}s → ratio "
        f"{wall / ideal:.3f} (goal ≤ 1.10)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["unknown-limit", "header-limit", "hangs", "startup"])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rpm", type=float, default=600)
    args = parser.parse_args()
    if args.only in (None, "unknown-limit"):
        limited("429", args.requests, args.rpm)
    if args.only in (None, "header-limit"):
        limited("headers", args.requests, args.rpm)
    if args.only in (None, "hangs"):
        hangs(320, 8)
    if args.only in (None, "startup"):
        startup(500, 32)


if __name__ == "__main__":
    main()
