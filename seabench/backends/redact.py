"""The one redactor every string leaving a backend passes through: errors, bodies, reprs and answers alike.

A proxy or a misbehaving server may echo the key it was sent, in an error, a 200 body or the reply itself; the key in
use and anything shaped like a provider's key are cut out before a string can reach the store, the terminal or a log.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..records import Completion, GenerationSettings, Message
from .base import AbortRun, Backend, Fatal, Retryable

MARK = "[redacted]"
# Provider key shapes: OpenAI (sk-…, sk-proj-…), Anthropic (sk-ant-…), Hugging Face (hf_…), Google (AIza…), and bearer
# tokens as they appear in echoed headers.
KEY_SHAPES = re.compile(
    r"sk-(?:ant-|proj-)?[A-Za-z0-9_\-]{16,}|hf_[A-Za-z0-9]{20,}|AIza[0-9A-Za-z_\-]{30,}|(?i:bearer)\s+[A-Za-z0-9._\-]{8,}"
)


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
        if hasattr(inner, "max_concurrency"):
            self.max_concurrency = inner.max_concurrency

    async def complete(self, conversations: Sequence[Sequence[Message]], settings: GenerationSettings) -> list[Completion]:
        try:
            completions = await self.inner.complete(conversations, settings)
        except Retryable as e:
            raise Retryable(self._clean(str(e)), e.retry_after, throttled=e.throttled, limits=e.limits) from None
        except Fatal as e:
            raise Fatal(self._clean(str(e))) from None
        except AbortRun as e:
            raise AbortRun(self._clean(str(e))) from None
        out = []
        for c in completions:
            clean = self._clean(c.text)
            out.append(c if clean == c.text else c.model_copy(update={"text": clean}))
        return out

    async def aclose(self) -> None:
        await self.inner.aclose()

    def _clean(self, text: str) -> str:
        return redact(text, self.secrets)
