"""Anthropic's Messages API through the official SDK."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ..records import Completion, GenerationSettings, Message, RateLimits, Usage
from .base import BackendOptions, BatchState, Retryable, get_key, parse_limits, raise_sdk_error, reason, token_count


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
        key = self._key = get_key("ANTHROPIC_API_KEY", base_url=base_url)
        self.client = anthropic.AsyncAnthropic(
            api_key=key,
            base_url=base_url,
            max_retries=0,
            timeout=options.timeout,
            http_client=anthropic.DefaultAioHttpClient(),
        )

    async def complete(
        self, conversations: Sequence[Sequence[Message]], settings: GenerationSettings
    ) -> list[Completion]:
        (messages,) = conversations
        body = self._body(messages, settings)
        try:
            # The client's own `post`, as in the OpenAI backend: same headers and errors, no typed-parameter walk.
            response = await self.client.post(
                "/v1/messages", body=body, cast_to=self._anthropic.AsyncAPIResponse[object]
            )
            data = await response.parse()
        except (self._anthropic.APIError, ValueError) as e:
            # 529 is Anthropic's "overloaded": worth another try.
            raise_sdk_error(self._anthropic, e, f"anthropic:{self.model}", retry_statuses=(408, 409, 529))
        return [_read_message(data, parse_limits(response.headers))]

    def _body(self, messages: Sequence[Message], settings: GenerationSettings) -> dict:
        # Anthropic takes the system prompt apart from the turns.
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        body = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages if m.role != "system"],
            "max_tokens": settings.max_tokens,
            # SDK 1.x dropped sampling parameters from `messages.create`; the API still takes them in the body.
            "temperature": settings.temperature,
            **dict(settings.sampling),  # --sampling: top_k, top_p, as given
        }
        if system:
            body["system"] = system
        return body

    async def aclose(self) -> None:
        await self.client.close()

    # Message Batches: the requests in one call, results as JSONL from the batch's results URL once it has ended.

    batch_limits = (100_000, 256 * 1024 * 1024)

    def batch_line(self, custom_id: str, messages: Sequence[Message], settings: GenerationSettings) -> dict:
        return {"custom_id": custom_id, "params": self._body(messages, settings)}

    async def submit_batch(self, lines: list[dict], token: str, since: float, taken: set[str]) -> str:
        try:
            found = await self._batch_since(since, len(lines), taken)
            if found is not None:
                return found
            batch = await self.client.messages.batches.create(requests=lines)  # type: ignore[arg-type]
        except (self._anthropic.APIError, ValueError) as e:
            raise_sdk_error(self._anthropic, e, f"anthropic:{self.model}", retry_statuses=(408, 409, 529))
        return batch.id

    async def _batch_since(self, since: float, size: int, taken: set[str]) -> str | None:
        """The batch a lost create reply made: Message Batches carry no metadata and list no custom ids before they
        end, so it is the one batch of this many requests created since the submission was first intended (less a
        few seconds of clock skew) that is not already ours, and not being cancelled. Two such, or none: create (a
        wrong adoption would only show as missing results, retried in the next wave; a guess between two could
        leave a real one uncollected)."""
        found = []
        try:
            async for batch in self.client.messages.batches.list(limit=100):  # newest first
                if batch.created_at.timestamp() < since - CLOCK_SKEW_S:
                    break
                c = batch.request_counts
                total = c.processing + c.succeeded + c.errored + c.canceled + c.expired
                if batch.id not in taken and total == size and batch.processing_status != "canceling":
                    found.append(batch.id)
        except self._anthropic.NotFoundError:
            return None  # a compatible server with batches but no list: nothing to find, create as before
        return found[0] if len(found) == 1 else None

    async def batch_state(self, batch_id: str) -> BatchState:
        try:
            batch = await self.client.messages.batches.retrieve(batch_id)
        except (self._anthropic.APIError, ValueError) as e:
            raise_sdk_error(self._anthropic, e, f"anthropic:{self.model}", retry_statuses=(408, 409, 529))
        c = batch.request_counts
        return BatchState(
            ended=batch.processing_status == "ended",
            status=batch.processing_status,
            total=c.processing + c.succeeded + c.errored + c.canceled + c.expired,
            succeeded=c.succeeded,
            failed=c.errored + c.canceled + c.expired,
        )

    async def batch_results(self, batch_id: str) -> dict[str, Completion | str]:
        out: dict[str, Completion | str] = {}
        try:
            async for entry in await self.client.messages.batches.results(batch_id):
                result = entry.result
                if result.type == "succeeded":
                    try:
                        out[entry.custom_id] = _read_message(result.message.model_dump())
                    except Retryable as e:
                        out[entry.custom_id] = str(e)
                elif result.type == "errored":
                    error = getattr(result.error, "error", result.error)
                    out[entry.custom_id] = f"{getattr(error, 'type', 'error')}: {getattr(error, 'message', '')}"
                else:
                    out[entry.custom_id] = result.type  # expired, canceled
        except (self._anthropic.APIError, ValueError) as e:
            raise_sdk_error(self._anthropic, e, f"anthropic:{self.model}", retry_statuses=(408, 409, 529))
        return out


CLOCK_SKEW_S = 5.0
"""How far the provider's clock may be behind ours when a batch's creation time is compared with our intent's."""


def create(model: str, options: BackendOptions) -> AnthropicBackend:
    return AnthropicBackend(model, options)


STOP_REASONS = {"end_turn": "stop", "max_tokens": "length", "stop_sequence": "stop"}
"""Anthropic's stop reasons in OpenAI's words, so cut answers are told alike; others (`refusal`) keep their own."""


def _read_message(data: Any, limits: RateLimits | None = None) -> Completion:
    """The text blocks of a Messages API body; anything unexpected is a malformed response, to be retried."""
    try:
        blocks = data["content"]
        text = "".join(b["text"] for b in blocks if b.get("type") == "text")
        stop = reason(data.get("stop_reason"))
        usage = data.get("usage")
        usage = usage if isinstance(usage, dict) else {}
    except (KeyError, TypeError, AttributeError):
        raise Retryable(f"malformed response: {data}") from None
    return Completion(
        text=text,
        usage=Usage(
            input_tokens=token_count(usage.get("input_tokens")), output_tokens=token_count(usage.get("output_tokens"))
        ),
        finish_reason=STOP_REASONS.get(stop, stop) if stop is not None else None,
        limits=limits,
    )
