"""OpenAI and every OpenAI-compatible server (vLLM, SGLang, TGI, Ollama, LM Studio) through the official SDK."""

from __future__ import annotations

import os
from typing import Sequence

from ..records import Completion, GenerationSettings, Message, Usage
from .base import AbortRun, BackendOptions, Fatal, Retryable, get_key, parse_retry_after
from .base import describe_error as _describe


class OpenAIBackend:
    batch_size = 1

    def __init__(self, model: str, options: BackendOptions):
        import openai

        self._openai = openai
        self.model = model
        base_url = options.base_url or os.environ.get("OPENAI_BASE_URL") or None
        key = get_key("OPENAI_API_KEY", base_url=base_url, hint="or pass --base-url for a local OpenAI-compatible server")
        # One client, one connection pool, for the whole run; the runner does the retrying.
        self.client = openai.AsyncOpenAI(api_key=key, base_url=base_url, max_retries=0, timeout=options.timeout)

    async def complete(self, conversations: Sequence[Sequence[Message]], settings: GenerationSettings) -> list[Completion]:
        (messages,) = conversations
        openai = self._openai
        try:
            response = await self.client.chat.completions.create(
                model=self.model,
                messages=[{"role": m.role, "content": m.content} for m in messages],
                temperature=settings.temperature,
                max_tokens=settings.max_tokens,
            )
        except (openai.AuthenticationError, openai.PermissionDeniedError, openai.NotFoundError) as e:
            raise AbortRun(f"openai:{self.model}: {_describe(e)}") from None
        except openai.RateLimitError as e:
            raise Retryable(_describe(e), parse_retry_after(e.response.headers)) from None
        except openai.APIStatusError as e:
            if e.status_code >= 500 or e.status_code in (408, 409):
                raise Retryable(_describe(e), parse_retry_after(e.response.headers)) from None
            raise Fatal(_describe(e)) from None
        except openai.APIError as e:  # connection dropped, timeout, unreadable body
            raise Retryable(_describe(e)) from None
        except ValueError as e:  # a body the SDK could not decode
            raise Retryable(f"malformed response: {e}") from None
        choices = getattr(response, "choices", None)
        if not choices or choices[0].message is None:
            raise Retryable("malformed response: no choices")
        choice = choices[0]
        text = choice.message.content
        if text is None and choice.finish_reason not in ("stop", "length"):
            raise Retryable(f"malformed response: no content (finish_reason={choice.finish_reason})")
        usage = response.usage
        return [
            Completion(
                text=text or "",
                usage=Usage(
                    input_tokens=usage.prompt_tokens if usage else None,
                    output_tokens=usage.completion_tokens if usage else None,
                ),
                finish_reason=choice.finish_reason,
            )
        ]

    async def aclose(self) -> None:
        await self.client.close()


def create(model: str, options: BackendOptions) -> OpenAIBackend:
    return OpenAIBackend(model, options)
