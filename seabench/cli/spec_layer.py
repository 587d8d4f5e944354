"""From the command line to the run spec: which options were given (so 0, false and empty count), in the spec's
shape, and how the spec's settings are written as this command line's options when an error names them."""

from __future__ import annotations

import typer

from .options import split

# The run spec's settings as this command line writes them: library errors name settings, the CLI names options.
OPTION_NAMES = {
    "models": "--model",
    "names": "--name",
    "judges": "--judge",
    "judge_names": "--judge-name",
    "base_url": "--base-url",
    "judge_base_url": "--judge-base-url",
    "temperature": "--temperature",
    "max_tokens": "--max-tokens",
    "system_prompt": "--system-prompt",
    "sampling": "--sampling",
    "judge_temperature": "--judge-temperature",
    "judge_max_tokens": "--judge-max-tokens",
    "mode": "--mode",
    "baseline": "--baseline",
    "all_pairs": "--all-pairs",
    "samples": "--samples",
    "judged_models": "--model",
    "prompts": "--prompts",
    "judge_language": "--judge-language",
    "rationale_language": "--rationale-language",
    "bench": "--bench",
    "db": "--db",
    "out": "--out",
    "lang": "--lang",
    "category": "--category",
    "tag": "--tag",
    "limit": "--limit",
    "limit_total": "--limit-total",
    "shard": "--shard",
    "all_questions": "--all-questions",
    "concurrency": "--concurrency",
    "rpm": "--rpm",
    "tpm": "--tpm",
    "timeout": "--timeout",
    "max_attempts": "--max-attempts",
    "batch": "--batch",
    "batch_poll": "--batch-poll",
    "batch_sync_retry": "--batch-sync-retry",
    "batch_size": "--batch-size",
    "chat_template": "--chat-template",
    "dtype": "--dtype",
    "device": "--device",
    "vllm_args": "--vllm-args",
    "llamacpp_args": "--llamacpp-args",
    "vllm_start_timeout": "--vllm-start-timeout",
    "prices": "--prices",
    "tokenizer": "--tokenizer",
    "questions": "--questions",
    "judge_name": "--judge-name",
    "table": "--table",
    "format": "--format",
}


RUN_FIELDS = (
    "concurrency",
    "rpm",
    "tpm",
    "timeout",
    "max_attempts",
    "batch",
    "batch_poll",
    "batch_sync_retry",
    "batch_size",
    "chat_template",
    "dtype",
    "device",
    "vllm_args",
    "llamacpp_args",
    "vllm_start_timeout",
    "prices",
    "tokenizer",
)


LISTS = ("lang", "category", "tag", "judged_models")
"""Options whose comma lists are split (specs and codes hold no commas; URLs may, for several servers)."""


def given(ctx: typer.Context, **values: object) -> dict[str, object]:
    """The options the user gave (on the command line or through their environment variable), by parameter name:
    a 0, a false or an empty value counts, a default does not."""

    # By the source's name: typer carries its own copy of click, whose enum is not click's.
    def source(name: str) -> str:
        found = ctx.get_parameter_source(name)
        return found.name if found is not None else "DEFAULT"

    return {k: v for k, v in values.items() if v is not None and source(k) not in ("DEFAULT", "DEFAULT_MAP")}


def sampling_options(pairs: list[str]) -> dict[str, object]:
    """`KEY=VALUE` pairs as a dict; a value reads as JSON where it can (1.0, 40, true), else as text."""
    import json

    from ..errors import SpecError

    out: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise SpecError("{sampling} takes KEY=VALUE (repeat_penalty=1.0), not {pair!r}", pair=pair)
        try:
            out[key.strip()] = json.loads(value)
        except ValueError:
            out[key.strip()] = value.strip()
    return out


def cli_layer(options: dict[str, object], file_judges: list[dict] | None = None) -> dict[str, object]:
    """The options given, in the run spec's shape: models and judges with their names, run options grouped."""
    from ..errors import SpecError

    layer: dict[str, object] = {}
    specs, names = split(options.pop("model", None)) or [], split(options.pop("name", None)) or []  # type: ignore[arg-type]
    if names and len(names) != len(specs):
        raise SpecError(
            "give one {names} per {models} ({have} names for {need} models), or none", have=len(names), need=len(specs)
        )
    if specs:
        layer["models"] = [{"spec": s, **({"name": names[i]} if names else {})} for i, s in enumerate(specs)]
    judges, judge_names = split(options.pop("judge", None)) or [], split(options.pop("judge_name", None)) or []  # type: ignore[arg-type]
    members = [{"spec": s} for s in judges] or [dict(m) for m in file_judges or []]
    if judge_names and len(judge_names) != len(members):
        raise SpecError(
            "give one {judge_names} per judge ({have} names for {need} judges), or none",
            have=len(judge_names),
            need=len(members),
        )
    if judges or judge_names:
        layer["judges"] = [{**m, **({"name": judge_names[i]} if judge_names else {})} for i, m in enumerate(members)]
    if "sampling" in options:
        layer["sampling"] = sampling_options(options.pop("sampling"))  # type: ignore[arg-type]
    run = {k: options.pop(k) for k in RUN_FIELDS if k in options}
    if run:
        layer["run"] = run
    for key, value in options.items():
        layer[key] = split(value) if key in LISTS else value  # type: ignore[arg-type]
    return layer
