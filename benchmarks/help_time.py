"""Wall time of `seabench --help` (median of 7 runs) against the goal of 0.3 s, with `python -c pass` beside it."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def median_wall(cmd: list[str], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    baseline = median_wall([sys.executable, "-c", "pass"])
    help_time = median_wall([sys.executable, "-m", "seabench", "--help"])
    print(f"python -c pass: {baseline:.3f} s")
    print(f"seabench --help: {help_time:.3f} s (goal ≤ 0.3 s) → ratio {help_time / 0.3:.2f}")


if __name__ == "__main__":
    main()
