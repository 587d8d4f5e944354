"""What every backend is: one async method. Retries, concurrency and batching belong to the runner."""

from __future__ import annotations

import math
import os
import re
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, Protocol

from .. import defaults as D
from ..errors import SeabenchError, SpecError
from ..records import Completion, GenerationSettings, Message, RateLimits


class Backend(Protocol):
    batch_size: int
    """How many conversations one `complete` call may carry (1 for HTTP APIs; the batch size for local models)."""
    # Optional `max_concurrency`: at most this many calls in flight (a local model says 1).

    async def complete(
        self, conversations: Sequence[Sequence[Message]], settings: GenerationSettings
    ) -> list[Completion]:
        """One completion per conversation, in order. Raise `Retryable` or `Fatal` on failure."""
        ...

    async def aclose(self) -> None: ...


class BatchBackend(Backend, Protocol):
    """A provider with a batch API (half price, results within a day). Requests carry our store keys as custom ids."""

    batch_limits: tuple[int, int]
    """The most requests, and bytes, one batch may hold."""

    def batch_line(self, custom_id: str, messages: Sequence[Message], settings: GenerationSettings) -> dict:
        """One request as the provider's batch file or list holds it."""
        ...

    async def submit_batch(self, lines: list[dict], token: str, since: float, taken: set[str]) -> str:
        """Create a batch of these requests; its id. `token` names this exact submission, first intended at `since`
        (unix seconds): a batch the provider already holds for it is returned instead of a second one, so a create
        whose reply was lost is not paid for twice — found by its token where batches carry one (OpenAI's metadata),
        else by its size and time (Anthropic). `taken`: batches already accounted for, never adopted."""
        ...

    async def batch_state(self, batch_id: str) -> BatchState: ...

    async def batch_results(self, batch_id: str) -> dict[str, Completion | str]:
        """Custom id → the completion, or why that request failed (an error, `expired`)."""
        ...


@dataclass(frozen=True)
class BatchState:
    """A provider batch as its last poll saw it."""

    ended: bool
    """Its results (or its failure) are final and can be collected."""
    status: str
    """The provider's own word: validating, in_progress, finalizing, completed, expired, failed, ended…"""
    total: int = 0
    succeeded: int = 0
    failed: int = 0
    """Errored, expired or cancelled requests."""
    error: str | None = None
    """Why the whole batch failed, when it did (every request in it then failed)."""


class Retryable(Exception):
    """A failure worth trying again: 429, 5xx, timeouts, dropped connections, malformed responses."""

    def __init__(
        self,
        message: str,
        retry_after: float | None = None,
        *,
        throttled: bool = False,
        limits: RateLimits | None = None,
    ):
        super().__init__(message)
        self.retry_after = retry_after
        self.throttled = throttled
        """A 429: the provider's rate limit, which the runner's pacer learns from."""
        self.limits = limits


class Fatal(Exception):
    """A failure that will not go away by retrying this request (400, a refused prompt)."""


CONTEXT_FULL = "the conversation does not fit the model's context"
"""How a TooLong error begins, so whoever stores it can tell it from other refusals."""
# How servers say a request is longer than the model's context: OpenAI and vLLM ("maximum context length",
# context_length_exceeded), Anthropic ("prompt is too long"), llama.cpp ("exceeds the available context size",
# "exceed context window").
_CONTEXT_WORDS = re.compile(
    r"context[ _](?:length|window|size)|maximum context|prompt is too long|too many tokens|exceeds? (?:the )?"
    r"(?:available )?context",
    re.I,
)


def overflows_context(message: str) -> bool:
    """A refusal that says the request is longer than the model's context."""
    return bool(_CONTEXT_WORDS.search(message))


class TooLong(Fatal):
    """The conversation and the reply asked for do not fit the model's context: this request will never succeed as it
    is, however often it is sent."""


class AbortRun(SeabenchError):
    """A failure that dooms every request (bad key, unknown model): stop the run and tell the user.

    What finished before it is already stored; the next run picks up from there.
    """


