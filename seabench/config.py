"""`seabench eval --config eval.toml`: the same settings as the command line, in a file.

bench = "hf:SeaLLMs/Sea-bench"     # optional; default: the bundled bench
db = "seabench.db"
out = "report.html"
lang = ["th", "km", "lo", "my"]    # filters: lang, category, tag, limit (per language), limit_total
concurrency = 16                   # also: rpm, tpm, max_tokens, temperature, system_prompt, timeout, max_attempts

[judge]
spec = "openai:gpt-4o"             # also: mode, baseline, all_pairs, prompts, judge_language, rationale_language,
                                   # samples, base_url, name

# or a panel: the [judge] table keeps what they share (mode, baseline, prompts…), each member its own
# [[judges]]
# spec = "anthropic:claude-sonnet-4-5"   # also: name, base_url, temperature, max_tokens

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
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from . import defaults as D
from .errors import InputError, Problem
from .textio import read_lines


def check_endpoint(value: str) -> str:
    """Every server of an endpoint (commas part several) must be a URL the SDK can reach: refused before anything is
    stored under it (a mistyped one cost six connection errors a request, and bound its model's name to the typo)."""
    parts = [part.strip() for part in value.split(",")]
    for url in parts:
        which = f"its server '{url}' " if len(parts) > 1 else ""
        try:
            split = urlsplit(url)
            split.port  # noqa: B018  (raises ValueError on a port that is not a number)
        except ValueError as e:
            raise ValueError(f"{which}is not a URL ({e})") from None
        if split.scheme not in ("http", "https") or not split.hostname or any(c.isspace() for c in url):
            guess = f" (did you mean http://{url}?)" if url and "://" not in url else ""
            raise ValueError(f"{which}needs http:// or https:// and a host{guess}")
    return value


Endpoint = Annotated[str, AfterValidator(check_endpoint)]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ModelTable(_Table):
    spec: str = Field(min_length=3)
    name: str | None = Field(default=None, min_length=1)
    base_url: Endpoint | None = None
    system_prompt: str | None = None
    temperature: float | int | None = Field(default=None, ge=0)
    max_tokens: int | None = Field(default=None, ge=1)


class JudgeTable(_Table):
    spec: str | None = Field(default=None, min_length=3)
    mode: Literal["single", "pairwise"] | None = None
    baseline: str | None = None
    all_pairs: bool | None = None
    prompts: str | None = None
    judge_language: Literal["en", "native"] | None = None
    rationale_language: Literal["en", "native"] | None = None
    samples: int | None = Field(default=None, ge=1)
    base_url: Endpoint | None = None
    name: str | None = Field(default=None, min_length=1)
    max_tokens: int | None = Field(default=None, ge=16)
    temperature: float | int | None = Field(default=None, ge=0)


class PanelMember(_Table):
    spec: str = Field(min_length=3)
    name: str | None = Field(default=None, min_length=1)
    base_url: Endpoint | None = None
    max_tokens: int | None = Field(default=None, ge=16)
    temperature: float | int | None = Field(default=None, ge=0)


class EvalFile(_Table):
    """Everything `eval --config` takes, typed: a wrong type or an out-of-range value is an error with its line."""

    bench: str | None = None
    db: str | None = None
    out: str | None = None
    lang: list[str] | None = None
    category: list[str] | None = None
    tag: list[str] | None = None
    limit: int | None = Field(default=None, ge=1)
    limit_total: int | None = Field(default=None, ge=1)
    shard: str | None = Field(default=None, pattern=r"^[1-9][0-9]*/[1-9][0-9]*$")
    concurrency: int | None = Field(default=None, ge=1)
    rpm: float | int | None = Field(default=None, gt=0)
    tpm: float | int | None = Field(default=None, gt=0)
    max_tokens: int | None = Field(default=None, ge=1)
    temperature: float | int | None = Field(default=None, ge=0)
    system_prompt: str | None = None
    sampling: dict[str, float | int | bool | str] | None = None
    timeout: float | int | None = Field(default=None, gt=0)
    max_attempts: int | None = Field(default=None, ge=1)
    batch_size: int | None = Field(default=None, ge=1)
    chat_template: str | None = None
    dtype: D.HfDtype | None = None
    device: str | None = Field(default=None, pattern=D.HF_DEVICE_PATTERN)
    vllm_args: str | None = None
    llamacpp_args: str | None = None
    vllm_start_timeout: float | int | None = Field(default=None, gt=0)
    prices: str | None = None
    tokenizer: str | None = None
    judge: JudgeTable = JudgeTable()
    judges: list[PanelMember] = []
    models: list[ModelTable] = []


def load_config(path: Path) -> dict[str, Any]:
    """The file's settings as a dict of what it sets; any problem is `FILE:LINE: …`."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    if not path.is_file():
        raise InputError.at(path, None, "no such file")
    read_lines(path)  # UTF-8 only: a UTF-16 file, or bad bytes, are refused with their line
    text = path.read_text(encoding="utf-8-sig")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line = re.search(r"line (\d+)", str(e))
        raise InputError.at(
            path, int(line.group(1)) if line else None, f"invalid TOML: {str(e).split(' (at')[0]}"
        ) from None
    try:
        parsed = EvalFile.model_validate(data)
    except ValidationError as e:
        raise InputError([_problem(path, text, err) for err in e.errors()]) from None
    return parsed.model_dump(exclude_unset=True)


def _problem(path: Path, text: str, err: Any) -> Problem:
    where = [str(p) for p in err["loc"] if not isinstance(p, int)]
    key = where[-1] if where else ""
    name = ".".join(where)
    if err["type"] == "extra_forbidden":
        tables: dict[str, type[BaseModel]] = {"judge": JudgeTable, "judges": PanelMember, "models": ModelTable}
        table = tables.get(where[0], EvalFile) if len(where) > 1 else EvalFile
        message = f"unknown setting '{name}'; known: {', '.join(sorted(table.model_fields))}"
    elif err["type"] == "missing":
        array = next((t for t in ("models", "judges") if t in where), None)
        return Problem(str(path), _line(text, f"[[{array}]]") if array else None, f"'{name}' is required")
    else:
        message = f"'{name}': {error_words(err)}, not {err['input']!r}"
    return Problem(str(path), _line(text, key), message)


def error_words(err: Any) -> str:
    """A validation error's words; a pattern (--device's, --shard's) is said as the values it takes."""
    if err["type"] == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern")
        return (
            f"should be {D.HF_DEVICES}"
            if pattern == D.HF_DEVICE_PATTERN
            else "should look like I/N (2/3: the second of three)"
        )
    return err["msg"].lower().removeprefix("value error, ")


def _line(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^[ \t]*(\[\[?[ \t]*{re.escape(key.strip('[]'))}[ \t]*\]\]?|{re.escape(key)}[ \t]*=)", re.M)
    match = pattern.search(text)
    return text[: match.start()].count("\n") + 1 if match else None
