"""Backends register by prefix and import their SDK only when used, so start-up stays fast."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from ..errors import ConfigError
from .base import AbortRun, Backend, BackendOptions, Fatal, Retryable

__all__ = ["AbortRun", "Backend", "BackendOptions", "Fatal", "Retryable", "ModelSpec", "parse_spec", "make_backend", "preload"]

PROVIDERS = {
    "openai": "seabench.backends.openai",
    "anthropic": "seabench.backends.anthropic",
    "hf": "seabench.backends.hf",
}
SDKS = {"openai": "openai", "anthropic": "anthropic"}
"""The SDK each HTTP provider imports when its first backend is made."""


@dataclass(frozen=True)
class ModelSpec:
    provider: str
    model: str

    def __str__(self) -> str:
        return f"{self.provider}:{self.model}"


def parse_spec(spec: str) -> ModelSpec:
    """`openai:gpt-4o`, `anthropic:claude-sonnet-4-5`, `hf:SeaLLMs/SeaLLM-7B-v2.5`, `hf:./local/dir`."""
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


def make_backend(spec: ModelSpec, options: BackendOptions) -> Backend:
    """The provider's backend, behind the one redactor every outgoing string passes through."""
    from .redact import Redacted

    backend = import_module(PROVIDERS[spec.provider]).create(spec.model, options)
    return Redacted(backend, [getattr(backend, "_key", "") or ""])
