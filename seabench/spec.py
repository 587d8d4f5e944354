"""One typed run spec: every setting of `generate`, `judge` and `eval` once, with its default and what it means.

The command line and an `eval.toml` each give a *partial* spec — only the settings the user wrote — and `merge`
decides precedence by which fields were set: the command line over the file over the defaults. So `--temperature 0`
beats a file's 0.7, and a `[[judges]]` member's `temperature = 0` beats `[judge]`'s 0.5: a 0, a false or an empty
value counts as set.

Endpoints follow one rule for candidates and judges alike: `base_url` (and `judge_base_url`) holds one entry for all
models (judges) or one per model (judge), in order; commas inside one entry are several servers of that one endpoint,
which share its requests. A model or judge with no URL of its own goes where its SDK's environment variable points
(OPENAI_BASE_URL, ANTHROPIC_BASE_URL) or, without one, to the provider's public API. `hf:` and `vllm:` models run
locally and take no URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import defaults as D
from .backends import parse_spec
from .config import Endpoint, error_words
from .errors import ConfigError, SpecError
from .records import GenerationSettings, JudgeConfig, ModelRun

LOCAL = ("hf", "vllm", "llamacpp")
OWN_SETTINGS = {"model", "messages", "temperature", "max_tokens", "max_completion_tokens", "system", "stream", "n"}
"""Request fields a sampling option may not set: they are settings of their own, or what the request is."""
"""Providers that run the model here: no endpoint to point at."""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RunOptions(_Spec):
    """How requests are sent: never part of what an answer or a judgment is."""

    concurrency: int | None = Field(default=None, ge=1)
    """Requests in flight per model or judge; None: 8, or 256 for a vllm: engine, which batches continuously."""
    rpm: float | None = Field(default=None, gt=0)
    """Requests per minute at most (a hard cap); None: learned from the provider's headers and 429s."""
    tpm: float | None = Field(default=None, gt=0)
    """Tokens (prompt and reply) per minute at most."""
    timeout: float = Field(default=D.TIMEOUT_S, gt=0, allow_inf_nan=False)
    """Seconds before a request is abandoned and retried."""
    max_attempts: int = Field(default=D.MAX_ATTEMPTS, ge=1)
    """Tries per request before it is stored as a failure (and retried on the next run)."""
    batch: bool = False
    """Send through the provider's batch API (openai:, anthropic:), at half price, in waves."""
    batch_poll: float = Field(default=D.BATCH_POLL_S, gt=0, allow_inf_nan=False)
    """Seconds between looks at a running batch."""
    batch_sync_retry: bool = False
    """Send what a batch failed or let expire one by one at the end, instead of in another batch."""
    batch_size: int = Field(default=D.HF_BATCH_SIZE, ge=1)
    """Conversations per forward pass for hf: models."""
    chat_template: Path | None = None
    """A Jinja chat template for hf: and vllm: models that ship none."""
    dtype: D.HfDtype = D.HF_DTYPE
    """hf: the weights' dtype."""
    device: str = Field(default=D.HF_DEVICE, pattern=D.HF_DEVICE_PATTERN)
    """hf: where the model runs: auto, cpu, mps, cuda or cuda:N."""
    vllm_args: str | None = None
    """More `vllm serve` arguments, as one shell-quoted string."""
    llamacpp_args: str | None = None
    """More arguments for llama-cpp-python's server (llamacpp: models), as one shell-quoted string."""
    vllm_start_timeout: float = Field(default=D.VLLM_START_TIMEOUT_S, gt=0, allow_inf_nan=False)
    """Seconds a vllm: server may take to load and become healthy."""
    prices: Path | None = None
    """A JSON price table over the built-in one."""
    tokenizer: str | None = None
    """A tokenizer (hub id or folder) to count the candidates' tokens with in a dry run's estimate."""


class ModelEntry(_Spec):
    """One candidate; a setting left None takes the spec's shared one."""

    spec: str
    """PROVIDER:MODEL."""
    name: str | None = None
    """Stored and reported under this name (default: the spec)."""
    base_url: Endpoint | None = None
    """Its own endpoint (commas: several servers of it)."""
    temperature: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    """Its own sampling temperature."""
    max_tokens: int | None = Field(default=None, ge=1)
    """Its own answer length limit."""
    system_prompt: str | None = None
    """Its own system message."""


class JudgeEntry(_Spec):
    """One judge of a panel; a setting left None takes the spec's shared judge setting."""

    spec: str
    """PROVIDER:MODEL."""
    name: str | None = None
    """Its judgments' stored name (default: the spec)."""
    base_url: Endpoint | None = None
    """Its own endpoint (commas: several servers of it)."""
    temperature: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    """Its own sampling temperature."""
    max_tokens: int | None = Field(default=None, ge=16)
    """Its own reply length limit."""


