"""`seabench generate` against the fake OpenAI server: wall time ÷ ideal, for 1,000 requests at 0.2 s latency."""

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=500, help="two-turn questions (requests = 2 × this)")
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    server = subprocess.Popen([sys.executable, "-m", "tests.fakes", "--latency", str(args.latency)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline())
    try:
        with tempfile.TemporaryDirectory() as tmp:
            bench = Path(tmp) / "bench.jsonl"
            langs = ["en", "vi", "id", "ms", "tl", "th", "km", "lo", "my"]
            bench.write_text(
                "\n".join(
                    json.dumps({"question_id": i, "category": "safety", "lang": langs[i % 9], "turns": [f"question {i}", f"and then {i}?"]})
                    for i in range(args.questions)
                ),
                encoding="utf-8",
            )
            cmd = [
                sys.executable, "-m", "seabench", "generate", "--model", "openai:bench-model", "--base-url", f"http://127.0.0.1:{port}/v1",
                "--bench", str(bench), "--db", str(Path(tmp) / "s.db"), "--concurrency", str(args.concurrency),
            ]
            started = time.perf_counter()
            result = subprocess.run(cmd, cwd=ROOT, env={**os.environ, "OPENAI_API_KEY": "bench"}, capture_output=True, text=True)
            wall = time.perf_counter() - started
            if result.returncode != 0:
                sys.exit(f"generate failed:\n{result.stdout}\n{result.stderr}")
    finally:
        server.terminate()
        server.wait()
    requests = 2 * args.questions
    ideal = max(requests * args.latency / args.concurrency, 2 * args.latency)
    run = float(re.search(r"requests in ([0-9.]+)s", result.stdout).group(1))
    print(f"requests: {requests}, latency {args.latency}s, concurrency {args.concurrency}; ideal {ideal:.2f}s")
    print(f"generation (first request to last answer stored): {run:.2f}s  → ratio {run / ideal:.3f}  (goal ≤ 1.05)")
    print(f"whole command (imports, bench and store included): {wall:.2f}s  → ratio {wall / ideal:.3f}")


if __name__ == "__main__":
    main()
