"""How often each model's answers miss their language or show script problems, per language."""

from __future__ import annotations

import math
from collections import defaultdict

from ..records import HealthRate, LanguageCheck, LanguageRate, ScriptHealth
from .common import ALL
from .common import order as _order


def language_rates(checks: dict[str, LanguageCheck], answer_index: dict[str, tuple[str, str]]) -> list[LanguageRate]:
    """`checks`: answer key → its check; `answer_index`: answer key → (model, lang)."""
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    switched: dict[tuple[str, str], list[float]] = defaultdict(list)
    for key, check in checks.items():
        if key not in answer_index:
            continue
        model, lang = answer_index[key]
        verdict = check.verdict
        for cell in ((model, lang), (model, ALL)):
            counts[cell][verdict] += 1
            if check.switched is not None:
                switched[cell].append(check.switched)
    out = []
    for (model, lang), c in counts.items():
        checked = sum(c.values())
        wrong = c["wrong-language"] + c["wrong-script"]
        shares = switched.get((model, lang), [])
        out.append(
            LanguageRate(
                model=model,
                lang=lang,
                checked=checked,
                ok=c["ok"],
                wrong=wrong,
                mixed=c["mixed"],
                uncertain=c["uncertain"] + c["empty"],
                rate=(wrong + c["mixed"]) / checked if checked else None,
                # fsum: the same figure whatever order the store returns the checks in (a merged store's differs)
                switched=math.fsum(shares) / len(shares) if shares else None,
                switched_n=len(shares),
            )
        )
    return sorted(out, key=lambda r: (r.model, _order(r.lang)))


HEALTH_FIELDS = ("not_nfc", "zawgyi", "truncated", "broken_cluster", "cut_mid_word", "repetitive")


def health_rates(
    health: dict[str, ScriptHealth], language: dict[str, LanguageCheck], answer_index: dict[str, tuple[str, str]]
) -> list[HealthRate]:
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, found in health.items():
        if key not in answer_index:
            continue
        model, lang = answer_index[key]
        verdict = language[key].verdict if key in language else None
        for cell in ((model, lang), (model, ALL)):
            c = counts[cell]
            c["checked"] += 1
            for f in HEALTH_FIELDS:
                c[f] += bool(getattr(found, f))
            c["wrong_script"] += verdict == "wrong-script"
            c["mixed"] += verdict == "mixed"
    rows = [
        HealthRate(
            model=m,
            lang=lang,
            checked=c["checked"],
            not_nfc=c["not_nfc"],
            zawgyi=c["zawgyi"],
            truncated=c["truncated"],
            broken_cluster=c["broken_cluster"],
            cut_mid_word=c["cut_mid_word"],
            repetitive=c["repetitive"],
            wrong_script=c["wrong_script"],
            mixed=c["mixed"],
        )
        for (m, lang), c in counts.items()
    ]
    return sorted(rows, key=lambda r: (r.model, _order(r.lang)))
