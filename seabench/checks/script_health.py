"""Script health of every answer, without an LLM: the ways answers in Thai, Lao, Khmer and Burmese break.

- not in Unicode NFC;
- Burmese in the Zawgyi font encoding instead of Unicode (Google's myanmartools detector);
- cut off at the token limit, and whether the cut fell inside a grapheme cluster or a word;
- degenerate repetition: a stretch repeating back to back (a loop, even one inside a single space-free word or a short
  Thai line), or the same n-grams recurring all over the answer;
- wrong or mixed script comes from the language check (`language.py`) and is reported beside these.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

import numpy as np
import regex

from ..records import LanguageCheck, ScriptHealth
from ..segment import clusters
from ..store import Store

ZAWGYI_THRESHOLD = 0.95  # myanmartools' own guidance: above 0.95 is Zawgyi, below 0.05 Unicode
# A cluster cannot end on these: Myanmar virama and Khmer coeng stack the next consonant, ZWJ joins to the next
# character, Thai and Lao preposed vowels are written before the consonant they belong to.
DANGLING = {
    "\u1039",
    "\u17d2",
    "\u200d",
    "\u0e40",
    "\u0e41",
    "\u0e42",
    "\u0e43",
    "\u0e44",
    "\u0ec0",
    "\u0ec1",
    "\u0ec2",
    "\u0ec3",
    "\u0ec4",
}
REPEAT_SHARE = 0.5
MIN_NGRAMS = 20
# A loop: one stretch of up to MAX_PERIOD grapheme clusters, holding a letter, written LOOP_REPEATS times or more back
# to back and covering at least LOOP_CLUSTERS clusters that are not spaces. "hahaha", a doubled Khmer word and a
# "great-great-great-grandfather" (a real MT-bench answer) are language; a line written four times is a loop.
# Punctuation-only runs (a Markdown rule, a table's |---|) are layout, not loops.
MAX_PERIOD = 64
LOOP_REPEATS = 4
LOOP_CLUSTERS = 16
_LETTER = regex.compile(r"\p{L}")


@lru_cache(maxsize=1)
def _zawgyi_detector() -> Any:
    from myanmartools import ZawgyiDetector

    return ZawgyiDetector()


def check_health(text: str, finish_reason: str | None = None) -> ScriptHealth:
    zawgyi_p = None
    if any("\u1000" <= ch <= "\u109f" for ch in text):
        zawgyi_p = float(_zawgyi_detector().get_zawgyi_probability(text))
    truncated = finish_reason == "length"
    stripped = text.rstrip()
    broken = bool(stripped) and (stripped[-1] in DANGLING or stripped[-1] == "\ufffd" or _orphan_marks(stripped))
    last = stripped[-1] if stripped else ""
    mid_word = (
        truncated and bool(last) and text == stripped and (last == "\ufffd" or unicodedata.category(last)[0] in "LM")
    )
    share = repetition_share(text)
    return ScriptHealth(
        not_nfc=not unicodedata.is_normalized("NFC", text),
        zawgyi=zawgyi_p is not None and zawgyi_p > ZAWGYI_THRESHOLD,
        zawgyi_probability=zawgyi_p,
        truncated=truncated,
        broken_cluster=broken,
        cut_mid_word=mid_word,
        repetition=round(share, 3),
        repetitive=share >= REPEAT_SHARE,
    )


def _orphan_marks(text: str) -> bool:
    """The text ends in combining marks with no letter to sit on (what is left when a cut drops the base)."""
    i = len(text)
    while i > 0 and unicodedata.category(text[i - 1]).startswith("M"):
        i -= 1
    return i < len(text) and (i == 0 or not unicodedata.category(text[i - 1]).startswith("L"))


def repetition_share(text: str) -> float:
    """How much of the answer repeats, 0 to 1: the larger of the share of its text inside back-to-back loops and the
    share of repeated n-grams (1 − distinct / all; near 0 for ordinary prose, near 1 for a loop)."""
    return max(loop_share(text), _ngram_share(text))


def _ngram_share(text: str) -> float:
    """Repeated n-grams: words where the text has spaces, grapheme clusters where it does not."""
    spaced = text.count(" ") >= max(3, len(text) // 40)
    units = text.split() if spaced else [c for c in clusters(text) if not c.isspace()]
    n = 4 if spaced else 12
    grams = [tuple(units[i : i + n]) for i in range(len(units) - n + 1)]
    if len(grams) < MIN_NGRAMS:
        return 0.0
    return 1 - len(set(grams)) / len(grams)


def loop_share(text: str) -> float:
    """The share of the answer's clusters (spaces aside) that lie in a loop: a stretch of 1 to MAX_PERIOD grapheme
    clusters repeated back to back. Clusters, not words, so a loop inside one word (`ini-i-i-i-…`) and a short Thai,
    Lao, Khmer or Burmese loop are seen whatever the spacing."""
    units = clusters(text)
    n = len(units)
    if n < LOOP_CLUSTERS:
        return 0.0
    ids = np.unique(np.array(units, dtype=object), return_inverse=True)[1]
    solid = np.array([not u.isspace() for u in units])
    covered = np.zeros(n, dtype=bool)
    for period in range(1, min(MAX_PERIOD, (n + 1) // LOOP_REPEATS) + 1):
        same = np.concatenate(([False], ids[period:] == ids[:-period], [False]))
        edges = np.flatnonzero(np.diff(same.astype(np.int8)))
        for start, end in zip(edges[::2], edges[1::2]):  # clusters start..end+period repeat with this period
            stop = end + period
            # the last repeat may lack its trailing space or stop
            if stop - start < LOOP_REPEATS * period - 1 or solid[start:stop].sum() < LOOP_CLUSTERS:
                continue
            if _LETTER.search("".join(units[start : start + period])):
                covered[start:stop] = True
    total = int(solid.sum())
    return float((covered & solid).sum() / total) if total else 0.0


def run_health_checks(store: Store) -> int:
    """Check every stored answer that has no script-health check yet; returns how many were checked."""
    done = store.checked_keys("script-health")
    results: dict[str, LanguageCheck | ScriptHealth] = {
        a.key: check_health(a.text, a.finish_reason) for a in store.answers() if a.key not in done
    }
    if results:
        store.add_checks(results)
    return len(results)