@dataclass(frozen=True)
class BackendOptions:
    """Per-model options that are about reaching the model, not about what it answers (never part of a key)."""

    base_url: str | None = None
    timeout: float = D.TIMEOUT_S
    batch_size: int = 8
    chat_template: str | None = None
    """Path to a Jinja chat template file, for HF and vLLM models that ship none."""
    dtype: str = "auto"
    """hf: the weights' dtype (auto: bf16 or fp16 on a GPU, fp32 on a CPU)."""
    device: str = "auto"
    """hf: where the model runs (auto: the GPUs, else Apple's MPS, else the CPU)."""
    vllm_args: str | None = None
    """More `vllm serve` arguments, as one shell-quoted string (--tensor-parallel-size 4 …)."""
    llamacpp_args: str | None = None
    """More arguments for llama-cpp-python's server, as one shell-quoted string (--n_gpu_layers -1 …)."""
    start_timeout: float = 600.0
    """Seconds a local server may take to become healthy (loading weights, compiling graphs)."""


def get_key(env_var: str, *, base_url: str | None) -> str:
    """The API key from the environment. A local OpenAI-compatible server needs none, so a placeholder serves."""
    key = os.environ.get(env_var, "").strip()
    if key:
        return key
    if base_url:
        return "not-needed"
    raise SpecError(
        "{var} is not set: export {var}=… (or give it an endpoint of its own, {base_url} or {judge_base_url}, for a "
        "local server that needs no key)",
        var=env_var,
    )


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds from a Retry-After (or retry-after-ms) header, if the server sent one."""
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            seconds = float(ms) / 1000
        except ValueError:
            seconds = math.nan
        if math.isfinite(seconds):  # a server's "nan" or "inf" says nothing usable: as if absent
            return max(0.0, seconds)
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
        return max(0.0, seconds) if math.isfinite(seconds) else None
    except ValueError:
        from datetime import datetime, timezone
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds())
        except (TypeError, ValueError):
            return None


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")


def _duration(value: str) -> float | None:
    """OpenAI's reset durations: `20ms`, `1s`, `6m0s`, `1h2m3.5s`."""
    parts = _DURATION.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value.strip():
        return None
    return sum(float(n) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[u] for n, u in parts)


def _until(value: str) -> float | None:
    """Anthropic's resets: an RFC 3339 time."""
    from datetime import datetime, timezone

    try:
        return max(
            0.0, (datetime.fromisoformat(value.replace("Z", "+00:00")) - datetime.now(timezone.utc)).total_seconds()
        )
    except (ValueError, TypeError):  # not a time, or one without its zone (which cannot be set against ours)
        return None


def parse_limits(headers: Mapping[str, str] | None) -> RateLimits | None:
    """The rate limits a response announces: OpenAI's `x-ratelimit-*-requests|tokens`, Anthropic's
    `anthropic-ratelimit-requests|tokens-*` (or its input-tokens ones). None when it announces none."""
    if headers is None or not any(k.startswith(("x-ratelimit-", "anthropic-ratelimit-")) for k in headers.keys()):
        return None
    headers = {k: v for k, v in headers.items() if k.startswith(("x-ratelimit-", "anthropic-ratelimit-"))}

    def number(name: str) -> int | None:
        value = headers.get(name)
        try:
            return int(float(value)) if value is not None else None
        except (ValueError, OverflowError):  # not a number, nan, or inf (which int() cannot hold)
            return None

    def reset(name: str) -> float | None:
        value = headers.get(name)
        return None if value is None else _duration(value) if name.startswith("x-") else _until(value)

    fields: dict[str, int | float | None] = {}
    for what in ("requests", "tokens"):
        openai = [f"x-ratelimit-{part}-{what}" for part in ("limit", "remaining", "reset")]
        names = [openai] + [
            [f"anthropic-ratelimit-{kind}-{part}" for part in ("limit", "remaining", "reset")]
            for kind in ((what,) if what == "requests" else ("tokens", "input-tokens"))
        ]
        for limit, remaining, reset_at in names:
            if headers.get(limit) is not None:
                fields |= {
                    f"{what}_limit": number(limit),
                    f"{what}_remaining": number(remaining),
                    f"{what}_reset_s": reset(reset_at),
                }
                break
    limits = RateLimits(**fields)  # type: ignore[arg-type]
    return limits if limits.known else None


