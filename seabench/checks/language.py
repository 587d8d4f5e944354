"""Checks that need no LLM: is each answer in the language and script it should be?

Thai, Lao, Khmer and Burmese are told apart by Unicode script. The Latin-script languages (English, Vietnamese,
Indonesian, Malay, Tagalog) go to py3langid, which ships its model inside the package. Indonesian and Malay are too
close to separate reliably, so the check reports `id/ms` instead of guessing between them.

Code-switching is measured, not punished: Taglish, Manglish and English technical terms in Thai or Vietnamese are how
people write. Each answer gets the share of its words in another language (each word asked of py3langid between the
expected language and English), and a Latin-script answer whose words are mostly the expected language's is `ok`
even where the whole text reads as English. A Thai, Lao, Khmer or Burmese question answered in Latin script is
`wrong-language` when that is clearly another language, and `wrong-script` otherwise (romanised Thai, say).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from ..languages import CODES, SCRIPTS
from ..records import LanguageCheck, ScriptHealth, Verdict
from ..store import Store

SCRIPT_RANGES = [
    ("Thai", 0x0E00, 0x0E7F),
    ("Lao", 0x0E80, 0x0EFF),
    ("Khmer", 0x1780, 0x17FF),
    ("Khmer", 0x19E0, 0x19FF),
    ("Myanmar", 0x1000, 0x109F),
    ("Myanmar", 0xA9E0, 0xA9FF),
    ("Myanmar", 0xAA60, 0xAA7F),
    ("Latin", 0x0041, 0x024F),
    ("Latin", 0x1E00, 0x1EFF),
    ("Han", 0x3400, 0x9FFF),
]
SCRIPT_LANG = {"Thai": "th", "Lao": "lo", "Khmer": "km", "Myanmar": "my", "Han": "zh"}
LATIN_LANGS = ["en", "vi", "id", "ms", "tl"]
CLOSE = {"id", "ms"}
OK_SHARE, MIXED_SHARE = 0.6, 0.3
MIN_LETTERS = 20
SWITCH_WORD = {"vi": 2}
"""Shortest word that votes on code-switching: 4 letters (the short function words of Tagalog and Malay are read as
English by any word-level identifier), 2 for Vietnamese, whose syllables are short and marked."""
MOSTLY_OTHER = 0.5
"""A Latin-script answer with at least this share of English words is in English, whatever the rest."""
CLEARLY = 0.9
_WORD = re.compile(r"[^\W\d_]+")
_CODE = re.compile(r"```.*?(```|$)|`[^`\n]*`|https?://\S+", re.S)


def script_of(ch: str) -> str | None:
    if not unicodedata.category(ch).startswith(("L", "M")):
        return None  # digits, punctuation, spaces, emoji: no script vote
    cp = ord(ch)
    for name, lo, hi in SCRIPT_RANGES:
        if lo <= cp <= hi:
            return name
    return "other"


def script_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ch in _CODE.sub(" ", text):
        script = script_of(ch)
        if script:
            counts[script] = counts.get(script, 0) + 1
    return counts


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=16)
def _word_identifier(langs: tuple[str, ...]) -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(langs))
    return identifier


def switched_share(text: str, expected: str) -> float | None:
    """Share of the words of a Latin-script text that are English (for English: that are a regional language)."""
    others = ("ms", "id", "tl", "vi") if expected == "en" else ("en",)
    langs = tuple(sorted({expected, *others, *(CLOSE if expected in CLOSE else ())}))
    shortest = SWITCH_WORD.get(expected, 4)
    words = [w.lower() for w in _WORD.findall(_CODE.sub(" ", text)) if len(w) >= shortest]
    if len(words) < 3:
        return None
    identifier = _word_identifier(langs)
    foreign = sum(1 for w in words if identifier.classify(w)[0] in others)
    return round(foreign / len(words), 3)


def latin_language(text: str) -> tuple[str, float]:
    """The most likely language of Latin-script text, with its probability; id and ms come back as `id/ms`."""
    ranked = _identifier().rank(_CODE.sub(" ", text))
    lang, prob = ranked[0]
    if lang in CLOSE:
        prob = sum(p for l, p in ranked if l in CLOSE)
        lang = "id/ms"
    return lang, float(prob)


def check_language(text: str, expected: str) -> LanguageCheck:
    counts = script_counts(text)
    letters = sum(counts.values())
    want = SCRIPTS.get(expected, "Latin")
    if letters == 0:
        verdict: Verdict = "empty" if not text.strip() else "uncertain"
        note = "" if verdict == "empty" else "no letters: numbers or symbols only"
        return LanguageCheck(
            expected=expected, detected="unknown", script="none", script_share=0.0, verdict=verdict, note=note
        )
    main = max(counts, key=lambda script: counts[script])
    share = counts.get(want, 0) / letters
    latin = round(counts.get("Latin", 0) / letters, 3) if want != "Latin" else None  # English terms in Thai, Khmer…
    if share < MIXED_SHARE:
        return _other_script(text, expected, counts, main, share, latin)
    if share < OK_SHARE:
        return _mixed(expected, counts, letters, main, share, latin)
    if want != "Latin":
        return LanguageCheck(
            expected=expected,
            detected=expected,
            script=want,
            script_share=round(share, 3),
            verdict="ok",
            switched=latin,
        )
    return _latin(text, expected, counts, share)


def _other_script(
    text: str, expected: str, counts: dict[str, int], main: str, share: float, latin: float | None
) -> LanguageCheck:
    """Mostly another script than the language's own: romanised, a neighbour's script, or another language."""
    want = SCRIPTS.get(expected, "Latin")
    if main == "Latin" and want != "Latin":
        # Latin script for a Thai or Burmese question: another language if clearly so, else romanised.
        detected, prob = latin_language(text) if counts["Latin"] >= MIN_LETTERS else ("unknown", 0.0)
        clear = prob >= CLEARLY and detected not in ("unknown",)
        return LanguageCheck(
            expected=expected,
            detected=detected if clear else "unknown",
            script=main,
            script_share=round(share, 3),
            verdict="wrong-language" if clear else "wrong-script",
            note="" if clear else f"Latin script for {expected}: romanised, or too unclear to name",
            switched=latin,
        )
    detected = SCRIPT_LANG.get(main) or (latin_language(text)[0] if main == "Latin" else "unknown")
    # Thai for Lao, or Lao for Thai: a neighbour's script, not just another language.
    verdict: Verdict = "wrong-script" if main in SCRIPT_LANG and want != "Latin" else "wrong-language"
    return LanguageCheck(
        expected=expected,
        detected=detected,
        script=main,
        script_share=round(share, 3),
        verdict=verdict,
        switched=latin,
    )


def _mixed(
    expected: str, counts: dict[str, int], letters: int, main: str, share: float, latin: float | None
) -> LanguageCheck:
    """The language's own script and others mixed: code-switching with English terms, or a mixed answer."""
    want = SCRIPTS.get(expected, "Latin")
    if latin is not None and main == want and counts.get(want, 0) + counts.get("Latin", 0) >= OK_SHARE * letters:
        # Thai written around English terms (a tech question, brand names): its own script leads, nothing else
        # mixes in.
        return LanguageCheck(
            expected=expected,
            detected=expected,
            script=want,
            script_share=round(share, 3),
            verdict="ok",
            note=f"code-switching: {latin:.0%} of letters in Latin script",
            switched=latin,
        )
    return LanguageCheck(
        expected=expected,
        detected=SCRIPT_LANG.get(want, expected),
        script=main,
        script_share=round(share, 3),
        verdict="mixed",
        note=_mix_note(counts, letters),
        switched=latin,
    )


