"""OpenAI and every OpenAI-compatible server (vLLM, SGLang, TGI, Ollama, LM Studio) through the official SDK."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ..records import Completion, GenerationSettings, Message, RateLimits, Usage
from .base import BackendOptions, Retryable, get_key, parse_limits, raise_sdk_error


class OpenAIBackend:
    batch_size = 1

    def __init__(self, model: str, options: BackendOptions):
        import openai

        self._openai = openai
        self.model = model
        base_url = options.base_url or os.environ.get("OPENAI_BASE_URL") or None
        key = self._key = get_key("OPENAI_API_KEY", base_url=base_url, hint="or pass --base-url for a local OpenAI-compatible server")
        # One client and one connection pool for the whole run; the runner does the retrying. The SDK's aiohttp
        # transport costs about half the CPU per request of its default httpx one, which matters at 100+ requests/s.
        self.client = openai.AsyncOpenAI(
            api_key=key, base_url=base_url, max_retries=0, timeout=options.timeout, http_client=openai.DefaultAioHttpClient()
        )

    async def complete(self, conversations: Sequence[Sequence[Message]], settings: GenerationSettings) -> list[Completion]:
        (messages,) = conversations
        try:
            # The client's own `post` with a plain JSON body: `chat.completions.create` walks every message through
            # its typed-parameter transform, which costs more CPU than the HTTP exchange itself.
            response = await self.client.post(
                "/chat/completions",
                body={
                    "model": self.model,
                    "messages": [{"role": m.role, "content": m.content} for m in messages],
                    "temperature": settings.temperature,
                    "max_tokens": settings.max_tokens,
                },
                cast_to=self._openai.AsyncAPIResponse[object],  # the JSON as sent (read strictly below), and its headers
            )
            data = await response.parse()
        except (self._openai.APIError, ValueError) as e:
            raise_sdk_error(self._openai, e, f"openai:{self.model}")
        return [_read_chat_completion(data, parse_limits(response.headers))]

    async def aclose(self) -> None:
        await self.client.close()


def create(model: str, options: BackendOptions) -> OpenAIBackend:
    return OpenAIBackend(model, options)


def _read_chat_completion(data: Any, limits: RateLimits | None = None) -> Completion:
    """The first choice of a chat.completion body; anything unexpected is a malformed response, to be retried."""
    try:
        choice = data["choices"][0]
        text, finish = choice["message"].get("content"), choice.get("finish_reason")
        usage = data.get("usage") or {}
    except (KeyError, IndexError, TypeError, AttributeError):
        raise Retryable(f"malformed response: {str(data)[:200]}") from None
    if not isinstance(text, (str, type(None))) or (text is None and finish not in ("stop", "length")):
        raise Retryable(f"malformed response: no content (finish_reason={finish})")
    return Completion(
        text=text or "",
        usage=Usage(input_tokens=usage.get("prompt_tokens"), output_tokens=usage.get("completion_tokens")),
        finish_reason=finish,
        limits=limits,
    )