def token_count(value: object) -> int | None:
    """A usage figure as a server sent it, if it is one: a whole number of tokens, 0 or more. Anything else ("many",
    3.5, -5, 1e300, a list) says nothing about tokens; as a record field it would raise out of the backend mid-run."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def reason(value: object) -> str | None:
    """A finish (stop) reason, if the server sent one as text."""
    return value if isinstance(value, str) else None


def describe_error(e: Exception) -> str:
    """One line for an SDK exception: its class, HTTP status and the first line of its message (redacted later, in
    `backends.redact`, like every string a backend lets out)."""
    status = getattr(e, "status_code", None)
    name = type(e).__name__
    message = str(e).splitlines()[0] if str(e) else ""  # cut to length only after redaction (backends.redact)
    return f"{name} ({status}): {message}" if status else f"{name}: {message}"


def _unreachable(e: BaseException) -> str | None:
    """Why no request to this server can connect, when the exception chain says so for good: a refused connection
    (`host:port`; the SDK may call it a timeout), or a host name that does not exist (a resolver that is only
    struggling says EAI_AGAIN instead, and that is retried)."""
    chain = _chain(e)
    for cause in chain:
        if isinstance(cause, ConnectionRefusedError):
            args = [a for a in cause.args if isinstance(a, str)]
            found = re.search(r"\('([^']+)', (\d+)\)", args[-1]) if args else None
            where = f"{found.group(1)}:{found.group(2)}" if found else "the server"
            return f"connection refused by {where}: nothing is listening there"
        if isinstance(cause, socket.gaierror) and cause.errno in _NO_SUCH_HOST:
            named = re.search(r"host ([^\s:]+)", " ".join(str(c) for c in chain))
            return f"no such host{' ' + named.group(1) if named else ''}: its name does not resolve"
    return None


_NO_SUCH_HOST = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}


def _chain(e: BaseException) -> list[BaseException]:
    """The exception and its causes, outermost first (SDKs wrap the socket's error in two or three of their own)."""
    out: list[BaseException] = []
    cause: BaseException | None = e
    while cause is not None and cause not in out:
        out.append(cause)
        cause = cause.__cause__ or cause.__context__
    return out


CONVERSATION_PARAMS = ("messages", "prompt", "input", "system")
"""Request parameters that hold the conversation itself: a 400 naming one is about this request's content alone."""


def _field_named(body: object) -> str | None:
    """The request field an Anthropic 400 is about: its message leads with it (`temperature: range: 0..1`)."""
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    found = re.match(r"([a-z_]+): ", message) if isinstance(message, str) else None
    return found.group(1) if found else None


def raise_sdk_error(sdk: Any, e: Exception, label: str, retry_statuses: tuple[int, ...] = (408, 409)) -> NoReturn:
    """Turn an OpenAI- or Anthropic-SDK exception (the two share their class names) into ours, and raise it.

    Bad key, no access or no such model: every request would fail, so the run stops. 429, 5xx, timeouts, dropped
    connections and undecodable bodies are retried; any other refusal fails just this request.
    """
    message = describe_error(e)
    unreachable = _unreachable(e)
    if unreachable:
        raise AbortRun(f"{label}: {unreachable} (is the server up, and the URL right?)") from None
    if isinstance(e, (sdk.AuthenticationError, sdk.PermissionDeniedError, sdk.NotFoundError)):
        raise AbortRun(f"{label}: {message}") from None
    if isinstance(e, sdk.RateLimitError):
        headers = e.response.headers
        raise Retryable(message, parse_retry_after(headers), throttled=True, limits=parse_limits(headers)) from None
    if isinstance(e, sdk.APIStatusError) and (e.status_code >= 500 or e.status_code in retry_statuses):
        raise Retryable(message, parse_retry_after(e.response.headers)) from None
    if isinstance(e, sdk.APIStatusError) and e.status_code in (400, 413) and overflows_context(message):
        raise TooLong(f"{CONTEXT_FULL}: {message}") from None
    param = getattr(e, "param", None) or _field_named(getattr(e, "body", None))
    if isinstance(e, sdk.BadRequestError) and param and not str(param).startswith(CONVERSATION_PARAMS):
        # A setting the model refuses (a reasoning model's temperature 0, a sampling option it lacks) is in every
        # request: stop at the first refusal rather than fail each request alike.
        raise AbortRun(f"{label}: {message} (the request's '{param}')") from None
    if isinstance(e, sdk.APIStatusError):
        raise Fatal(message) from None
    if isinstance(e, sdk.APIError):
        raise Retryable(message) from None
    raise Retryable(f"malformed response: {e}") from None  # a ValueError: a body the SDK could not decode
