"""The report's tables about the answers themselves, not their scores: language fidelity and script health, tokens
per language, and what the run used and cost. Formatting only, like every table."""

from __future__ import annotations

from collections.abc import Sequence

from ..records import Report, TokenRow
from .tables import Table, model_lang_grid, num


def language_table(report: Report) -> list[Table]:
    if not report.language:
        return []
    out = [
        model_lang_grid(
            "Wrong-language rate",
            report.language,
            "(wrong language or script + mixed) / answers checked",
            lambda r: f"{r.rate:.0%} ({r.wrong + r.mixed}/{r.checked})" if r.rate is not None else "",
            "wrong-language",
        )
    ]
    if any(r.switched is not None for r in report.language):
        out.append(
            model_lang_grid(
                "Code-switching",
                report.language,
                (
                    "mean share of an answer's words in another language (English inside Tagalog, Malay…), or of its "
                    "letters in Latin "
                    "script for Thai, Lao, Khmer and Burmese (n answers); natural code-switching is measured here, not "
                    "counted as wrong"
                ),
                lambda r: f"{r.switched:.0%} ({r.switched_n})" if r.switched is not None else "",
                "code-switching",
            )
        )
    return out


def health_table(report: Report) -> list[Table]:
    if not report.health:
        return []
    t = Table(
        "Script health",
        id="health",
        columns=[
            "model",
            "lang",
            "answers",
            "not NFC",
            "Zawgyi",
            "truncated",
            "broken cluster",
            "cut mid-word",
            "repetitive",
            "wrong script",
            "mixed script",
        ],
        caption="answers with each problem (share); truncated = stopped at the token limit; wrong and mixed script "
        "come from the language check",
    )
    for r in report.health:
        cells = [
            r.not_nfc,
            r.zawgyi,
            r.truncated,
            r.broken_cluster,
            r.cut_mid_word,
            r.repetitive,
            r.wrong_script,
            r.mixed,
        ]
        t.rows.append([r.model, r.lang, str(r.checked), *(f"{c} ({c / r.checked:.0%})" if c else "0" for c in cells)])
    return [t]


def tokens_table(rows: Sequence[TokenRow]) -> Table:
    t = Table(
        "Tokens per language",
        id="tokens",
        columns=[
            "model",
            "lang",
            "tokens",
            "per char",
            "per word",
            "× en per word",
            "× en per text",
            "prompt cost",
            "answer tokens",
            "answer cost",
            "word unit",
        ],
        caption="per word: Thai and Lao words from PyThaiNLP and LaoNLP, whitespace words elsewhere, syllables for "
        "Vietnamese; "
        "Khmer and Burmese have no well-kept segmenter, so they count grapheme clusters and get no per-word ratio; "
        "× English (per text) compares the bench's comparable questions",
    )
    notes = {r.model: r.note for r in rows if r.tokens is None}
    for model, note in notes.items():
        t.caption += f". No counts for {model}: {note}"
    for r in rows:
        if r.tokens is None:
            continue
        usd = lambda x: f"${x:.4f}" if x is not None else "–"  # noqa: E731
        t.rows.append(
            [
                r.model,
                r.lang,
                f"{r.tokens:,}",
                num(r.tokens_per_char),
                num(r.tokens_per_word),
                num(r.ratio_to_en),
                num(r.ratio_to_en_per_text),
                usd(r.prompt_cost_usd),
                f"{r.answer_tokens:,}" if r.answer_tokens is not None else "–",
                usd(r.answer_cost_usd),
                r.word_unit,
            ]
        )
    return t


def usage_table(report: Report) -> list[Table]:
    t = Table(
        "Usage",
        id="usage",
        columns=[
            "name",
            "role",
            "stored",
            "failures",
            "unscored",
            "injection-flagged",
            "tokens in",
            "tokens out",
            "cost",
        ],
    )
    for u in report.usage:
        t.rows.append(
            [
                u.name,
                u.role,
                str(u.items),
                str(u.failures),
                str(u.unscored),
                str(u.flagged),
                f"{u.input_tokens:,}",
                f"{u.output_tokens:,}",
                f"${u.cost_usd:.4f}" if u.cost_usd is not None else "–",
            ]
        )
    return [t]
