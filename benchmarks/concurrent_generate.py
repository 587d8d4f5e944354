"""Three `seabench generate` processes on one new store at once, against the fake OpenAI server: do they split the
work? Prints requests sent ÷ answers stored against the goal 1 + 2·concurrency/N, duplicates, and exit codes.

`--trials N` starts the processes on N new stores, one after another, and counts the runs that failed and the false
"damaged" errors among them (the race on a new store: goal 0), on `--limit-total` questions each.

    python benchmarks/concurrent_generate.py [--processes 3] [--concurrency 8] [--latency 0.05]
    python benchmarks/concurrent_generate.py --processes 5 --trials 50 --limit-total 20
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


def run(processes: int, concurrency: int, latency: float, limit_total: int | None = None) -> dict:
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
            *(["--limit-total", str(limit_total)] if limit_total else []),
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
    parser.add_argument("--trials", type=int, default=1)
    parser.add_argument("--limit-total", type=int, default=None)
    args = parser.parse_args()
    if args.trials > 1:
        failed = damaged = 0
        for _ in range(args.trials):
            r = run(args.processes, args.concurrency, args.latency, args.limit_total)
            failed += sum(1 for c in r["codes"] if c)
            damaged += sum("damaged" in e for e in r["errors"])
        runs = args.trials * args.processes
        print(
            f"{args.trials} new stores × {args.processes} processes: {failed} of {runs} runs failed, {damaged} with a"
        )
        print("false 'damaged' error (goal 0)")
        return
    r = run(args.processes, args.concurrency, args.latency, args.limit_total)
    goal = 1 + 2 * args.concurrency / max(1, r["stored"])
    print(f"{args.processes} processes × concurrency {args.concurrency}, latency {args.latency}s, bundled bench")
    print(f"exit codes: {r['codes']}" + (f"; errors: {r['errors']}" if r["errors"] else ""))
    print(f"answers stored: {r['stored']}; requests sent: {r['sent']}; duplicate requests: {r['duplicates']}")
    print(f"sent ÷ stored = {r['sent'] / max(1, r['stored']):.3f} (goal ≤ {goal:.3f})")


if __name__ == "__main__":
    main()
