"""How long `seabench merge` takes over many stores: N stores of about 10k judgments each (the synthetic store: five
candidates, two judges, pairwise verdicts), each under its own model names as shards of one run would be, merged into
one new store by the real command. Prints the time against the goal (1 s per 10k judgments) and checks the union.

    python benchmarks/merge.py [--stores 10]
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.synthetic import synthetic_store  # noqa: E402


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sources = []
        for i in range(args.stores):
            db = Path(tmp) / f"shard-{i}.db"
            synthetic_store(db, models=5, seed=i)
            with sqlite3.connect(db) as con:  # shards of one run hold different models' work: rename them apart
                for table, columns in (
                    ("models", ["name"]),
                    ("answers", ["model"]),
                    ("judgments", ["model", "model_b"]),
                ):
                    for column in columns:
                        con.execute(f"UPDATE {table} SET {column} = {column} || '-s{i}' WHERE {column} LIKE 'model-%'")
                con.execute(f"UPDATE answers SET key = key || '-s{i}'")  # their keys, which hash the model, differ too
                con.execute(f"UPDATE judgments SET key = key || '-s{i}'")
            sources.append(db)
        judgments = sum(count(db, "judgments") for db in sources)
        into = Path(tmp) / "all.db"
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "seabench", "merge", *map(str, sources), "--into", str(into)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        seconds = time.perf_counter() - started
        assert done.returncode == 0, done.stderr
        merged = count(into, "judgments")
        goal = judgments / 10_000
        print(f"{args.stores} stores, {judgments:,} judgments in all ({judgments // args.stores:,} each)")
        print(
            f"merge: {seconds:.2f}s, the whole command (goal ≤ {goal:.1f}s, 1 s per 10k judgments): "
            f"{seconds / goal:.2f}×"
        )
        print(f"merged store: {merged:,} judgments ({'every one' if merged == judgments else 'MISSING SOME'})")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "seabench", "merge", *map(str, sources), "--into", str(into)],
            capture_output=True,
            check=True,
            cwd=ROOT,
        )
        print(
            f"merging again (nothing new): {time.perf_counter() - started:.2f}s; {count(into, 'judgments'):,} judgments"
        )


if __name__ == "__main__":
    main()
