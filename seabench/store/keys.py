"""Content-hash keys: the same request always gets the same key, so writing a result twice is a no-op."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any


def content_key(kind: str, payload: Any) -> str:
    """sha256 over canonical JSON of what determines the result (never credentials or endpoints)."""
    text = json.dumps([kind, payload], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def answer_key(model: str, spec: str, settings: dict[str, Any], messages: list[dict[str, str]]) -> str:
    return content_key("answer/v1", {"model": model, "spec": spec, "settings": settings, "messages": messages})


def judgment_key(request: str, models: Sequence[str], answer_keys: Iterable[Sequence[str | None]]) -> str:
    """A judgment is one request about one group of answers, in one order.

    `request` hashes what is sent (judge, settings, prompt, sample); two models that answered alike send the same
    request, so the judged models (in position order) and their answers' keys are what keep their judgments apart.
    """
    return content_key(
        "judgment/v2", {"request": request, "models": list(models), "answers": [list(c) for c in answer_keys]}
    )


def now() -> str:
    """The time a row is written, in UTC (ISO 8601, milliseconds)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")
