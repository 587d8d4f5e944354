"""Token counting, in one place for every stage: the model's own tokenizer where one runs offline, else an estimate.

`hf:`, `vllm:` and `llamacpp:` models count with their tokenizer (and chat template, for whole conversations); any
model with the tokenizer named by `--tokenizer` (a model served behind `openai:` is often a checkpoint whose
tokenizer is at hand); `openai:` models with tiktoken when it is installed and its encodings are cached; everything
else gets the estimate, and says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from ..records import Message
from . import parse_spec

LOCAL = ("hf", "vllm", "llamacpp")
"""Providers whose model is a checkpoint or file here: its own tokenizer counts."""
TextCounter = Callable[[str], int]
ChatCounter = Callable[[Sequence[Message]], int]


def estimate(messages: Sequence[Message]) -> int:
    """UTF-8 bytes ÷ 4 per message, plus a few tokens of chat framing: an upper-bound guess where no tokenizer runs."""
    return sum(math.ceil(len(m.content.encode("utf-8")) / 4) + 4 for m in messages)


def text_counter(spec: str, tokenizer: str | None = None) -> tuple[TextCounter | None, str]:
    """A counter of a text's tokens for a model spec (or with `tokenizer`, a hub id or folder), with the tokenizer's
    name; or None with the reason."""
    parsed = parse_spec(spec)
    source = tokenizer or (parsed.model if parsed.provider in LOCAL else None)
    if source is not None:  # a local checkpoint or GGUF: its own tokenizer; or the one named
        from .hf import load_tokenizer

        tok = load_tokenizer(source)
        return (lambda text: len(tok(text, add_special_tokens=False).input_ids)), f"{type(tok).__name__} from {source}"
    if parsed.provider == "openai":
        try:
            import tiktoken
        except ImportError:
            return (
                None,
                "no offline tokenizer: install seabench[tiktoken] and cache its encodings (TIKTOKEN_CACHE_DIR) to "
                "count OpenAI tokens",
            )
        try:
            enc = tiktoken.encoding_for_model(parsed.model)
        except Exception as e:  # unknown model, or the encoding is not cached and cannot be downloaded
            return None, f"no offline tokenizer for {parsed.model}: tiktoken could not load one ({type(e).__name__})"
        return (lambda text: len(enc.encode(text, disallowed_special=()))), f"tiktoken {enc.name}"
    return (
        None,
        f"{parsed.provider} publishes no tokenizer that runs offline; token counts come only from its API usage",
    )


def chat_counter(
    spec: str, chat_template: str | None = None, tokenizer_source: str | None = None
) -> tuple[ChatCounter, str]:
    """A counter of a whole conversation's prompt tokens: `tokenizer` (the model's chat template, or that of the
    tokenizer named by `tokenizer_source`) or `estimate`."""
    parsed = parse_spec(spec)
    source = tokenizer_source or (parsed.model if parsed.provider in LOCAL else None)
    if source is not None:
        from .hf import load_tokenizer

        tokenizer = load_tokenizer(source, chat_template)
        if tokenizer.chat_template:

            def count(messages: Sequence[Message]) -> int:
                text = tokenizer.apply_chat_template(
                    [m.model_dump() for m in messages], add_generation_prompt=True, tokenize=False
                )
                return len(tokenizer(text, add_special_tokens=False).input_ids)

            return count, "tokenizer"
    return estimate, "estimate"
