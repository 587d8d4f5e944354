"""What a model is, beyond its name: so one stored name never holds answers from two different models.

A local checkpoint (hf:, vllm:) is its files; an API model (openai:, anthropic:) is where its requests go and, for a
server on this machine or the local network, what that server says it serves (`/v1/models`): two checkpoints served
one after the other under one name, or another server behind the same name, are different models. The URL of a local
server is left out, so a server restarted on another port is still the same model.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

WEIGHTS = (".safetensors", ".bin", ".pt", ".gguf")
SERVED_TIMEOUT_S = 10.0


def checkpoint_identity(spec: str) -> str | None:
    """What a local model (hf:, vllm:) is right now, so one name never holds answers from two checkpoints: a folder's
    config and weight index as they read, and each weight file's name, size and modification time (a checkpoint
    saved again in place has new times); a single weight file (a GGUF) by the same three; a hub id's cached
    revision. None for an API model or an uncached hub id."""
    provider, _, model = spec.partition(":")
    if provider not in ("hf", "vllm", "llamacpp"):
        return None
    folder = Path(model).expanduser()
    if folder.is_file() and folder.name.endswith(WEIGHTS):  # one file, a GGUF: its name, size and time
        stat = folder.stat()
        return "file:" + hashlib.sha256(f"{folder.name}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    if folder.is_dir():
        digest = hashlib.sha256()
        for f in sorted(folder.iterdir()):
            if f.name == "config.json" or f.name.endswith(".index.json"):
                digest.update(f.name.encode() + b"\0" + f.read_bytes())
            elif f.name.endswith(WEIGHTS):
                stat = f.stat()
                digest.update(f"{f.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        return f"files:{digest.hexdigest()[:16]}"
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(model, "config.json")
    except Exception:  # not a hub id (a bad path), or no cache: nothing to say
        return None
    return f"hub:{model}@{Path(cached).parent.name}" if isinstance(cached, str) else None


def is_local(url: str) -> bool:
    """A server on this machine or a private network (a checkpoint someone serves), not a hosted API."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_unspecified


def served_identity(spec: str, base_url: str | None) -> str | None:
    """An API model's identity: `served:ID` for a local server (what its `/v1/models` says it serves: the listed model
    of that name, with the checkpoint vLLM says is behind it, or the one model a server like llama.cpp's lists whatever
    name it is asked for), else `endpoint:URL`. None for local models, and for a local server that lists nothing."""
    from . import DEFAULT_ENDPOINTS

    provider, _, model = spec.partition(":")
    if provider not in DEFAULT_ENDPOINTS:
        return None
    env, public = DEFAULT_ENDPOINTS[provider]
    urls = [u.strip().rstrip("/") for u in (base_url or os.environ.get(env, "").strip() or public).split(",")]
    if not all(is_local(u) for u in urls):
        return "endpoint:" + ",".join(sorted(set(urls)))
    served = {_served(provider, model, u) for u in urls}
    served.discard(None)
    return "served:" + " | ".join(sorted(s for s in served if s)) if served else None


def _served(provider: str, model: str, url: str) -> str | None:
    """What one server lists for `model`; None when it answers nothing usable (no /v1/models, not running)."""
    import json
    import urllib.request

    from . import KEYS
    from .redact import redact

    key = os.environ.get(KEYS[provider], "").strip()
    headers = ({"Authorization": f"Bearer {key}"} if provider == "openai" else {"x-api-key": key}) if key else {}
    endpoint = url + "/models" if provider == "openai" else url + "/v1/models"
    try:
        with urllib.request.urlopen(urllib.request.Request(endpoint, headers=headers), timeout=SERVED_TIMEOUT_S) as r:
            listed = [m for m in json.loads(r.read()).get("data", []) if isinstance(m, dict)]
    except (OSError, ValueError, AttributeError):  # refused, 404 (HTTPError), not JSON, not a list
        return None
    listed = [m for m in listed if isinstance(m.get("id"), str)]
    if not listed:
        return None
    named = [m for m in listed if m["id"] == model]
    chosen = named[0] if named else listed[0] if len(listed) == 1 else None
    if chosen is None:  # several models, none of this name: the server's whole list is what it is
        return redact(",".join(sorted(m["id"] for m in listed)), [key])
    root = chosen.get("root")
    return redact(chosen["id"] + (f" ({root})" if isinstance(root, str) and root != chosen["id"] else ""), [key])


OFFICIAL = {"openai": "api.openai.com", "anthropic": "api.anthropic.com"}
"""The providers' own APIs, whose `GET /v1/models/{id}` says for certain whether a model (or an alias) exists for the
key; a server that copies their API may list models partly, or not at all, so its silence proves nothing."""


def check_model_exists(spec: str, url: str | None, key: str) -> None:
    """Refuse a model the provider's own API says it does not have, or a key it refuses, before the first paid
    request: in `eval` a mistyped judge (or its bad key) was found only after every candidate answer was paid for.
    Silent where nothing can be concluded (another server, no answer, any other status: a key without the right to
    list models may still answer chats)."""
    from ..errors import ConfigError
    from . import DEFAULT_ENDPOINTS

    provider, _, model = spec.partition(":")
    if provider not in OFFICIAL:
        return
    base = (url or DEFAULT_ENDPOINTS[provider][1]).split(",")[0].strip().rstrip("/")
    if urlsplit(base).hostname != OFFICIAL[provider]:
        return
    status = _model_status(provider, base if base.endswith("/v1") else base + "/v1", model, key)
    if status == 404:
        raise ConfigError(
            f"{spec}: the provider has no model '{model}' for this key (GET /v1/models/{model} answered 404); "
            "check the name against its model list"
        )
    if status == 401:
        raise ConfigError(f"{spec}: the provider refused the API key (GET /v1/models/{model} answered 401)")


@lru_cache(maxsize=64)
def _model_status(provider: str, base: str, model: str, key: str) -> int | None:
    """The HTTP status of `GET {base}/models/{model}`, None when there was no answer; asked once per process (`eval`
    checks its models before making a store and again as generation starts)."""
    import urllib.error
    import urllib.request

    headers = (
        {"Authorization": f"Bearer {key}"}
        if provider == "openai"
        else {"x-api-key": key, "anthropic-version": "2023-06-01"}
    )
    request = urllib.request.Request(f"{base}/models/{quote(model, safe='')}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=SERVED_TIMEOUT_S) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:  # unreachable or slow: the run's first request will say
        return None
