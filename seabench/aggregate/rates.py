"""How often each model's answers miss their language or show script problems, per language."""

from __future__ import annotations

import json
from collections import defaultdict

from ..records import Record
from .common import ALL, order as _order


class LanguageRate(Record):
    model: str
    lang: str
    checked: int
    ok: int
    wrong: int
    """wrong-language or wrong-script."""
    mixed: int
    uncertain: int
    rate: float | None
    """(wrong + mixed) / checked."""


def language_rates(checks: dict[str, str], answer_index: dict[str, tuple[str, str]]) -> list[LanguageRate]:
    """`checks`: answer key → LanguageCheck JSON; `answer_index`: answer key → (model, lang)."""
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, raw in checks.items():
        if key not in answer_index:
            continue
        model, lang = answer_index[key]
        verdict = json.loads(raw)["verdict"]
        for cell in ((model, lang), (model, ALL)):
            counts[cell][verdict] += 1
    out = []
    for (model, lang), c in counts.items():
        checked = sum(c.values())
        wrong = c["wrong-language"] + c["wrong-script"]
        out.append(LanguageRate(model=model, lang=lang, checked=checked, ok=c["ok"], wrong=wrong, mixed=c["mixed"],
                                uncertain=c["uncertain"] + c["empty"], rate=(wrong + c["mixed"]) / checked if checked else None))
    return sorted(out, key=lambda r: (r.model, _order(r.lang)))


class HealthRate(Record):
    """How many of a model's answers in one language show each script problem."""

    model: str
    lang: str
    checked: int
    not_nfc: int
    zawgyi: int
    truncated: int
    broken_cluster: int
    cut_mid_word: int
    repetitive: int
    wrong_script: int
    """From the language check: written in another language's script (a Lao question answered in Thai)."""
    mixed: int


HEALTH_FIELDS = ("not_nfc", "zawgyi", "truncated", "broken_cluster", "cut_mid_word", "repetitive")


def health_rates(health: dict[str, str], language: dict[str, str], answer_index: dict[str, tuple[str, str]]) -> list[HealthRate]:
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, raw in health.items():
        if key not in answer_index:
            continue
        model, lang = answer_index[key]
        data = json.loads(raw)
        verdict = json.loads(language[key])["verdict"] if key in language else None
        for cell in ((model, lang), (model, ALL)):
            c = counts[cell]
            c["checked"] += 1
            for f in HEALTH_FIELDS:
                c[f] += bool(data[f])
            c["wrong_script"] += verdict == "wrong-script"
            c["mixed"] += verdict == "mixed"
    rows = [HealthRate(model=m, lang=l, **{k: c[k] for k in ("checked", *HEALTH_FIELDS, "wrong_script", "mixed")}) for (m, l), c in counts.items()]
    return sorted(rows, key=lambda r: (r.model, _order(r.lang)))
