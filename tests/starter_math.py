"""Every math answer of seabench-starter recomputed from a small worked form of its question, and found in its reference.

The forms are written from the questions (their numbers, their dates), not from the references: a reference edited
into a wrong number no longer contains what its question computes to, and `python tests/starter_math.py` (and the test
that runs it in CI) fails naming the item. A number counts as found when the reference holds it at the reference's own
precision (1,666,667 for 20,000,000 ÷ 12), in any script's digits and either decimal convention (4.200.000 or
4,200,000; 2,5 or 2.5).
"""

from __future__ import annotations

import re
import sys
from datetime import date, timedelta
from fractions import Fraction as F
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def hm(minutes: int) -> tuple[int, int]:
    """Hours and minutes of a duration, or of a clock time past midnight (wrapped to one day)."""
    return divmod(minutes, 60)


def clock(h: int, m: int) -> int:
    return h * 60 + m


def days(a: date, b: date) -> int:
    return (b - a).days


# id → the numbers its reference must hold, each computed from the question.
WORKED: dict[str, list[object]] = {
    "en-math-1": [186 * F("4.50") - (312 + 60)],
    "en-math-2": [*hm(clock(24 + 4, 25) - clock(21, 40)), *hm(clock(4, 25) + clock(1, 50))],
    "en-math-3": [4_200_000 / F("0.7")],
    "en-math-4": [F(55 - 5 - 10, 4), F(55 - 5 - 10, 4) + 5, 2 * (F(55 - 5 - 10, 4) + 5)],  # c + (c+5) + 2(c+5) = 55
    "en-math-5": [2 * 3600 + 3600 + F(3600, 2) * F("1.09")],
    "en-math-6": [*hm(clock(23, 50) + clock(4, 15) - clock(24, 0) - 60), *hm(clock(9, 30) + 60 + clock(3, 55))],
    "en-math-7": [1850 * F("0.8") - F(1100 * 8, 100) * F("2.05")],
    "en-math-8": [57 / (F("1.4") * F("0.85") - 1), 57 / (F("1.4") * F("0.85") - 1) * F("1.4") * F("0.85")],
    "vi-math-1": [500_000 - (2 * 120_000 + 3 * 15_000)],
    "vi-math-2": [F(120, 40), *hm(clock(7, 0) + clock(3, 0) + 30)],
    "vi-math-3": [50_000_000 * F("1.06") ** 2],
    "vi-math-4": [F(40 - 6, 2), F(40 - 6, 2) + 6],
    "vi-math-5": [(50 * 1900 + 50 * 2000 + (180 - 100) * 2300) * F("1.08")],
    "vi-math-6": [F(20_000_000, 12) + F("0.015") * 20_000_000, 12 * F("0.015") * 20_000_000, 12 * F("1.5")],
    "vi-math-7": [20, 6, 2026, days(date(2026, 3, 1), date(2026, 6, 20))],  # 20/12/2024 + 18 months
    "vi-math-8": [544_500 / (F("1.1") * F("0.9")), 544_500 / (F("1.1") * F("0.9")) - 544_500],
    "id-math-1": [F(120, 10) * 25_000 - 180_000],
    "id-math-2": [10_000 + (10 - 4) * 2500, (10_000 + (10 - 4) * 2500) * F("0.8")],
    "id-math-3": [10],  # 3b + 10 = 2(b + 10)
    "id-math-4": [4 * F("2.5") * F("1.2") * 1000],
    "id-math-5": [6_500_000 * F("0.97") * F("0.15"), 6_500_000 * F("0.97") * F("0.85")],
    "id-math-6": [*hm(clock(16, 35) - clock(8, 20)), *hm(clock(20, 15) - (clock(17, 50) + 60))],
    "id-math-7": [F(30 * (13_000 - 12_000), 15_000 - 13_000)],
    "id-math-8": [350_000 + 3 * F("0.02") * 350_000],  # 15 March to 2 June: 2 months 18 days, counted as 3
    "ms-math-1": [50 - (3 * F("4.50") + 2 * F("2.20"))],
    "ms-math-2": [F(330, 100) * 7, 2 * F(330, 100) * 7 * F("2.05")],
    "ms-math-3": [12 * F("0.15") * 3200],
    "ms-math-4": [(F("10.34") - F("9.40")) / F("9.40") * 100],
    "ms-math-5": [F("0.025") * 42_000, F("0.025") * 42_000 / 12],
    "ms-math-6": [4 * 5 * 2 * F("2.80") * F("0.5"), 4 * 5 * 2 * F("2.80") * F("0.5") - 50],
    "ms-math-7": [(date(2025, 2, 3) + timedelta(days=98)).day],  # the day after the 98th
    "ms-math-8": [85 / F("0.85"), 3 * 85 * F("1.02")],
    "tl-math-1": [96 * 15 - 650],
    "tl-math-2": [13 + (9 - 4) * F("1.80"), (13 + (9 - 4) * F("1.80")) * F("0.8")],
    "tl-math-3": [1 / (F(1, 6) + F(1, 3))],
    "tl-math-4": [12 * 300 * 56],
    "tl-math-5": [18_000 - (900 + F("0.025") * 18_000 + 200)],
    "tl-math-6": [*hm(clock(19, 30) + clock(22, 45) - clock(36, 0)), 2 * 1850 + 3 * 1850 * F("0.8")],  # 6:15 p.m.
    "tl-math-7": [F(12_000 - 10_000, 10_000) * 100, 12 * F(12_000 - 10_000, 10_000) * 100],
    "tl-math-8": [
        sum(1 for y in range(2013, 2027) if date(y, 3, 1) - date(y, 2, 28) == timedelta(days=2)),
        2026 - 2012,
    ],
    "th-math-1": [(50 - 5) * 20 - 50 * 12],
    "th-math-2": [*hm(clock(24 + 7, 15) - clock(18, 10)), 4 * 881],
    "th-math-3": [100_000 * F("1.02") ** 3],
    "th-math-4": [3 * F("2.5") * 140 * F("0.95")],
    "th-math-5": [(250 * F("4.18") + F("38.22")) * F("1.07")],
    "th-math-6": [(date(2025, 11, 15) + timedelta(days=59)).day, (date(2025, 11, 15) + timedelta(days=59 + 30)).day],
    "th-math-7": [F(24_990, 10), 24_990 * F("0.08")],
    "th-math-8": [F(18_000 + 15_000, 55 - 22), -(-F(18_000 + 15_000, 55 - 22) // 30)],  # a month, then a day rounded up
    "km-math-1": [80 * 5000 - 230_000],
    "km-math-2": [F(320, 64), *hm(clock(7, 0) + clock(5, 0) + 45)],
    "km-math-3": [25 * 4100],
    "km-math-4": [25 * 12, 25 * 12 * 150],
    "km-math-5": [F("0.012") * 4000 * 24, F(4000, 24) + F("0.012") * 4000],
    "km-math-6": [50 + F(80_000, 4000), (50 - 45) * 4000, 80_000 + (50 - 45) * 4000],
    "km-math-7": [days(date(2025, 10, 18), date(2025, 12, 4)), 2 * days(date(2025, 10, 18), date(2025, 12, 4))],
    "km-math-8": [4000 * F("0.65") * 3200],
    "lo-math-1": [120 * 30_000 - 2_100_000],
    "lo-math-2": [F(240, 120), 218_000 * 5 * 2],
    "lo-math-3": [8 * 15 * 40 * 10_000],
    "lo-math-4": [2 * F("4.5") * 1000 * 4000],
    "lo-math-5": [4_000_000 - F("0.055") * 4_000_000 - F("0.05") * (4_000_000 - 1_300_000)],
    "lo-math-6": [2000 * 650, 2000 * 650 - (3 * 180_000 + 250_000), F(2000 * 650 - (3 * 180_000 + 250_000), 650)],
    "lo-math-7": [
        F(clock(24 + 7, 45) - clock(20, 30) - clock(1, 15), 60),
        670 / F(clock(24 + 7, 45) - clock(20, 30) - clock(1, 15), 60),
    ],
    "lo-math-8": [5_000_000 * F("0.8") * F("0.9"), (1 - F("0.8") * F("0.9")) * 100],
    "my-math-1": [5 * 4500 + 2 * 12_000],
    "my-math-2": [F(620, 62), *hm(clock(20, 0) + clock(10, 0) + 30 - clock(24, 0))],
    "my-math-3": [450_000 - 150_000 - F("0.30") * 450_000],
    "my-math-4": [240 * 1500 * F("0.6")],
    "my-math-5": [(2 + F(4, 16)) * 45 * 100_000],
    "my-math-6": [*hm(clock(6, 15) + clock(9, 40)), 3 * 12_500 + 2 * F(12_500, 2)],
    "my-math-7": [1_000_000 * F("0.08") * F(6, 12), 1_000_000 + 1_000_000 * F("0.08") * F(6, 12) * F("0.9")],
    "my-math-8": [800 * F("1.25") * F("0.98") - 800],
    # the hard tier (v2.2)
    "en-math-9": [((500 * F("1.002") + 500) * F("1.002") + 500) * F("1.002"), 1536],
    "en-math-10": [40_000 + (3500 - 20_000 * F("0.05")) / F("0.10")],
    "vi-math-9": [5_000_000 * F("0.05") + 5_000_000 * F("0.10") + (15_000_000 - 10_000_000) * F("0.15")],
    "vi-math-10": [1, 4, 2026, 6 * 8_000_000 + 12 * 8_000_000 * F("1.05")],  # 18 months ending 30/9/2027
    "id-math-9": [10_000_000 * (1 + F("0.005") * F("0.8")) ** 3, 10_000_000 * F("1.005") ** 3],
    "id-math-10": [4_440_000 / (F("0.8") * F("1.11"))],
    "ms-math-9": [200 * F("0.218") + 100 * F("0.334") + (450 - 300) * F("0.516"), 450 * F("0.516")],
    "ms-math-10": [*(lambda d: (d.day, 2026))(date(2025, 10, 14) + timedelta(97)), 20],
    "tl-math-9": [10_000 * F("1.03") ** 3, 10_900],
    "tl-math-10": [(11_500 + 200) / F("0.9")],
    "th-math-9": [150_000 * F("0.05") + 200_000 * F("0.10") + (620_000 - 500_000) * F("0.15"), 620_000 * F("0.15")],
    "th-math-10": [(date(2025, 12, 20) + timedelta(59)).day, (date(2025, 12, 20) + timedelta(59 + 30)).day],
    "km-math-9": [1000 * F("1.005") ** 4, 1020],
    "km-math-10": [6 * 98 / F("1.05") / F("0.7")],
    "lo-math-9": [(10 * 2500 + 10 * 3500 + (27 - 20) * 4500) * F("1.1"), 27 * 4500 * F("1.1")],
    "lo-math-10": [200_000 / F("0.25"), 200_000 / F("0.25") + 50_000 + 200_000],
    "my-math-9": [1_000_000 * F("1.01") ** 3, 1_030_000],
    "my-math-10": [(date(2026, 2, 20) + timedelta(44)).day, 35 * 12_000 + 10 * 12_000 * F("1.25")],
}

DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩໐໑໒໓໔໕໖໗໘໙၀၁၂၃၄၅၆၇၈၉๐๑๒๓๔๕๖๗๘๙", "0123456789" * 4)
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def readings(text: str) -> list[tuple[F, int]]:
    """Every number in `text` as (value, decimals), read both ways where `.` and `,` could each be the decimal mark."""
    out = []
    for raw in NUMBER.findall(text.translate(DIGITS)):
        for thousands, decimal in ((",", "."), (".", ",")):
            body = raw.replace(thousands, "")
            if body.count(decimal) > 1:
                continue
            whole, _, frac = body.partition(decimal)
            if whole and (not frac or frac.isdigit()):
                out.append((F(f"{whole}.{frac}" if frac else whole), len(frac)))
    return out


def holds(text: str, wanted: F) -> bool:
    """`wanted` is in `text`, at that number's own precision (rounded half up, as people round money)."""
    for value, decimals in readings(text):
        scale = F(10) ** decimals
        if F(int(wanted * scale + F(1, 2)), 1) / scale == value:
            return True
    return False


def check() -> list[str]:
    """Each problem in one line: an item with no worked form, or a number its reference does not hold."""
    import json

    rows = [
        json.loads(line) for line in (ROOT / "data" / "seabench-starter" / "questions.jsonl").open(encoding="utf-8")
    ]
    math = {r["question_id"]: r for r in rows if r["category"] == "math-reasoning"}
    problems = [f"{qid}: no worked form" for qid in sorted(set(math) - set(WORKED))]
    problems += [
        f"{qid}: a worked form for an item that is not a math question" for qid in sorted(set(WORKED) - set(math))
    ]
    for qid, numbers in WORKED.items():
        if qid not in math:
            continue
        reference = " ".join(r for r in math[qid].get("references") or [] if r)
        for n in numbers:
            if not holds(reference, F(n)):  # type: ignore[arg-type]
                problems.append(f"{qid}: the reference does not hold {float(F(n)):g}")  # type: ignore[arg-type]
    return problems


if __name__ == "__main__":
    found = check()
    print("\n".join(found) or f"all {len(WORKED)} math answers recompute")
    sys.exit(1 if found else 0)
