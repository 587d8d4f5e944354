"""OpenAI and every OpenAI-compatible server (vLLM, SGLang, TGI, Ollama, LM Studio) through the official SDK."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from ..records import Completion, GenerationSettings, Message, RateLimits, Usage
from .base import BackendOptions, BatchState, Retryable, get_key, parse_limits, raise_sdk_error, reason, token_count

BATCH_TOKEN = "seabench_token"
DEAD_BATCH = ("failed", "expired", "cancelling", "cancelled")
"""Batches that will answer nothing more: a submission under their token is a new one."""


class OpenAIBackend:
    batch_size = 1

    def __init__(self, model: str, options: BackendOptions):
        import openai

        self._openai = openai
        self.model = model
        base_url = options.base_url or os.environ.get("OPENAI_BASE_URL") or None
        key = self._key = get_key("OPENAI_API_KEY", base_url=base_url)
        # One client and one connection pool per server for the whole run; the runner does the retrying. The SDK's
        # aiohttp transport costs about half the CPU per request of its default httpx one, which matters at 100+/s.
        # Several servers of one model (one per GPU or node: --base-url URL1,URL2) share the work: each request goes
        # to the one with the fewest in flight.
        urls = [u.strip() for u in base_url.split(",") if u.strip()] if base_url else [None]
        self.clients = [
            openai.AsyncOpenAI(
                api_key=key,
                base_url=url,
                max_retries=0,
                timeout=options.timeout,
                http_client=openai.DefaultAioHttpClient(),
            )
            for url in urls
        ]
        self.client = self.clients[0]
        self.in_flight = [0] * len(self.clients)
        self.hosts = len(self.clients)
        # OpenAI's own API takes `max_completion_tokens` (its reasoning models, o-series and GPT-5, refuse
        # `max_tokens`); servers that copy its API (vLLM, llama.cpp, Ollama, TGI) take `max_tokens`. One that wants the
        # other says so in a 400 naming the parameter, and the backend switches (`complete`).
        official = all(url is None or urlsplit(url).hostname == "api.openai.com" for url in urls)
        self.token_field = "max_completion_tokens" if official else "max_tokens"

    async def complete(
        self, conversations: Sequence[Sequence[Message]], settings: GenerationSettings
    ) -> list[Completion]:
        (messages,) = conversations
        try:
            return await self._complete(messages, settings)
        except self._openai.BadRequestError as e:
            other = {"max_tokens": "max_completion_tokens", "max_completion_tokens": "max_tokens"}.get(e.param or "")
            if other is None or other not in str(e):
                raise_sdk_error(self._openai, e, f"openai:{self.model}")
            # The server named the field it takes; every later request sends that (requests in flight meanwhile
            # were refused alike, and another may have switched already).
            self.token_field = other
        try:
            return await self._complete(messages, settings)
        except self._openai.BadRequestError as e:
            raise_sdk_error(self._openai, e, f"openai:{self.model}")

    async def _complete(self, messages: Sequence[Message], settings: GenerationSettings) -> list[Completion]:
        which = min(range(len(self.clients)), key=self.in_flight.__getitem__)
        self.in_flight[which] += 1
        try:
            # The client's own `post` with a plain JSON body: `chat.completions.create` walks every message through
            # its typed-parameter transform, which costs more CPU than the HTTP exchange itself.
            response = await self.clients[which].post(
                "/chat/completions",
                body=self._body(messages, settings),
                cast_to=self._openai.AsyncAPIResponse[
                    object
                ],  # the JSON as sent (read strictly below), and its headers
            )
            data = await response.parse()
        except self._openai.BadRequestError:
            raise  # `complete` reads it first: it may name the token field this server takes
        except (self._openai.APIError, ValueError) as e:
            raise_sdk_error(self._openai, e, f"openai:{self.model}")
        finally:
            self.in_flight[which] -= 1
        return [_read_chat_completion(data, parse_limits(response.headers))]

    def _body(self, messages: Sequence[Message], settings: GenerationSettings) -> dict:
        return {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "temperature": settings.temperature,
            self.token_field: settings.max_tokens,
            **dict(settings.sampling),  # --sampling: a server's own options (repeat_penalty, top_k), as given
        }

    async def aclose(self) -> None:
        for client in self.clients:
            await client.close()

    # The Batch API: a JSONL file of requests uploaded, one batch over it, an output file and an error file back.

    batch_limits = (50_000, 200 * 1024 * 1024)

    def batch_line(self, custom_id: str, messages: Sequence[Message], settings: GenerationSettings) -> dict:
        return {
            "custom_id": custom_id,
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": self._body(messages, settings),
        }

    async def submit_batch(self, lines: list[dict], token: str, since: float, taken: set[str]) -> str:
        data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode("utf-8")
        try:
            found = await self._batch_with(token)
            if found is not None:
                return found
            file = await self.client.files.create(file=("seabench-batch.jsonl", data), purpose="batch")
            batch = await self.client.batches.create(
                input_file_id=file.id,
                endpoint="/v1/chat/completions",
                completion_window="24h",
                metadata={BATCH_TOKEN: token},
            )
        except (self._openai.APIError, ValueError) as e:
            raise_sdk_error(self._openai, e, f"openai:{self.model}")
        return batch.id

    async def _batch_with(self, token: str) -> str | None:
        """A live or finished batch created under `token` within its day (newest first: the list stops there)."""
        since = time.time() - 24 * 3600
        try:
            async for batch in self.client.batches.list(limit=100):
                if batch.created_at < since:
                    return None
                if (batch.metadata or {}).get(BATCH_TOKEN) == token and batch.status not in DEAD_BATCH:
                    return batch.id
        except self._openai.NotFoundError:
            return None  # a compatible server with batches but no list: nothing to find, create as before
        return None

    async def _batch(self, batch_id: str) -> Any:
        try:
            return await self.client.batches.retrieve(batch_id)
        except (self._openai.APIError, ValueError) as e:
            raise_sdk_error(self._openai, e, f"openai:{self.model}")

    async def batch_state(self, batch_id: str) -> BatchState:
        batch = await self._batch(batch_id)
        counts = batch.request_counts
        errors = "; ".join(f"{e.code}: {e.message}" for e in (batch.errors.data or [])) if batch.errors else None
        return BatchState(
            ended=batch.status in ("completed", "expired", "failed", "cancelled"),
            status=batch.status,
            total=counts.total if counts else 0,
            succeeded=counts.completed if counts else 0,
            failed=counts.failed if counts else 0,
            error=(errors or f"the batch {batch.status}") if batch.status in ("failed", "cancelled") else None,
        )

    async def batch_results(self, batch_id: str) -> dict[str, Completion | str]:
        batch = await self._batch(batch_id)
        out: dict[str, Completion | str] = {}
        for file_id in (batch.output_file_id, batch.error_file_id):
            if not file_id:
                continue
            try:
                text = (await self.client.files.content(file_id)).text
            except (self._openai.APIError, ValueError) as e:
                raise_sdk_error(self._openai, e, f"openai:{self.model}")
            for line in text.splitlines():
                if line.strip():
                    row = json.loads(line)
                    out[row["custom_id"]] = _batch_row(row)
        return out


def create(model: str, options: BackendOptions) -> OpenAIBackend:
    return OpenAIBackend(model, options)


def _read_chat_completion(data: Any, limits: RateLimits | None = None) -> Completion:
    """The first choice of a chat.completion body; anything unexpected is a malformed response, to be retried."""
    try:
        choice = data["choices"][0]
        text, finish = choice["message"].get("content"), reason(choice.get("finish_reason"))
        usage = data.get("usage")
        usage = usage if isinstance(usage, dict) else {}
    except (KeyError, IndexError, TypeError, AttributeError):
        raise Retryable(f"malformed response: {data}") from None
    # content_filter: the provider withheld the answer (no content). It is what this model's API gave, asking again
    # would pay for the same verdict, and a safety bench expects it: stored empty, and the summary counts it.
    if not isinstance(text, (str, type(None))) or (text is None and finish not in ("stop", "length", "content_filter")):
        raise Retryable(f"malformed response: no content (finish_reason={finish})")
    return Completion(
        text=text or "",
        usage=Usage(
            input_tokens=token_count(usage.get("prompt_tokens")),
            output_tokens=token_count(usage.get("completion_tokens")),
        ),
        finish_reason=finish,
        limits=limits,
    )


def _batch_row(row: dict) -> Completion | str:
    """One line of a batch's output or error file: the completion, or why the request failed."""
    response = row.get("response") or {}
    error = row.get("error") or (response.get("body") or {}).get("error")
    if response.get("status_code") == 200 and not row.get("error"):
        try:
            return _read_chat_completion(response.get("body"))
        except Retryable as e:
            return str(e)
    if isinstance(error, dict):
        code = error.get("code")
        return (
            "expired"
            if code == "batch_expired"
            else f"{code or response.get('status_code')}: {error.get('message', '')}"
        )
    return f"HTTP {response.get('status_code')}: {error}"
