"""The one redactor every string leaving a backend passes through: errors, bodies, reprs and answers alike.

A proxy or a misbehaving server may echo the key it was sent, in an error, a 200 body or the reply itself; the key in
use and anything shaped like a provider's key are cut out before a string can reach the store, the terminal or a log.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Sequence
from typing import TypeVar

from ..records import Completion, GenerationSettings, Message
from .base import AbortRun, Backend, BatchState, Fatal, Retryable

T = TypeVar("T")

MARK = "[redacted]"
# Provider key shapes: OpenAI (sk-…, sk-proj-…), Anthropic (sk-ant-…), Hugging Face (hf_…), Google (AIza…), and bearer
# tokens as they appear in echoed headers.
KEY_SHAPES = re.compile(
    r"sk-(?:ant-|proj-)?[A-Za-z0-9_\-]{16,}|hf_[A-Za-z0-9]{20,}|AIza[0-9A-Za-z_\-]{30,}|(?i:bearer)\s+[A-Za-z0-9._\-]{8,}"
)


ERROR_CHARS = 300
"""How much of an error body is kept, once redacted."""


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def redact(text: str, secrets: Sequence[str] = ()) -> str:
    for secret in secrets:
        if secret and len(secret) >= 6:  # placeholders like "k" or "not-needed" are not secrets
            text = text.replace(secret, MARK)
    return KEY_SHAPES.sub(MARK, text)


class Redacted:
    """A backend whose every outgoing string is redacted; exception chains are cut so no repr carries the key."""

    def __init__(self, inner: Backend, secrets: Sequence[str]):
        self.inner = inner
        self.secrets = tuple(s for s in secrets if s)
        self.batch_size = inner.batch_size
        for name in ("max_concurrency", "local", "default_concurrency", "hosts"):
            if hasattr(inner, name):
                setattr(self, name, getattr(inner, name))

    async def complete(
        self, conversations: Sequence[Sequence[Message]], settings: GenerationSettings
    ) -> list[Completion]:
        completions = await self._guard(self.inner.complete(conversations, settings))
        return [self._clean_completion(c) for c in completions]

    async def aclose(self) -> None:
        await self.inner.aclose()

    @property
    def batch_limits(self) -> tuple[int, int] | None:
        return getattr(self.inner, "batch_limits", None)

    def batch_line(self, custom_id: str, messages: Sequence[Message], settings: GenerationSettings) -> dict:
        return self.inner.batch_line(custom_id, messages, settings)  # type: ignore[attr-defined]

    async def submit_batch(self, lines: list[dict], token: str, since: float, taken: set[str]) -> str:
        return await self._guard(self.inner.submit_batch(lines, token, since, taken))  # type: ignore[attr-defined]

    async def batch_state(self, batch_id: str) -> BatchState:
        state = await self._guard(self.inner.batch_state(batch_id))  # type: ignore[attr-defined]
        return dataclasses.replace(state, error=self._clean(state.error)) if state.error else state

    async def batch_results(self, batch_id: str) -> dict[str, Completion | str]:
        results = await self._guard(self.inner.batch_results(batch_id))  # type: ignore[attr-defined]
        return {cid: self._short(r) if isinstance(r, str) else self._clean_completion(r) for cid, r in results.items()}

    async def _guard(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except Retryable as e:
            raise Retryable(self._short(str(e)), e.retry_after, throttled=e.throttled, limits=e.limits) from None
        except Fatal as e:
            raise type(e)(self._short(str(e))) from None  # a TooLong stays one
        except AbortRun as e:
            raise AbortRun(self._short(str(e))) from None

    def _clean_completion(self, c: Completion) -> Completion:
        clean = self._clean(c.text)
        return c if clean == c.text else c.model_copy(update={"text": clean})

    def _clean(self, text: str) -> str:
        return redact(text, self.secrets)

    def _short(self, text: str) -> str:
        """An error for the store and the terminal: redacted whole, then cut. Cutting first could leave part of a key
        that is no longer the key, nor shaped like one, and so passes the redactor."""
        return clip(self._clean(text), ERROR_CHARS)