class RunSpec(_Spec):
    """Everything one generate, judge or eval run does."""

    models: list[ModelEntry] = []
    """The candidates, in order."""
    base_url: list[Endpoint] = []
    """The candidates' endpoints: one for all, or one per model (an entry's own base_url wins)."""
    temperature: float = Field(default=D.TEMPERATURE, ge=0, allow_inf_nan=False)
    """The candidates' sampling temperature; 0 is greedy."""
    max_tokens: int = Field(default=D.MAX_TOKENS, ge=1)
    """The candidates' answer length limit, in tokens."""
    system_prompt: str | None = None
    """System message for every candidate conversation."""
    sampling: dict[str, float | int | bool | str] = {}
    """More sampling options for the candidates (`repeat_penalty: 1.0`), sent as they are; part of their identity."""

    judges: list[JudgeEntry] = []
    """The judges, in order: one, or a panel that judges one after another."""
    judge_base_url: list[Endpoint] = []
    """The judges' endpoints: one for all, or one per judge (an entry's own base_url wins)."""
    judge_temperature: float = Field(default=D.JUDGE_TEMPERATURE, ge=0, allow_inf_nan=False)
    """The judges' sampling temperature."""
    judge_max_tokens: int = Field(default=D.JUDGE_MAX_TOKENS, ge=16)
    """The judges' reply length limit."""
    mode: Literal["single", "pairwise"] = "single"
    """single: a 1–10 score per answer; pairwise: A/B/tie, both orders."""
    baseline: str | None = None
    """Pairwise: every model against this one (a stored model, or the bench's shipped answers)."""
    all_pairs: bool = False
    """Pairwise: every pair of models."""
    samples: int = Field(default=D.SAMPLES, ge=1)
    """Judge each item this many times."""
    judged_models: list[str] | None = None
    """`judge`: only these stored models (default: every stored candidate)."""
    prompts: Path | None = None
    """A judge_prompts.jsonl in place of ours."""
    judge_language: Literal["en", "native"] = "en"
    """Our judge prompts in English, or in each question's language."""
    rationale_language: Literal["en", "native"] | None = None
    """The language a judge explains itself in (default: as judge_language)."""

    bench: str | None = None
    """A bench file or folder, or hf:OWNER/NAME; None: the bundled bench."""
    db: Path | None = None
    """The SQLite store; None: $SEABENCH_DB or ./seabench.db."""
    out: Path = Path(D.REPORT)
    """The report `eval` writes; its extension says the format."""
    lang: list[str] | None = None
    """Only these languages."""
    category: list[str] | None = None
    """Only these categories."""
    tag: list[str] | None = None
    """Only questions carrying one of these tags (the bundled bench's `hard` and `harmless`)."""
    limit: int | None = Field(default=None, ge=1)
    """Only the first N selected questions of each language."""
    limit_total: int | None = Field(default=None, ge=1)
    """Only the first N selected questions in all (after `limit`)."""
    shard: str | None = Field(default=None, pattern=r"^[1-9][0-9]*/[1-9][0-9]*$")
    """`I/N`: only the I-th of N slices of the selected questions (1-based), for work split across machines."""
    all_questions: bool = False
    """Rank each model on every question it answered, not only those every model answered."""
    run: RunOptions = RunOptions()
    """How requests are sent."""

    @field_validator("sampling")
    @classmethod
    def _sampling_beside_the_settings(cls, value: dict[str, Any]) -> dict[str, Any]:
        taken = sorted(set(value) & OWN_SETTINGS)
        if taken:
            raise ValueError(
                f"{', '.join(taken)} is a setting of its own (temperature, max_tokens, system_prompt), not a sampling "
                "option"
            )
        return value

    def model_runs(self) -> list[ModelRun]:
        """Each candidate with its settings and endpoint: its own where it has one, else the shared ones."""
        urls = _per_item(self.base_url, len(self.models), "base_url", "models")
        runs = []
        for entry, url in zip(self.models, urls):
            spec = str(parse_spec(entry.spec))
            settings = GenerationSettings(
                temperature=_first(entry.temperature, self.temperature),
                max_tokens=_first(entry.max_tokens, self.max_tokens),
                system_prompt=_first(entry.system_prompt, self.system_prompt),
                sampling=tuple(sorted(self.sampling.items())),
            )
            _in_range(spec, settings, "temperature")
            runs.append(
                ModelRun(
                    name=entry.name or spec,
                    spec=spec,
                    settings=settings,
                    base_url=_endpoint(spec, entry.base_url or url),
                )
            )
        return runs

    def judge_configs(self) -> list[JudgeConfig]:
        """Each judge with its settings and endpoint, for the candidates this spec names (all stored ones if none)."""
        urls = _per_item(self.judge_base_url, len(self.judges), "judge_base_url", "judges")
        judged = tuple(self.judged_models) if self.judged_models else (tuple(r.name for r in self.model_runs()) or None)
        out = []
        for entry, url in zip(self.judges, urls):
            spec = str(parse_spec(entry.spec))
            settings = GenerationSettings(
                temperature=_first(entry.temperature, self.judge_temperature),
                max_tokens=_first(entry.max_tokens, self.judge_max_tokens),
            )
            _in_range(spec, settings, "judge_temperature")
            out.append(
                JudgeConfig(
                    spec=spec,
                    name=entry.name or spec,
                    mode=self.mode,
                    baseline=self.baseline,
                    all_pairs=self.all_pairs if self.mode == "pairwise" else False,
                    models=judged,
                    samples=self.samples,
                    settings=settings,
                    base_url=_endpoint(spec, entry.base_url or url),
                )
            )
        return out