def _latin(text: str, expected: str, counts: dict[str, int], share: float) -> LanguageCheck:
    """A language written in Latin script: which one, and how much English is mixed in."""
    if counts.get("Latin", 0) < MIN_LETTERS:
        return LanguageCheck(
            expected=expected,
            detected="unknown",
            script="Latin",
            script_share=round(share, 3),
            verdict="uncertain",
            note="too short to identify",
        )
    detected, prob = latin_language(text)
    switched = switched_share(text, expected)
    if detected == expected or (detected == "id/ms" and expected in CLOSE):
        note = "Indonesian and Malay are not told apart" if detected == "id/ms" else ""
        return LanguageCheck(
            expected=expected,
            detected=detected,
            script="Latin",
            script_share=round(share, 3),
            verdict="ok",
            note=note,
            switched=switched,
        )
    if detected == "en" and expected != "en" and switched is not None and switched < MOSTLY_OTHER:
        return LanguageCheck(
            expected=expected,
            detected=expected,
            script="Latin",
            script_share=round(share, 3),
            verdict="ok",
            note=f"code-switching: {switched:.0%} of words English",
            switched=switched,
        )
    if expected == "en" and detected not in CODES and detected != "id/ms" and prob < CLEARLY:
        # Singlish and Manglish English read as some creole to a language identifier; nothing says it is not English.
        return LanguageCheck(
            expected=expected,
            detected=expected,
            script="Latin",
            script_share=round(share, 3),
            verdict="ok",
            note=f"an English-based variety or code-switching (reads as {detected}, p={prob:.2f})",
            switched=switched,
        )
    return LanguageCheck(
        expected=expected,
        detected=detected,
        script="Latin",
        script_share=round(share, 3),
        verdict="wrong-language" if prob >= 0.5 else "uncertain",
        note=f"p={prob:.2f}",
        switched=switched,
    )


def _mix_note(counts: dict[str, int], letters: int) -> str:
    return ", ".join(f"{s} {n / letters:.0%}" for s, n in sorted(counts.items(), key=lambda kv: -kv[1]))


def run_language_checks(store: Store) -> int:
    """Check every stored answer that has no language check yet; returns how many were checked."""
    done = store.checked_keys("language")
    questions = store.questions()
    results: dict[str, LanguageCheck | ScriptHealth] = {}
    for a in store.answers():
        q = questions.get((a.bench, a.question_id))
        if a.key in done or q is None:
            continue
        results[a.key] = check_language(a.text, q.expected_lang)
    if results:
        store.add_checks(results)
    return len(results)
