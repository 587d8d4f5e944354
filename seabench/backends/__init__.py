"""Backends register by prefix and import their SDK only when used, so start-up stays fast."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from ..errors import ConfigError
from .base import AbortRun, Backend, BackendOptions, Fatal, Retryable, get_key
from .identity import checkpoint_identity, served_identity

__all__ = [
    "AbortRun",
    "Backend",
    "BackendOptions",
    "Fatal",
    "Retryable",
    "ModelSpec",
    "parse_spec",
    "make_backend",
    "preload",
    "checkpoint_identity",
    "served_identity",
    "model_family",
    "endpoint",
]

PROVIDERS = {
    "openai": "seabench.backends.openai",
    "anthropic": "seabench.backends.anthropic",
    "hf": "seabench.backends.hf",
    "vllm": "seabench.backends.vllm",
    "llamacpp": "seabench.backends.llamacpp",
}
SDKS = {"openai": "openai", "anthropic": "anthropic", "vllm": "openai", "llamacpp": "openai"}
"""The SDK each HTTP provider imports when its first backend is made."""


@dataclass(frozen=True)
class ModelSpec:
    provider: str
    model: str

    def __str__(self) -> str:
        return f"{self.provider}:{self.model}"


def parse_spec(spec: str) -> ModelSpec:
    """`openai:gpt-4o`, `anthropic:claude-sonnet-4-5`, `hf:SeaLLMs/SeaLLM-7B-v2.5`, `hf:./local/dir`,
    `vllm:./local/dir`."""
    provider, sep, model = spec.partition(":")
    if not sep or not model.strip():
        raise ConfigError(f"model spec '{spec}' must look like PROVIDER:MODEL (providers: {', '.join(PROVIDERS)})")
    if provider not in PROVIDERS:
        raise ConfigError(f"unknown provider '{provider}' in '{spec}'; known: {', '.join(PROVIDERS)}")
    return ModelSpec(provider, model.strip())


def preload(specs: list[str]) -> None:
    """Start importing the providers these specs need, in the background: an SDK takes a third of a second to
    import, and the bench, the store and the plan can be read meanwhile (SQLite and file reads release the GIL)."""
    import threading

    for name in {SDKS[p] for p in (s.partition(":")[0] for s in specs) if p in SDKS}:
        threading.Thread(target=import_module, args=(name,), daemon=True, name=f"import {name}").start()


# Where an HTTP provider's requests go without a URL of their own: the SDK's environment variable, else its public API.
DEFAULT_ENDPOINTS = {
    "openai": ("OPENAI_BASE_URL", "https://api.openai.com/v1"),
    "anthropic": ("ANTHROPIC_BASE_URL", "https://api.anthropic.com"),
}


def endpoint(spec: str, base_url: str | None) -> str:
    """Where a model's or judge's requests go, in words, as the plan shows it."""
    import os

    provider = spec.partition(":")[0]
    if provider == "hf":
        return "here (transformers)"
    if provider == "vllm":
        return "here (a vllm server seabench starts and stops)"
    if provider == "llamacpp":
        return "here (a llama.cpp server seabench starts and stops)"
    if base_url:
        return base_url
    env, public = DEFAULT_ENDPOINTS[provider]
    found = os.environ.get(env, "").strip()
    return f"{found} (from ${env})" if found else public


KEYS = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}


def check_access(items: Iterable[Any], options: BackendOptions) -> None:
    """Every model or judge about to send has its API key, and the provider's own API has the model it names (an item
    has `spec` and `base_url`, which wins over the options'): checked before the first request of a run, so a judge's
    missing key or mistyped name is not found after the candidates' answers are paid for. The same rule as the
    backends': a local endpoint needs no key."""
    import os

    from ..config import check_endpoint
    from ..errors import ConfigError
    from .identity import check_model_exists

    for item in items:
        provider = item.spec.partition(":")[0]
        if provider in KEYS:
            env, _ = DEFAULT_ENDPOINTS[provider]
            url = item.base_url or options.base_url or os.environ.get(env, "").strip() or None
            if url and not (item.base_url or options.base_url):  # the options' URLs were checked as settings
                try:
                    check_endpoint(url)
                except ValueError as e:
                    raise ConfigError(f"{env}: {e}, not '{url}'") from None
            check_model_exists(item.spec, url, get_key(KEYS[provider], base_url=url))


FAMILY_ALIASES = {
    "o": "gpt",
    "chatgpt": "gpt",
    "meta": "llama",
    "codellama": "llama",
    "gemini": "gemini",
    "gemma": "gemma",
}


def model_family(spec: str, name: str = "") -> str:
    """A model's family, for spotting a judge that grades its own kind: the leading letters of the model's name
    (gpt-4o → gpt, claude-sonnet-4-5 → claude, Qwen/Qwen2.5-7B → qwen), OpenAI's o-series counted with GPT, a bench's
    shipped answers by their stored name (Sea-bench's chatgpt_response → gpt)."""
    provider, _, model = spec.partition(":")
    base = (name if provider == "bench" else model).rsplit("/", 1)[-1].lower()
    found = re.match(r"[a-z]+", base)
    family = found.group(0) if found else base
    return FAMILY_ALIASES.get(family, family)


def make_backend(spec: ModelSpec, options: BackendOptions) -> Backend:
    """The provider's backend, behind the one redactor every outgoing string passes through."""
    from .redact import Redacted

    backend = import_module(PROVIDERS[spec.provider]).create(spec.model, options)
    return Redacted(backend, [getattr(backend, "_key", "") or ""])
