"""Three `seabench generate` processes on one new store at once, against the fake OpenAI server: do they split the
work? Prints requests sent ÷ answers stored against the goal 1 + 2·concurrency/N, duplicates, and exit codes.

    python benchmarks/concurrent_generate.py [--processes 3] [--concurrency 8] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes import FakeServer  # noqa: E402


def run(processes: int, concurrency: int, latency: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp, FakeServer("openai", latency=latency) as server:
        db = Path(tmp) / "shared.db"
        env = {**os.environ, "OPENAI_API_KEY": "k"}
        args = [
            sys.executable,
            "-m",
            "seabench",
            "generate",
            "--model",
            "openai:m",
            "--db",
            str(db),
            "--base-url",
            server.url,
            "--concurrency",
            str(concurrency),
        ]
        procs = [
            subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(processes)
        ]
        codes = [p.wait(timeout=300) for p in procs]
        errors = [p.stderr.read() for p in procs if p.returncode]  # type: ignore[union-attr]
        con = sqlite3.connect(db)
        stored = con.execute("SELECT count(*) FROM answers").fetchone()[0]
        con.close()
        sent = len(server.requests)
        keys = [str(r["body"]["messages"]) for r in server.requests]
        return {
            "codes": codes,
            "errors": errors,
            "stored": stored,
            "sent": sent,
            "duplicates": len(keys) - len(set(keys)),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    r = run(args.processes, args.concurrency, args.latency)
    goal = 1 + 2 * args.concurrency / max(1, r["stored"])
    print(f"{args.processes} processes × concurrency {args.concurrency}, latency {args.latency}s, bundled bench")
    print(f"exit codes: {r['codes']}" + (f"; errors: {r['errors']}" if r["errors"] else ""))
    print(f"answers stored: {r['stored']}; requests sent: {r['sent']}; duplicate requests: {r['duplicates']}")
    print(f"sent ÷ stored = {r['sent'] / max(1, r['stored']):.3f} (goal ≤ {goal:.3f})")


if __name__ == "__main__":
    main()
