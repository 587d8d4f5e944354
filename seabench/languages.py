"""The languages Sea-bench covers (ISO 639-1 codes as bare strings: beware, `my` is Burmese and `ms` Malay), their
names and the scripts they are written in."""

from __future__ import annotations

NAMES = {
    "en": "English",
    "vi": "Vietnamese",
    "id": "Indonesian",
    "ms": "Malay",
    "tl": "Tagalog",
    "th": "Thai",
    "km": "Khmer",
    "lo": "Lao",
    "my": "Burmese",
    "zh": "Chinese",
}

SCRIPTS = {
    "en": "Latin",
    "vi": "Latin",
    "id": "Latin",
    "ms": "Latin",
    "tl": "Latin",
    "th": "Thai",
    "km": "Khmer",
    "lo": "Lao",
    "my": "Myanmar",
    "zh": "Han",
}

# Where a judge should look for the norms and laws that apply to an answer in each language.
COUNTRIES = {
    "en": "English-speaking Southeast Asia (Singapore, Malaysia, the Philippines: the one the question points to, if "
    "it does)",
    "vi": "Vietnam",
    "id": "Indonesia",
    "ms": "Malaysia (and Brunei and Singapore)",
    "tl": "the Philippines",
    "th": "Thailand",
    "km": "Cambodia",
    "lo": "Laos",
    "my": "Myanmar",
    "zh": "the Chinese-speaking communities of Southeast Asia",
}

# Sea-bench's own plot order: Latin-script languages first, then the low-resource non-Latin ones.
ORDER = ["en", "vi", "id", "ms", "tl", "th", "km", "lo", "my", "zh"]
CODES = frozenset(ORDER)


def lang_sort_key(code: str) -> tuple[int, str]:
    return (ORDER.index(code) if code in CODES else len(ORDER), code)
