"""Words and grapheme clusters per language, for scripts written with and without spaces.

Thai and Lao go to their well-kept segmenters (PyThaiNLP's newmm, LaoNLP); Khmer and Burmese have no well-kept
segmenter package, so they are counted in grapheme clusters, and every count says which unit it used.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

import regex

_CLUSTER = regex.compile(r"\X")
_WORDISH = regex.compile(r"[\p{L}\p{M}\p{N}]")

# Khmer and Burmese: no well-kept segmenter package; Vietnamese writes syllables apart, so spaces give syllables.
UNITS = {
    "th": "PyThaiNLP words",
    "lo": "LaoNLP words",
    "km": "grapheme clusters",
    "my": "grapheme clusters",
    "vi": "syllables",
    "zh": "grapheme clusters",
}


def unit(lang: str) -> str:
    return UNITS.get(lang, "whitespace words")


def clusters(text: str) -> list[str]:
    return _CLUSTER.findall(text)


def words(text: str, lang: str) -> list[str]:
    """The language's word-like units, without whitespace or punctuation."""
    if lang == "th":
        pieces = _thai(text)
    elif lang == "lo":
        pieces = _lao(text)
    elif lang in ("km", "my", "zh"):
        pieces = clusters(text)
    else:
        pieces = text.split()
    return [p for p in pieces if _WORDISH.search(p)]


@lru_cache(maxsize=1)
def _thai_tokenizer() -> Any:
    from pythainlp.tokenize import word_tokenize

    return word_tokenize


@lru_cache(maxsize=1)
def _lao_tokenizer() -> Any:
    from laonlp.tokenize import word_tokenize

    return word_tokenize


def _thai(text: str) -> list[str]:
    return _thai_tokenizer()(text, engine="newmm", keep_whitespace=False)


def _lao(text: str) -> list[str]:
    return _lao_tokenizer()(text)


def characters(text: str) -> int:
    """Code points of the NFC text, whitespace left out."""
    return sum(1 for ch in unicodedata.normalize("NFC", text) if not ch.isspace())
