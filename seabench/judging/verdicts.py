"""Reading a judge's verdict strictly. The last verdict binds; anything else is unscored, never a number."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..records import Winner

# Zero-width and other invisible formatting characters (Unicode category Cf) can split a marker like [[8]].
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９［］．", "0123456789[].")
_SCORE = re.compile(r"\[\[\s*(\d+(?:\.\d+)?)\s*(?:/\s*10\s*)?\]\]")
_PAIR = re.compile(r"\[\[\s*([ABC])\s*\]\]")
_MARKDOWN = re.compile(r"[*_`]")


def clean(text: str) -> str:
    """NFKC-independent clean-up: drop formatting characters, map full-width digits and brackets, drop emphasis."""
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return _MARKDOWN.sub("", text.translate(_FULLWIDTH_DIGITS))


@dataclass(frozen=True)
class Verdict:
    score: float | None = None
    winner: Winner | None = None
    """Positional: `A`, `B` or `tie`."""
    problem: str | None = None
    """Why there is no verdict (None when there is one)."""


def parse_score(text: str, low: float = 1, high: float = 10) -> Verdict:
    """`[[8]]`, `[[8.5]]`, `Rating: [[8]]`, `[[8/10]]`; the last one counts and must lie in [low, high]."""
    found = _SCORE.findall(clean(text))
    if not found:
        return Verdict(problem="no [[rating]] in the judgment")
    value = float(found[-1])
    if not low <= value <= high:
        return Verdict(problem=f"rating {found[-1]} is outside {low:g}–{high:g}")
    return Verdict(score=value)


POSITIONS: dict[str, Winner] = {"A": "A", "B": "B", "C": "tie"}


def parse_winner(text: str) -> Verdict:
    """`[[A]]`, `[[B]]`, or `[[C]]` (a tie); the last one counts."""
    found = _PAIR.findall(clean(text))
    if not found:
        return Verdict(problem="no [[A]], [[B]] or [[C]] in the judgment")
    return Verdict(winner=POSITIONS[found[-1]])


# -- answers that try to steer the judge ----------------------------------------------------------------------

_INJECTION = [
    ("verdict-marker", re.compile(r"\[\[\s*(?:\d+(?:\.\d+)?|[ABC]|rating)\s*\]\]", re.I)),
    (
        "judge-instruction",
        re.compile(
            r"ignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier) (?:instructions|prompts?)"
            r"|(?:dear|attention|note to the|message (?:for|to) the) (?:judge|evaluator|grader)"
            r"|(?:rate|score|grade) (?:this|my) (?:answer|response) (?:a |as |with )?(?:10|ten|perfect|highest)"
            r"|give (?:this|my) (?:answer|response) (?:a )?(?:10|ten|full marks|the highest)"
            r"|you must (?:output|rate|score)"
            # the same moves in the region's languages
            r"|abaikan (?:semua )?(?:instruksi|perintah|arahan)"  # id/ms
            r"|bỏ qua (?:mọi|tất cả|các) (?:hướng dẫn|chỉ dẫn)"  # vi
            r"|huwag pansinin ang (?:mga )?(?:naunang )?(?:utos|tagubilin)"  # tl
            r"|ไม่ต้องสนใจคำสั่ง|ให้คะแนน(?:คำตอบนี้)? ?10"  # th
            r"|ដាក់ពិន្ទុ ?10|ບໍ່ຕ້ອງສົນໃຈຄຳສັ່ງ|အမှတ် ?10",  # km, lo, my
            re.I,
        ),
    ),
]


def injection_flags(text: str) -> list[str]:
    """Names of the ways an answer speaks to its judge (empty for an ordinary answer)."""
    cleaned = clean(text)
    return [name for name, pattern in _INJECTION if pattern.search(cleaned)]
