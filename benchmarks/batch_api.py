"""`seabench eval` on the bundled bench (360 questions, 450 turns) against fake OpenAI servers, once through the
synchronous API and once with `--batch`: requests, batches, what is stored, and the cost each run records.

    python benchmarks/batch_api.py
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes import FakeServer  # noqa: E402


def run(tmp: Path, batch: bool) -> dict:
    db = tmp / ("batch.db" if batch else "sync.db")
    prices = tmp / "prices.json"
    prices.write_text(json.dumps({"openai:cand": [0.15, 0.6], "openai:judge": [2.5, 10.0]}))
    with (
        FakeServer(latency=0.01) as cand,
        FakeServer(latency=0.01, reply=lambda body: "Reasons. Rating: [[7]]") as judge,
    ):
        cmd = [
            sys.executable,
            "-m",
            "seabench",
            "eval",
            "--model",
            "openai:cand",
            "--base-url",
            cand.url,
            "--judge",
            "openai:judge",
            "--judge-base-url",
            judge.url,
            "--db",
            str(db),
            "--out",
            str(tmp / "r.html"),
            "--prices",
            str(prices),
        ]
        if batch:
            cmd += ["--batch", "--batch-poll", "0.05"]
        result = subprocess.run(
            cmd, cwd=ROOT, env={**os.environ, "OPENAI_API_KEY": "bench"}, capture_output=True, text=True
        )
        if result.returncode != 0:
            sys.exit(result.stderr)
        sync_calls = sum(r["path"].endswith("/chat/completions") for r in cand.requests + judge.requests)
        batches = [len(b["lines"]) for b in (*cand.batches.values(), *judge.batches.values())]
    con = sqlite3.connect(db)
    cost = con.execute("SELECT (SELECT SUM(cost_usd) FROM answers) + (SELECT SUM(cost_usd) FROM judgments)").fetchone()[
        0
    ]
    stored = con.execute("SELECT (SELECT COUNT(*) FROM answers), (SELECT COUNT(*) FROM judgments)").fetchone()
    return {"sync_calls": sync_calls, "batches": batches, "answers": stored[0], "judgments": stored[1], "cost": cost}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sync, batch = run(Path(tmp), False), run(Path(tmp), True)
    for label, r in (("synchronous", sync), ("--batch", batch)):
        print(
            f"{label:>12}: {r['answers']} answers + {r['judgments']} judgments stored; {r['sync_calls']} synchronous "
            f"requests, "
            f"{len(r['batches'])} batches {r['batches']}; recorded cost ${r['cost']:.4f}"
        )
    print(
        f"cost --batch ÷ synchronous: {batch['cost'] / sync['cost']:.3f} (the providers' batch discount is 0.5); "
        f"same rows stored: {(batch['answers'], batch['judgments']) == (sync['answers'], sync['judgments'])}"
    )


if __name__ == "__main__":
    main()
