"""`seabench tokens`: how many tokens each model's own tokenizer spends per character and per word, by language,
and what the bench's prompts and the stored answers cost in each language at the model's price.

Tokens per word ("fertility") is comparable across scripts where tokens per character is not; its ratio to English
is what a Burmese or Khmer user pays extra for the same amount of text.
"""

from __future__ import annotations

from collections import defaultdict

from .backends import parse_spec
from .backends.tokens import text_counter
from .errors import SpecError
from .languages import lang_sort_key
from .pricing import PriceTable
from .records import Bench, TokenRow
from .segment import characters, unit, words
from .store import Store


def measure(
    specs: list[str],
    bench: Bench,
    store: Store | None = None,
    prices: PriceTable | None = None,
    tokenizer: str | None = None,
) -> list[TokenRow]:
    """Tokens per character and word for each model in each language; `tokenizer` (a hub id or folder) counts for every
    model instead of its own."""
    prices = prices or PriceTable()
    texts: dict[str, list[str]] = defaultdict(list)
    for q in bench.questions:
        texts[q.lang] += list(q.turns)
    langs = sorted(texts, key=lang_sort_key)
    answers: dict[tuple[str, str], list[str]] = defaultdict(list)
    if store is not None:
        questions = store.questions()
        for a in store.answers():
            asked = questions.get((a.bench, a.question_id))
            if asked is not None:
                answers[(a.spec, asked.lang)].append(a.text)
                if a.model != a.spec:
                    answers[(a.model, asked.lang)].append(a.text)
    # Segmenting is the same for every model: do it once.
    units = {
        lang: (sum(characters(t) for t in texts[lang]), sum(len(words(t, lang)) for t in texts[lang])) for lang in langs
    }
    rows: list[TokenRow] = []
    for spec in specs:
        spec = str(parse_spec(spec))
        count, name = text_counter(spec, tokenizer)
        price = prices.lookup(spec)
        per_lang = []
        for lang in langs:
            chars, n_words = units[lang]
            base = TokenRow(
                model=spec,
                lang=lang,
                tokenizer=name if count else "none",
                texts=len(texts[lang]),
                characters=chars,
                words=n_words,
                word_unit=unit(lang),
            )
            if count is None:
                per_lang.append(base.model_copy(update={"note": name}))
                continue
            tokens = sum(count(t) for t in texts[lang])
            stored = answers.get((spec, lang), [])
            answer_tokens = sum(count(t) for t in stored) if stored else None
            per_lang.append(
                base.model_copy(
                    update={
                        "tokens": tokens,
                        "tokens_per_char": tokens / chars if chars else None,
                        "tokens_per_word": tokens / n_words if n_words else None,
                        "prompt_cost_usd": price.cost_of(tokens, 0) if price else None,
                        "answer_tokens": answer_tokens,
                        "answer_cost_usd": price.cost_of(0, answer_tokens)
                        if price and answer_tokens is not None
                        else None,
                        "note": "" if price else "no price for this model",
                    }
                )
            )
        en = next((r for r in per_lang if r.lang == "en" and r.tokens), None)
        for r in per_lang:
            if en and en.tokens and r.tokens:
                r = r.model_copy(
                    update={
                        "ratio_to_en": (
                            r.tokens_per_word / en.tokens_per_word
                            if "cluster" not in r.word_unit and r.tokens_per_word and en.tokens_per_word
                            else None
                        ),
                        "ratio_to_en_per_text": (r.tokens / r.texts) / (en.tokens / en.texts),
                    }
                )
            rows.append(r)
    return rows


def run_tokens(
    specs: list[str], bench: Bench, store: Store, prices: PriceTable | None = None, tokenizer: str | None = None
) -> list[TokenRow]:
    if not specs:
        raise SpecError("give at least one {models} SPEC (hf:PATH_OR_ID for a tokenizer)")
    rows = measure(specs, bench, store, prices, tokenizer)
    store.save_token_stats(rows)
    return rows
