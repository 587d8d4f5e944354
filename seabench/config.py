"""`seabench eval --config eval.toml`: the same settings as the command line, in a file.

    bench = "hf:SeaLLMs/Sea-bench"     # optional; default: the bundled bench
    db = "seabench.db"
    out = "report.html"
    lang = ["th", "km", "lo", "my"]    # filters: lang, category, limit
    concurrency = 16                   # also: rpm, max_tokens, temperature, system_prompt, timeout, max_attempts

    [judge]
    spec = "openai:gpt-4o"             # also: mode, baseline, all_pairs, prompts, samples, base_url, name

    [[models]]
    spec = "openai:Qwen/Qwen2.5-7B-Instruct"
    name = "qwen-7b"
    base_url = "http://localhost:8000/v1"
    system_prompt = "You are a helpful assistant."   # also: temperature, max_tokens
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from .errors import InputError

TOP = {"bench", "db", "out", "lang", "category", "limit", "concurrency", "rpm", "max_tokens", "temperature", "system_prompt",
       "timeout", "max_attempts", "batch_size", "prices", "judge", "models"}
JUDGE = {"spec", "mode", "baseline", "all_pairs", "prompts", "samples", "base_url", "name", "max_tokens", "temperature"}
MODEL = {"spec", "name", "base_url", "system_prompt", "temperature", "max_tokens"}


def load_config(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise InputError.at(path, None, f"cannot read: {e.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line = re.search(r"line (\d+)", str(e))
        raise InputError.at(path, int(line.group(1)) if line else None, f"invalid TOML: {str(e).split(' (at')[0]}") from None
    _known(path, text, data, TOP, "")
    judge = data.get("judge", {})
    if not isinstance(judge, dict):
        raise InputError.at(path, _line(text, "judge"), "[judge] must be a table")
    _known(path, text, judge, JUDGE, "judge.")
    models = data.get("models", [])
    if not isinstance(models, list) or not all(isinstance(m, dict) for m in models):
        raise InputError.at(path, _line(text, "models"), "models must be [[models]] tables")
    for m in models:
        _known(path, text, m, MODEL, "models.")
        if "spec" not in m:
            raise InputError.at(path, _line(text, "[[models]]"), "every [[models]] table needs a spec")
    return data


def _known(path: Path, text: str, table: dict, allowed: set[str], prefix: str) -> None:
    for key in table:
        if key not in allowed:
            raise InputError.at(path, _line(text, key), f"unknown setting '{prefix}{key}'; known: {', '.join(sorted(allowed))}")


def _line(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*(\[\[?\s*{re.escape(key.strip('[]'))}\s*\]\]?|{re.escape(key)}\s*=)", re.M)
    match = pattern.search(text)
    return text[: match.start()].count("\n") + 1 if match else None
