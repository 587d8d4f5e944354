"""Anthropic's Messages API through the official SDK."""

from __future__ import annotations

import os
from typing import Sequence

from ..records import Completion, GenerationSettings, Message, Usage
from .base import AbortRun, BackendOptions, Fatal, Retryable, get_key, parse_retry_after
from .base import describe_error as _describe


class AnthropicBackend:
    batch_size = 1

    def __init__(self, model: str, options: BackendOptions):
        import anthropic

        self._anthropic = anthropic
        self.model = model
        base_url = options.base_url or os.environ.get("ANTHROPIC_BASE_URL") or None
        key = get_key("ANTHROPIC_API_KEY", base_url=base_url, hint="or pass --base-url for a compatible server")
        self.client = anthropic.AsyncAnthropic(api_key=key, base_url=base_url, max_retries=0, timeout=options.timeout)

    async def complete(self, conversations: Sequence[Sequence[Message]], settings: GenerationSettings) -> list[Completion]:
        (messages,) = conversations
        anthropic = self._anthropic
        # Anthropic takes the system prompt apart from the turns.
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        extra = {"system": system} if system else {}
        # SDK 1.x dropped sampling parameters from the signature; the API still takes them in the body.
        extra["extra_body"] = {"temperature": settings.temperature}
        try:
            response = await self.client.messages.create(
                model=self.model,
                messages=[{"role": m.role, "content": m.content} for m in messages if m.role != "system"],
                max_tokens=settings.max_tokens,
                **extra,
            )
        except (anthropic.AuthenticationError, anthropic.PermissionDeniedError, anthropic.NotFoundError) as e:
            raise AbortRun(f"anthropic:{self.model}: {_describe(e)}") from None
        except anthropic.RateLimitError as e:
            raise Retryable(_describe(e), parse_retry_after(e.response.headers)) from None
        except anthropic.APIStatusError as e:
            if e.status_code >= 500 or e.status_code in (408, 409, 529):
                raise Retryable(_describe(e), parse_retry_after(e.response.headers)) from None
            raise Fatal(_describe(e)) from None
        except anthropic.APIError as e:
            raise Retryable(_describe(e)) from None
        except ValueError as e:
            raise Retryable(f"malformed response: {e}") from None
        content = getattr(response, "content", None)
        if content is None:
            raise Retryable("malformed response: no content")
        text = "".join(block.text for block in content if getattr(block, "type", None) == "text")
        usage = response.usage
        finish = {"end_turn": "stop", "max_tokens": "length", "stop_sequence": "stop"}.get(response.stop_reason, response.stop_reason)
        return [
            Completion(
                text=text,
                usage=Usage(input_tokens=usage.input_tokens if usage else None, output_tokens=usage.output_tokens if usage else None),
                finish_reason=finish,
            )
        ]

    async def aclose(self) -> None:
        await self.client.close()


def create(model: str, options: BackendOptions) -> AnthropicBackend:
    return AnthropicBackend(model, options)
