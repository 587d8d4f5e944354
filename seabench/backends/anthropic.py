"""Anthropic's Messages API through the official SDK."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ..records import Completion, GenerationSettings, Message, RateLimits, Usage
from .base import BackendOptions, Retryable, get_key, parse_limits, raise_sdk_error


class AnthropicBackend:
    batch_size = 1

    def __init__(self, model: str, options: BackendOptions):
        import anthropic

        self._anthropic = anthropic
        self.model = model
        base_url = options.base_url or os.environ.get("ANTHROPIC_BASE_URL") or None
        if base_url:
            # The SDK adds /v1/messages itself; a URL ending in /v1 (as OpenAI's do) would 404 without a hint.
            base_url = base_url.rstrip("/").removesuffix("/v1")
        key = self._key = get_key("ANTHROPIC_API_KEY", base_url=base_url, hint="or pass --base-url for a compatible server")
        self.client = anthropic.AsyncAnthropic(
            api_key=key, base_url=base_url, max_retries=0, timeout=options.timeout, http_client=anthropic.DefaultAioHttpClient()
        )

    async def complete(self, conversations: Sequence[Sequence[Message]], settings: GenerationSettings) -> list[Completion]:
        (messages,) = conversations
        # Anthropic takes the system prompt apart from the turns.
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        body = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages if m.role != "system"],
            "max_tokens": settings.max_tokens,
            # SDK 1.x dropped sampling parameters from `messages.create`; the API still takes them in the body.
            "temperature": settings.temperature,
        }
        if system:
            body["system"] = system
        try:
            # The client's own `post`, as in the OpenAI backend: same headers and errors, no typed-parameter walk.
            response = await self.client.post("/v1/messages", body=body, cast_to=self._anthropic.AsyncAPIResponse[object])
            data = await response.parse()
        except (self._anthropic.APIError, ValueError) as e:
            # 529 is Anthropic's "overloaded": worth another try.
            raise_sdk_error(self._anthropic, e, f"anthropic:{self.model}", retry_statuses=(408, 409, 529))
        return [_read_message(data, parse_limits(response.headers))]

    async def aclose(self) -> None:
        await self.client.close()


def create(model: str, options: BackendOptions) -> AnthropicBackend:
    return AnthropicBackend(model, options)


def _read_message(data: Any, limits: RateLimits | None = None) -> Completion:
    """The text blocks of a Messages API body; anything unexpected is a malformed response, to be retried."""
    try:
        blocks = data["content"]
        text = "".join(b["text"] for b in blocks if b.get("type") == "text")
        stop = data.get("stop_reason")
        usage = data.get("usage") or {}
    except (KeyError, TypeError, AttributeError):
        raise Retryable(f"malformed response: {str(data)[:200]}") from None
    return Completion(
        text=text,
        usage=Usage(input_tokens=usage.get("input_tokens"), output_tokens=usage.get("output_tokens")),
        finish_reason={"end_turn": "stop", "max_tokens": "length", "stop_sequence": "stop"}.get(stop, stop),
        limits=limits,
    )
