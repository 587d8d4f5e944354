"""The HTML report's size and load time as the store grows: 3 × 360 and 20 × 360 (models × questions), each with single
scores from two judges (so a panel) and pairwise verdicts against the first model, built with `seabench report` and
opened in headless Chromium at 1440 px. Prints bytes and load time against the goals (≤ 1.0 MB and ≤ 5 MB; ≤ 1 s and
≤ 2 s), the page height, and the time `seabench report` took.

    python benchmarks/report_size.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.chromium import measure  # noqa: E402
from tests.synthetic import synthetic_store  # noqa: E402

GOALS = {3: (1_000_000, 1000), 20: (5_000_000, 2000)}


def main() -> None:
    print(
        f"{'models × questions':>20} {'bytes':>11} {'÷ goal':>7} {'load ms':>8} {'÷ goal':>7} {'page px':>8} "
        f"{'build s':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for models, (size_goal, load_goal) in GOALS.items():
            db, out = Path(tmp) / f"s{models}.db", Path(tmp) / f"r{models}.html"
            synthetic_store(db, models)
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "seabench", "report", "--db", str(db), "--out", str(out), "--rounds", "200"],
                check=True,
                capture_output=True,
            )
            built = time.perf_counter() - start
            # the faster of two loads: the first also warms Chromium's caches
            runs = [measure(out, 1440, Path(tmp) / f"profile{models}-{i}", height=900) for i in range(2)]
            best = min(r["load_ms"] for r in runs)
            size = out.stat().st_size
            errors = runs[0]["errors"]
            print(
                f"{f'{models} × 360':>20} {size:>11,} {size / size_goal:>7.2f} {best:>8} {best / load_goal:>7.2f} "
                f"{runs[0]['height']:>8,} "
                f"{built:>8.1f}" + (f"  console errors: {errors}" if errors else "")
            )


if __name__ == "__main__":
    main()
