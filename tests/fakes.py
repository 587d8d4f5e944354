"""Fake OpenAI- and Anthropic-compatible HTTP servers on 127.0.0.1 for the real SDK clients to talk to.

Scriptable latency, replies and faults: 429 with Retry-After, 500, 503, hangs, dropped connections, malformed
bodies. Every request is recorded. Run standalone (for benchmarks) with `python -m tests.fakes --latency 0.2`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

FAULTS = ("429", "500", "503", "hang", "drop", "malformed")


@dataclass
class Fault:
    kind: str
    retry_after: float | None = 0.2
    message: str | None = None


def default_reply(body: dict) -> str:
    """Deterministic: names the model and echoes the last user message, so conversations can be checked."""
    last = next((m["content"] for m in reversed(body.get("messages", [])) if m["role"] == "user"), "")
    if isinstance(last, list):
        last = "".join(part.get("text", "") for part in last)
    return f"[{body.get('model')}] reply to: {last}"


class FakeServer:
    def __init__(
        self,
        kind: str = "openai",
        *,
        latency: float = 0.0,
        fault_rate: float = 0.0,
        faults: tuple[str, ...] = FAULTS,
        seed: int = 0,
        reply: Callable[[dict], str | Fault] = default_reply,
        hang_s: float = 30.0,
        port: int = 0,
        raw_reply: Callable[[dict, dict], tuple[int, bytes]] | None = None,
        rpm: float | None = None,
        tpm: float | None = None,
        announce: str = "429",
        retry_after: str = "ms",
        burst_s: float = 1.0,
        scattered_429: float = 0.0,
        batch_polls: int = 3,
        lose_batch_creates: int = 0,
        served: list[str] | None = None,
        token_field: str | None = None,
        fixed_temperature: float | None = None,
        keys: set[str] | None = None,
    ):
        self.kind, self.latency, self.fault_rate, self.faults = kind, latency, fault_rate, faults
        self.rng = random.Random(seed)
        self.reply, self.hang_s, self.port = reply, hang_s, port
        self.raw_reply = raw_reply  # (body, headers) → (status, raw body): full control, e.g. echoing a header back
        # Rate limits as token buckets holding a second's worth (providers enforce per-minute limits over short
        # periods). `announce`: "429" says only Retry-After on a refusal; "headers" sends the provider's rate-limit
        # headers on every reply and a bare 429.
        # `retry_after` is how a limit's 429 says when to come back: "ms" (OpenAI's retry-after-ms beside whole
        # seconds), "seconds" (whole seconds only, rounded up, as Anthropic's), or "none". `burst_s`: how many seconds
        # of allowance a bucket holds (1: a per-second limit; 60: a per-minute one that allows a minute's burst).
        # `scattered_429`: the share of requests refused with no limit behind them (an overloaded backend, a proxy).
        self.announce, self.retry_after, self.scattered_429 = announce, retry_after, scattered_429
        self.buckets = {
            what: _Bucket(per_min, burst_s) for what, per_min in (("requests", rpm), ("tokens", tpm)) if per_min
        }
        self.throttled = 0
        # Batch APIs: each batch moves one status further per poll and is answered, through `reply`, when it ends
        # (a Fault is a failed request; Fault("expired") one the batch let expire).
        self.batch_polls = batch_polls
        # The first `lose_batch_creates` batch creations happen, but their reply never arrives (the connection drops).
        self.lose_batch_creates = lose_batch_creates
        # Like OpenAI's reasoning models (o-series, GPT-5): only this token-limit field, only this temperature; the
        # other is a 400 naming the parameter, in OpenAI's words.
        self.token_field, self.fixed_temperature = token_field, fixed_temperature
        self.keys = keys  # the API keys the models route accepts (None: any), like a provider's own API
        # What GET /v1/models lists (None: the server has no such route, 404); not counted in `requests`.
        self.served = ["fake-model"] if served is None else served
        self.serves_models = served is None or bool(served)
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict] = {}
        self.batch_requests: list[dict] = []
        """Every request a batch carried, as the provider received it."""
        self.requests: list[dict] = []
        self.faults_sent: list[str] = []
        self._next_fault = 0
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        base = f"http://127.0.0.1:{self.port}"
        return base + "/v1" if self.kind == "openai" else base

    # lifecycle -------------------------------------------------------------------------------------------

    def __enter__(self) -> FakeServer:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _serve(self, ready: threading.Event) -> None:
        asyncio.run(self._main(ready))

    async def _main(self, ready: threading.Event | None) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, backlog=1024)
        self.port = server.sockets[0].getsockname()[1]
        if ready:
            ready.set()
        async with server:
            await self._stop.wait()

    # HTTP ------------------------------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
                body = await reader.readexactly(int(headers.get("content-length", 0)))
                if not await self._respond(method, path, headers, body, writer):
                    return
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # client went away, or the server is shutting down
        finally:
            writer.close()

    async def _respond(self, method: str, path: str, headers: dict, raw: bytes, writer: asyncio.StreamWriter) -> bool:
        if path == "/health":  # vLLM's readiness probe
            await self._send(writer, 200, b"")
            return True
        if method == "GET" and "/v1/models/" in path:  # retrieve one model (an alias resolves on the real APIs)
            with self._lock:
                self.requests.append({"method": method, "path": path, "headers": headers, "body": None, "t": 0.0})
            wanted = path.split("/v1/models/", 1)[1].split("?")[0]
            given = headers.get("x-api-key") or headers.get("authorization", "").removeprefix("Bearer ")
            if self.keys is not None and given not in self.keys:
                await self._send(writer, 401, {"error": {"message": "Incorrect API key provided"}})
            elif wanted in self.served:
                await self._send(writer, 200, {"id": wanted, "object": "model", "type": "model", "owned_by": "fake"})
            else:
                error = {"message": f"The model '{wanted}' does not exist", "type": "invalid_request_error"}
                await self._send(writer, 404, {"error": error})
            return True
        if method == "GET" and path.split("?")[0].rstrip("/").endswith("/v1/models"):
            if not self.serves_models:
                await self._send(writer, 404, {"error": {"message": "not found"}})
                return True
            listed = [{"id": m, "object": "model", "type": "model", "owned_by": "fake"} for m in self.served]
            await self._send(writer, 200, {"object": "list", "data": listed, "has_more": False})
            return True
        if "/files" in path or "/batches" in path:
            with self._lock:
                self.requests.append(
                    {"method": method, "path": path, "headers": headers, "body": None, "t": time.time()}
                )
                status, payload = self._batch_api(method, path.split("?")[0], headers, raw)
                lost = method == "POST" and path.rstrip("/").endswith("batches") and self.lose_batch_creates > 0
                self.lose_batch_creates -= lost
            if lost:
                writer.transport.abort()
                return False
            await self._send(writer, status, payload)
            return True
        body = json.loads(raw or b"{}")
        with self._lock:
            self.requests.append({"method": method, "path": path, "headers": headers, "body": body, "t": time.time()})
            # Which requests fail is random; the kinds take turns, so every kind shows up in a short run.
            fault = None
            if self.scattered_429 and self.rng.random() < self.scattered_429:
                fault = Fault("429", retry_after=0.2)
            elif self.rng.random() < self.fault_rate:
                fault = Fault(self.faults[self._next_fault % len(self.faults)])
                self._next_fault += 1
            limited = self._limit(body) if self.buckets and path.endswith(("/chat/completions", "/messages")) else None
        if limited is not None:
            self.throttled += 1
            error = {"message": "rate limit reached", "type": "rate_limit_error"}
            await self._send(
                writer, 429, {"error": error} if self.kind == "openai" else {"type": "error", "error": error}, limited
            )
            return True
        refused = self._refused_setting(body) if path.endswith("/chat/completions") else None
        if refused is not None:
            await self._send(writer, 400, {"error": refused})
            return True
        limits = self._limit_headers()
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.raw_reply is not None:
            status, data = self.raw_reply(body, headers)
            await self._send(writer, status, data)
            return True
        if fault is None:
            outcome = self.reply(body)
            if isinstance(outcome, Fault):
                fault = outcome
        if fault is not None:
            self.faults_sent.append(fault.kind)
            return await self._fault(fault, writer)
        payload = self._ok(body, outcome)
        await self._send(writer, 200, payload, limits)
        return True

    # batch APIs --------------------------------------------------------------------------------------------

    def _batch_api(self, method: str, path: str, headers: dict, raw: bytes) -> tuple[int, dict | bytes]:
        """OpenAI's files and batches, Anthropic's message batches: just enough for the real SDKs' batch calls."""
        parts = path.strip("/").split(
            "/"
        )  # v1 files | v1 files ID content | v1 batches [ID] | v1 messages batches [ID [results]]
        if self.kind == "openai" and parts[1] == "files":
            if method == "POST":
                file_id = f"file-{len(self.files) + 1}"
                self.files[file_id] = _multipart_file(headers, raw)
                return 200, {
                    "id": file_id,
                    "object": "file",
                    "bytes": len(self.files[file_id]),
                    "created_at": int(time.time()),
                    "filename": "batch.jsonl",
                    "purpose": "batch",
                    "status": "processed",
                }
            return (
                (200, self.files[parts[2]]) if parts[2] in self.files else (404, {"error": {"message": "no such file"}})
            )
        if self.kind == "openai" and parts[1] == "batches":
            if method == "GET" and len(parts) == 2:  # the list, newest first, as OpenAI's
                data = [b["object"] for b in reversed(self.batches.values())]
                return 200, {"object": "list", "data": data, "has_more": False}
            if method == "POST":
                body = json.loads(raw)
                lines = [
                    json.loads(line) for line in self.files[body["input_file_id"]].decode().splitlines() if line.strip()
                ]
                batch_id = f"batch_{len(self.batches) + 1}"
                self.batches[batch_id] = {
                    "lines": lines,
                    "polls": 0,
                    "object": {
                        "id": batch_id,
                        "object": "batch",
                        "endpoint": body["endpoint"],
                        "input_file_id": body["input_file_id"],
                        "completion_window": body["completion_window"],
                        "status": "validating",
                        "created_at": int(time.time()),
                        "output_file_id": None,
                        "error_file_id": None,
                        "errors": None,
                        "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
                        "metadata": body.get("metadata"),
                    },
                }
                return 200, self.batches[batch_id]["object"]
            batch = self.batches.get(parts[2])
            if batch is None:
                return 404, {"error": {"message": "no such batch"}}
            self._advance(batch)
            return 200, batch["object"]
        if self.kind == "anthropic" and parts[1:3] == ["messages", "batches"]:
            if method == "GET" and len(parts) == 3:  # the list, newest first, as Anthropic's
                data = [b["object"] for b in reversed(self.batches.values())]
                first, last = (data[0]["id"], data[-1]["id"]) if data else (None, None)
                return 200, {"data": data, "has_more": False, "first_id": first, "last_id": last}
            if method == "POST":
                requests = json.loads(raw)["requests"]
                batch_id = f"msgbatch_{len(self.batches) + 1}"
                now = datetime.now(timezone.utc)
                self.batches[batch_id] = {
                    "lines": requests,
                    "polls": 0,
                    "object": {
                        "id": batch_id,
                        "type": "message_batch",
                        "processing_status": "in_progress",
                        "created_at": now.isoformat(),
                        "expires_at": now.isoformat(),
                        "ended_at": None,
                        "archived_at": None,
                        "cancel_initiated_at": None,
                        "results_url": None,
                        "request_counts": {
                            "processing": len(requests),
                            "succeeded": 0,
                            "errored": 0,
                            "canceled": 0,
                            "expired": 0,
                        },
                    },
                }
                return 200, self.batches[batch_id]["object"]
            batch = self.batches.get(parts[3])
            if batch is None:
                return 404, {"type": "error", "error": {"type": "not_found_error", "message": "no such batch"}}
            if len(parts) > 4:
                return 200, batch["results"]
            self._advance(batch)
            return 200, batch["object"]
        return 404, {"error": {"message": f"no route {method} {path}"}}

    def _advance(self, batch: dict) -> None:
        steps = BATCH_STEPS[self.kind]
        obj = batch["object"]
        batch["polls"] += 1
        step = steps[min(len(steps) - 1, (batch["polls"] - 1) * len(steps) // max(1, self.batch_polls - 1))]
        if "results" in batch:
            return  # ended: it stays as it ended
        if step != steps[-1]:
            obj["status" if self.kind == "openai" else "processing_status"] = step
            return
        outcomes = []
        for line in batch["lines"]:
            body = line["body"] if self.kind == "openai" else line["params"]
            self.batch_requests.append(body)
            reply = self.reply(body)
            outcomes.append((line["custom_id"], body, reply))
        if self.kind == "openai":
            ok, failed = [], []
            for cid, body, reply in outcomes:
                if isinstance(reply, Fault) and reply.kind == "expired":
                    failed.append(
                        {
                            "id": f"req_{cid[:8]}",
                            "custom_id": cid,
                            "response": None,
                            "error": {
                                "code": "batch_expired",
                                "message": "not executed before the completion window expired",
                            },
                        }
                    )
                elif isinstance(reply, Fault):
                    failed.append(
                        {
                            "id": f"req_{cid[:8]}",
                            "custom_id": cid,
                            "error": None,
                            "response": {
                                "status_code": int(reply.kind) if reply.kind.isdigit() else 500,
                                "request_id": "r",
                                "body": {
                                    "error": {"message": reply.message or f"fake {reply.kind}", "type": "server_error"}
                                },
                            },
                        }
                    )
                else:
                    ok.append(
                        {
                            "id": f"req_{cid[:8]}",
                            "custom_id": cid,
                            "error": None,
                            "response": {"status_code": 200, "request_id": "r", "body": self._ok(body, reply)},
                        }
                    )
            for rows, field in ((ok, "output_file_id"), (failed, "error_file_id")):
                if rows:
                    file_id = f"file-{len(self.files) + 1}"
                    self.files[file_id] = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
                    obj[field] = file_id
            expired = any(r["error"] and r["error"]["code"] == "batch_expired" for r in failed)
            obj["status"] = "expired" if expired else "completed"
            obj["request_counts"] = {"total": len(outcomes), "completed": len(ok), "failed": len(failed)}
            batch["results"] = True
            return
        counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        rows = []
        for cid, body, reply in outcomes:
            if isinstance(reply, Fault) and reply.kind == "expired":
                result: dict = {"type": "expired"}
            elif isinstance(reply, Fault):
                result = {
                    "type": "errored",
                    "error": {"type": "error", "error": {"type": "api_error", "message": reply.message or "fake"}},
                }
            else:
                result = {"type": "succeeded", "message": self._ok(body, reply)}
            counts[result["type"]] += 1
            rows.append({"custom_id": cid, "result": result})
        batch["results"] = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
        obj.update(
            processing_status="ended",
            request_counts=counts,
            ended_at=datetime.now(timezone.utc).isoformat(),
            results_url=f"http://127.0.0.1:{self.port}/v1/messages/batches/{obj['id']}/results",
        )

    def _limit(self, body: dict) -> dict | None:
        """Headers of a 429 when a bucket is empty; None (and the request's share taken) when it may go ahead."""
        cost = {"requests": 1.0, "tokens": float(_tokens(body))}
        now = time.monotonic()
        waits = [bucket.wait(now, cost[what]) for what, bucket in self.buckets.items()]
        if max(waits) <= 0:
            for what, bucket in self.buckets.items():
                bucket.take(cost[what])
            return None
        if self.announce == "headers":
            return self._limit_headers()
        wait = max(waits)
        if self.retry_after == "ms":
            return {"retry-after-ms": str(int(wait * 1000) + 1), "retry-after": str(max(1, round(wait)))}
        return {"retry-after": str(max(1, math.ceil(wait)))} if self.retry_after == "seconds" else {}

    def _limit_headers(self) -> dict:
        if self.announce != "headers":
            return {}
        now, out = time.monotonic(), {}
        for what, bucket in self.buckets.items():
            bucket.refill(now)
            reset = (bucket.capacity - bucket.level) / bucket.rate
            if self.kind == "openai":
                out |= {
                    f"x-ratelimit-limit-{what}": str(int(bucket.per_min)),
                    f"x-ratelimit-remaining-{what}": str(int(bucket.level)),
                    f"x-ratelimit-reset-{what}": f"{int(reset * 1000)}ms",
                }
            else:
                at = datetime.fromtimestamp(time.time() + reset, timezone.utc).isoformat().replace("+00:00", "Z")
                out |= {
                    f"anthropic-ratelimit-{what}-limit": str(int(bucket.per_min)),
                    f"anthropic-ratelimit-{what}-remaining": str(int(bucket.level)),
                    f"anthropic-ratelimit-{what}-reset": at,
                }
        return out

    def _ok(self, body: dict, text: str | tuple[str | None, str]) -> dict:
        """`text`, or (text, finish_reason) to script a reply cut at the token limit; (None, "content_filter") or
        (None, "refusal") is an answer the provider withheld (OpenAI: null content; Anthropic: no blocks)."""
        text, finish = text if isinstance(text, tuple) else (text, "stop")
        prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages", [])) // 4 + 1
        completion = len(text or "") // 4 + 1
        if self.kind == "openai":
            return {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
                "usage": {
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion,
                },
            }
        return {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": body.get("model"),
            "content": [] if text is None else [{"type": "text", "text": text}],
            "stop_reason": {"length": "max_tokens", "stop": "end_turn"}.get(finish, finish),
            "stop_sequence": None,
            "usage": {"input_tokens": prompt, "output_tokens": completion},
        }

    def _refused_setting(self, body: dict) -> dict | None:
        """OpenAI's 400 for a setting a reasoning model does not take, or None."""
        other = {"max_tokens": "max_completion_tokens", "max_completion_tokens": "max_tokens"}.get(
            self.token_field or ""
        )
        if other is not None and other in body:
            return {
                "message": f"Unsupported parameter: '{other}' is not supported with this model. Use "
                f"'{self.token_field}' instead.",
                "type": "invalid_request_error",
                "param": other,
                "code": "unsupported_parameter",
            }
        wanted = self.fixed_temperature
        if wanted is not None and body.get("temperature", wanted) != wanted:
            return {
                "message": f"Unsupported value: 'temperature' does not support {body['temperature']:g} with this model. "
                f"Only the default ({wanted:g}) value is supported.",
                "type": "invalid_request_error",
                "param": "temperature",
                "code": "unsupported_value",
            }
        return None

    async def _fault(self, fault: Fault, writer: asyncio.StreamWriter) -> bool:
        if fault.kind == "drop":
            writer.transport.abort()
            return False
        if fault.kind == "hang":
            await asyncio.sleep(self.hang_s)
            return False
        if fault.kind == "malformed":
            await self._send(writer, 200, b'{"id": "chatcmpl-broken", "choices": [{"index": 0, "mess')
            return True
        status = int(fault.kind)
        error = {
            "message": fault.message or f"fake {status}",
            "type": "rate_limit_error" if status == 429 else "server_error",
        }
        payload = {"error": error} if self.kind == "openai" else {"type": "error", "error": error}
        extra = {"retry-after": str(fault.retry_after)} if status == 429 and fault.retry_after is not None else {}
        await self._send(writer, status, payload, extra)
        return True

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, status: int, payload, extra: dict | None = None) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        reason = {
            200: "OK",
            400: "Bad Request",
            401: "Unauthorized",
            429: "Too Many Requests",
            500: "Internal Server Error",
            503: "Service Unavailable",
        }.get(status, "X")
        head = f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {len(data)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in (extra or {}).items())
        writer.write(head.encode() + b"\r\n" + data)
        await writer.drain()


BATCH_STEPS = {
    "openai": ["validating", "in_progress", "finalizing", "completed"],
    "anthropic": ["in_progress", "ended"],
}


def _multipart_file(headers: dict, raw: bytes) -> bytes:
    """The file part of a multipart/form-data upload."""
    boundary = headers["content-type"].split("boundary=")[1].strip('"').encode()
    for part in raw.split(b"--" + boundary):
        head, _, content = part.partition(b"\r\n\r\n")
        if b'name="file"' in head:
            return content.removesuffix(b"\r\n")
    raise ValueError("no file in the upload")


def _tokens(body: dict) -> int:
    """What a request counts against a token limit, as providers reckon it up front: the prompt (≈ 4 bytes a token)
    and the most the reply may take."""
    prompt = sum(len(str(m.get("content", "")).encode()) for m in body.get("messages", [])) // 4 + 1
    return prompt + int(body.get("max_tokens") or body.get("max_completion_tokens") or 0)


class _Bucket:
    def __init__(self, per_min: float, burst_s: float = 1.0):
        self.per_min, self.rate = per_min, per_min / 60
        self.capacity = self.level = max(1.0, self.rate * burst_s)
        self.at = time.monotonic()

    def refill(self, now: float) -> None:
        self.level, self.at = min(self.capacity, self.level + (now - self.at) * self.rate), now

    def wait(self, now: float, cost: float) -> float:
        self.refill(now)
        return max(0.0, (min(cost, self.capacity) - self.level) / self.rate)

    def take(self, cost: float) -> None:
        self.level -= min(cost, self.capacity)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kind", default="openai", choices=["openai", "anthropic"])
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rpm", type=float, default=None)
    parser.add_argument("--tpm", type=float, default=None)
    parser.add_argument("--announce", default="429", choices=["429", "headers"])
    parser.add_argument("--hang-s", type=float, default=30.0)
    parser.add_argument("--faults", default=",".join(FAULTS))
    args = parser.parse_args()
    server = FakeServer(
        args.kind,
        latency=args.latency,
        fault_rate=args.fault_rate,
        port=args.port,
        rpm=args.rpm,
        tpm=args.tpm,
        announce=args.announce,
        hang_s=args.hang_s,
        faults=tuple(args.faults.split(",")),
    )

    async def run() -> None:
        ready = threading.Event()
        task = asyncio.create_task(server._main(ready))
        while not ready.is_set():
            await asyncio.sleep(0.01)
        print(server.port, flush=True)
        await task

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
