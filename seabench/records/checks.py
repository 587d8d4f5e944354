"""Records of what is measured about answers without an LLM: language checks, script health, tokens per language."""

from __future__ import annotations

from .core import Record, Verdict


class LanguageCheck(Record):
    """Is an answer in the language (and script) it should be?"""

    expected: str
    """The language the answer should be in (the question's, or a translation's target)."""
    detected: str
    """A language code, `id/ms` when the two cannot be told apart, or `unknown`."""
    script: str
    """The answer's main script: Latin, Thai, Lao, Khmer, Myanmar, Han, other, or none."""
    script_share: float
    """Share of the answer's letters in the expected language's script."""
    verdict: Verdict
    """ok, wrong-language, wrong-script, mixed, uncertain (too little text) or empty."""
    note: str = ""
    """Why the verdict is uncertain or mixed, in words."""
    switched: float | None = None
    """Code-switching: the share of the answer's words in another language (English words in Tagalog, Malay, Vietnamese;
    words of 4+ letters, or any length in Vietnamese), or, for Thai, Lao, Khmer and Burmese, the share of its letters in
    Latin script. None where not measured (too little text, another script, checks stored before this measure)."""


class ScriptHealth(Record):
    not_nfc: bool
    """The text is not in Unicode NFC."""
    zawgyi: bool
    """Burmese in the Zawgyi font encoding (probability above 0.95)."""
    zawgyi_probability: float | None
    """None when the answer has no Myanmar-script text."""
    truncated: bool
    """The model stopped at the token limit."""
    broken_cluster: bool
    """The text ends inside a grapheme cluster (a dangling stacker or preposed vowel, a lone mark, U+FFFD)."""
    cut_mid_word: bool
    """Truncated, and the last character is a letter or mark: it stopped inside a word."""
    repetition: float
    """How much repeats: the larger of the share of the text inside back-to-back loops (in grapheme clusters) and the
    share of repeated n-grams (words where the text has spaces, grapheme clusters where it does not)."""
    repetitive: bool
    """repetition above 0.5: the answer loops."""

    @property
    def flags(self) -> list[str]:
        names = ["not_nfc", "zawgyi", "truncated", "broken_cluster", "cut_mid_word", "repetitive"]
        return [n.replace("_", "-") for n in names if getattr(self, n)]


class TokenRow(Record):
    """One tokenizer's cost in one language (`seabench tokens`)."""

    model: str
    """The tokenizer's model spec."""
    lang: str
    """ISO 639-1 code."""
    tokenizer: str
    """What counted the tokens, or why nothing could (`note`)."""
    texts: int
    """User turns counted."""
    characters: int
    """Grapheme clusters in them."""
    words: int
    """Words in them (see word_unit)."""
    word_unit: str
    """What a "word" is in this language: segmenter words, whitespace words, syllables or grapheme clusters."""
    tokens: int | None = None
    """Tokens in them; None without a tokenizer."""
    tokens_per_char: float | None = None
    """tokens ÷ characters."""
    tokens_per_word: float | None = None
    """tokens ÷ words."""
    ratio_to_en: float | None = None
    """tokens_per_word ÷ English tokens_per_word for the same tokenizer; None where words are grapheme clusters."""
    ratio_to_en_per_text: float | None = None
    """Tokens per text ÷ English tokens per text: fair where the bench asks comparable things in each language."""
    prompt_cost_usd: float | None = None
    """The bench's user turns in this language, at the model's input price."""
    answer_tokens: int | None = None
    """Tokens in this model's stored answers in this language."""
    answer_cost_usd: float | None = None
    """This model's stored answers in this language, at its output price."""
    note: str = ""
    """Why something is missing, or a caveat, in words."""