def _in_range(spec: str, settings: GenerationSettings, field: str) -> None:
    """Anthropic's API takes temperatures from 0 to 1 (OpenAI's, 0 to 2): known before anything is sent."""
    if spec.startswith("anthropic:") and settings.temperature > 1:
        raise SpecError(
            "{" + field + "} {value:g} is out of Anthropic's range for {model}: 0 to 1",
            value=settings.temperature,
            model=spec,
        )


def _first(own: Any, shared: Any) -> Any:
    """A model's or judge's own setting when it has one (0 and "" included), else the shared one."""
    return shared if own is None else own


def _per_item(urls: list[str], n: int, field: str, items: str) -> list[str | None]:
    """One URL for every item, one per item, or none."""
    if not urls:
        return [None] * n
    if len(urls) == 1:
        return [urls[0]] * n
    if len(urls) != n:
        raise SpecError(
            "give one {" + field + "} for all {items} or one per entry in order ({have} given for {need})",
            items=items,
            have=len(urls),
            need=n,
        )
    return [*urls]


def _endpoint(spec: str, url: str | None) -> str | None:
    provider = spec.partition(":")[0]
    if url and provider in LOCAL:
        raise SpecError(
            "{model} runs here ({provider}: starts its own model), so it takes no endpoint URL; give URLs only to "
            "openai: and anthropic: models and judges",
            model=spec,
            provider=provider,
        )
    return url


# eval.toml's [judge] table names some settings as the judge's own; the spec keeps them flat.
JUDGE_TABLE = {
    "spec": None,
    "name": None,
    "base_url": None,
    "temperature": "judge_temperature",
    "max_tokens": "judge_max_tokens",
    "mode": "mode",
    "baseline": "baseline",
    "all_pairs": "all_pairs",
    "samples": "samples",
    "prompts": "prompts",
    "judge_language": "judge_language",
    "rationale_language": "rationale_language",
}


def from_file(data: dict[str, Any]) -> dict[str, Any]:
    """eval.toml's settings (as `config.load_config` read them, only what the file sets) in the spec's shape."""
    out: dict[str, Any] = {}
    run = {k: data[k] for k in RunOptions.model_fields if k in data}
    if run:
        out["run"] = run
    for key, value in data.items():
        if key in RunSpec.model_fields and key not in ("judges", "models", "run"):
            out[key] = [value] if key == "base_url" and isinstance(value, str) else value
    table = dict(data.get("judge", {}))
    for key, field in JUDGE_TABLE.items():
        if field and key in table:
            out[field] = table[key]
    members = [dict(m) for m in data.get("judges", [])]
    if members and table.get("spec"):
        raise ConfigError("the config names judges twice: give [judge] spec or [[judges]], not both")
    if table.get("spec"):
        members = [{k: table[k] for k in ("spec", "name", "base_url") if k in table}]
    elif table.get("base_url"):  # [judge] base_url: every member's endpoint unless it has its own
        out["judge_base_url"] = [table["base_url"]]
    if members:
        out["judges"] = members
    if "models" in data:
        out["models"] = data["models"]
    return out


def merge(*layers: dict[str, Any]) -> RunSpec:
    """The spec from partial ones, later layers over earlier ones (the file, then the command line): a field a layer
    sets wins, whatever its value; the run options merge field by field."""
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if key == "run":
                merged["run"] = {**merged.get("run", {}), **value}
            else:
                merged[key] = value
    try:
        return RunSpec.model_validate(merged)
    except ValidationError as e:  # a value no check before it caught (the CLI's own types pass most): name the setting
        err = e.errors()[0]
        where = [str(p) for p in err["loc"] if not isinstance(p, int)]
        name = where[-1] if where else "setting"
        raise SpecError(
            "{" + name + "}: {problem}, not {value}", problem=error_words(err), value=repr(err.get("input"))
        ) from None
