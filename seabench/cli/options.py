"""Every command-line option, defined once, so each means the same in every command that takes it.

`--model` and `--judge` name what runs (a spec, `provider:model`) where a command sends requests, and `--model` names a
stored model where a command reads results (the stored name defaults to the spec). `--judge-name` is always the name
a judge's judgments are stored and reported under. Lists are repeatable and accept commas: `--lang th,km --lang lo`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..records import Bench as BenchRecord  # `Bench` here is the --bench option

from pathlib import Path
from typing import Annotated

import typer

from .. import defaults as D
from ..errors import ConfigError

# what runs
ModelSpecs = Annotated[
    list[str],
    typer.Option(
        "--model", metavar="SPEC", help="Candidate model, PROVIDER:MODEL (openai:, anthropic:, hf:); repeatable."
    ),
]
OptModelSpecs = Annotated[
    list[str] | None, typer.Option("--model", metavar="SPEC", help="Candidate model, PROVIDER:MODEL; repeatable.")
]
Names = Annotated[
    list[str] | None,
    typer.Option("--name", metavar="NAME", help="Store and report each --model under this name, in order; repeatable."),
]
JudgeSpecs = Annotated[
    list[str],
    typer.Option(
        "--judge",
        metavar="SPEC",
        help=(
            "Judge model spec, e.g. openai:gpt-4o (any backend, a local hf: or vllm: one included); repeat it, or give "
            "a comma "
            "list, for a panel of judges, each judging in turn."
        ),
    ),
]
JudgeNames = Annotated[
    list[str] | None,
    typer.Option(
        "--judge-name",
        metavar="NAME",
        help=("The judges' stored names, one per --judge in order (default: each judge's spec)."),
    ),
]
URL_RULE = (
    "one for all, or one per {what} in order (repeat the option); commas inside one value are several servers of "
    "that one endpoint, which share its requests. Without it: $OPENAI_BASE_URL or $ANTHROPIC_BASE_URL, as each "
    "SDK reads them, else the provider's API. hf: and vllm: take none."
)
JudgeBaseUrls = Annotated[
    list[str] | None,
    typer.Option(
        "--judge-base-url",
        metavar="URL",
        help=("The judges' endpoint: " + URL_RULE.format(what="--judge") + " Never the candidates' --base-url."),
    ),
]
OptJudgeSpecs = Annotated[
    list[str] | None,
    typer.Option(
        "--judge",
        metavar="SPEC",
        help=("Judge model spec, e.g. openai:gpt-4o; repeat it, or give a comma list, for a panel of judges."),
    ),
]
# what is read
ModelNames = Annotated[
    list[str] | None,
    typer.Option("--model", metavar="NAME", help="Only these stored models; repeatable or comma-separated."),
]
JudgeName = Annotated[
    str | None,
    typer.Option(
        "--judge-name", metavar="NAME", help="The judge's stored name (default: its spec; `human` for ratings)."
    ),
]

Bench = Annotated[
    str | None,
    typer.Option(
        "--bench",
        metavar="SRC",
        help="Bench file or folder, or hf:OWNER/NAME. Default: the bundled seabench-starter bench.",
    ),
]
Db = Annotated[
    Path | None, typer.Option("--db", metavar="PATH", help="SQLite store. Default: $SEABENCH_DB or ./seabench.db.")
]
Lang = Annotated[
    list[str] | None, typer.Option("--lang", metavar="LIST", help="Only these languages (codes, comma-separated).")
]
Category = Annotated[
    list[str] | None, typer.Option("--category", metavar="LIST", help="Only these categories (comma-separated).")
]
Tag = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        metavar="LIST",
        help="Only questions with one of these tags (comma-separated; the bundled bench has hard and harmless).",
    ),
]
Limit = Annotated[
    int | None,
    typer.Option("--limit", metavar="N", min=1, help="Only the first N selected questions of each language."),
]
Shard = Annotated[
    str | None,
    typer.Option(
        "--shard",
        metavar="I/N",
        help=(
            "Only the I-th of N slices of the selected questions (1-based; each question in exactly one), for work "
            "split across machines: one store each, then `seabench merge`."
        ),
    ),
]
LimitTotal = Annotated[
    int | None,
    typer.Option("--limit-total", metavar="N", min=1, help="Only the first N selected questions in all."),
]

BaseUrl = Annotated[
    list[str] | None,
    typer.Option(
        "--base-url",
        metavar="URL",
        help=(
            "The candidates' endpoint (any OpenAI-compatible server: vLLM, SGLang, TGI, Ollama): "
            + URL_RULE.format(what="--model")
            + " Never the judges'."
        ),
    ),
]
Concurrency = Annotated[
    int | None,
    typer.Option(
        "--concurrency",
        metavar="N",
        min=1,
        help=("Requests in flight at once, per model (default 8; 256 for a vllm: engine, which batches continuously)."),
    ),
]
Rpm = Annotated[
    float | None,
    typer.Option(
        "--rpm",
        metavar="N",
        min=0.1,
        help=(
            "At most this many requests per minute (a hard cap; without it the limit is learned from the provider's "
            "headers and 429s)."
        ),
    ),
]
Batch = Annotated[
    bool,
    typer.Option(
        "--batch",
        help=(
            "Send through the provider's batch API (openai:, anthropic:): half price, results within a day, in waves "
            "(turn 2 after "
            "turn 1). A killed or repeated run collects the batches it already created."
        ),
    ),
]
BatchPoll = Annotated[
    float | None,
    typer.Option(
        "--batch-poll",
        metavar="SECONDS",
        min=0.01,
        help=(f"Seconds between looks at a running batch (default {D.BATCH_POLL_S:g})."),
    ),
]
BatchSyncRetry = Annotated[
    bool,
    typer.Option(
        "--batch-sync-retry",
        help=("Send what a batch failed or let expire one by one at the end, instead of in another batch."),
    ),
]
Tpm = Annotated[
    float | None,
    typer.Option("--tpm", metavar="N", min=1, help="At most this many tokens (prompt and reply) per minute."),
]
Timeout = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        metavar="SECONDS",
        min=0.1,
        help=(f"Seconds before a request is abandoned and retried (default {D.TIMEOUT_S:g})."),
    ),
]
Attempts = Annotated[
    int | None,
    typer.Option(
        "--max-attempts",
        metavar="N",
        min=1,
        help=(f"Tries per request before it is stored as a failure (default {D.MAX_ATTEMPTS})."),
    ),
]
Prices = Annotated[
    Path | None,
    typer.Option(
        "--prices", metavar="FILE", help="JSON price table that overrides the built-in one (also $SEABENCH_PRICES)."
    ),
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Send nothing; print the plan and its estimated cost.")]

Temperature = Annotated[
    float | None,
    typer.Option(
        "--temperature",
        metavar="T",
        min=0.0,
        help=(f"Candidates' sampling temperature; 0 is greedy (default {D.TEMPERATURE:g})."),
    ),
]
MaxTokens = Annotated[
    int | None,
    typer.Option(
        "--max-tokens", metavar="N", min=1, help=(f"Answer length limit, in tokens (default {D.MAX_TOKENS}).")
    ),
]
SystemPrompt = Annotated[
    str | None, typer.Option("--system-prompt", metavar="TEXT", help="System message for every conversation.")
]

Sampling = Annotated[
    list[str] | None,
    typer.Option(
        "--sampling",
        metavar="KEY=VALUE",
        help=(
            "A sampling option for the candidates, sent as it is (repeatable): repeat_penalty=1.0 or top_k=1 for "
            "llama.cpp and vLLM servers, repetition_penalty=1.0 for hf: models. Part of the model's stored identity."
        ),
    ),
]
Mode = Annotated[
    str | None,
    typer.Option(
        "--mode", metavar="MODE", help="single (1–10 per answer; the default) or pairwise (A/B/tie, both orders)."
    ),
]
Baseline = Annotated[
    str | None, typer.Option("--baseline", metavar="NAME", help="Pairwise: compare every model with this stored model.")
]
AllPairs = Annotated[bool, typer.Option("--all-pairs", help="Pairwise: compare every pair of models.")]
Samples = Annotated[
    int | None,
    typer.Option(
        "--samples",
        metavar="N",
        min=1,
        help=(f"Judge each item this many times; kept as separate samples (default {D.SAMPLES})."),
    ),
]
Prompts = Annotated[
    Path | None,
    typer.Option(
        "--prompts",
        metavar="FILE",
        help="A judge_prompts.jsonl (FastChat's, SeaBench v2's or your own). Default: ours.",
    ),
]
_JUDGE_LANGUAGE = "Our judge prompts in English, or in each question's own language (native)."
JudgeLanguage = Annotated[
    str | None, typer.Option("--judge-language", metavar="en|native", help=_JUDGE_LANGUAGE + " Default: en.")
]
RationaleLanguage = Annotated[
    str | None,
    typer.Option(
        "--rationale-language",
        metavar="en|native",
        help=("The language the judge explains itself in: English, or the question's (default: as --judge-language)."),
    ),
]
JudgeTemperature = Annotated[
    float | None,
    typer.Option(
        "--judge-temperature",
        metavar="T",
        min=0.0,
        help=(f"The judges' sampling temperature (default {D.JUDGE_TEMPERATURE:g})."),
    ),
]
JudgeMaxTokens = Annotated[
    int | None,
    typer.Option(
        "--judge-max-tokens",
        metavar="N",
        min=16,
        help=(f"The judges' reply length limit (default {D.JUDGE_MAX_TOKENS})."),
    ),
]

Out = Annotated[
    Path | None,
    typer.Option("--out", metavar="FILE", help="Write here instead of stdout (html defaults to report.html)."),
]
Rounds = Annotated[
    int,
    typer.Option("--rounds", metavar="N", min=100, help="Bootstrap rounds (Bradley–Terry and agreement intervals)."),
]
Seed = Annotated[int, typer.Option("--seed", metavar="N", help="Bootstrap seed.")]
MinN = Annotated[int, typer.Option("--min-n", metavar="N", min=0, help="Mark cells with fewer questions than this.")]


# --format: the same names everywhere; each command takes the ones it can write, checked by `check_format`.
REPORT_FORMATS = ("terminal", "markdown", "html", "csv", "json")
TABLE_FORMATS = ("terminal", "csv", "json")
ANSWER_FORMATS = ("terminal", "csv", "jsonl")
BENCH_FORMATS = ("terminal", "json")
ReportFormat = Annotated[str, typer.Option("--format", metavar="FORMAT", help="terminal, markdown, html, csv or json.")]
TableFormat = Annotated[str, typer.Option("--format", metavar="FORMAT", help="terminal, csv or json.")]
AnswerFormat = Annotated[
    str, typer.Option("--format", metavar="FORMAT", help="terminal, csv or jsonl (one JSON object per answer).")
]
BenchFormat = Annotated[str, typer.Option("--format", metavar="FORMAT", help="terminal or json.")]


def check_format(fmt: str, choices: tuple[str, ...]) -> str:
    if fmt not in choices:
        raise ConfigError(f"--format must be one of {', '.join(choices)}, not '{fmt}'")
    return fmt


def load_bench_noting(source: str | None) -> BenchRecord:
    """Load a bench, telling the user on stderr what its file holds that the loader ignores."""
    from ..bench import load_bench

    bench = load_bench(source)
    for note in bench.notes:
        typer.echo(f"warning: {note}", err=True)
    return bench


def split(values: list[str] | None) -> list[str] | None:
    """`--lang th,km --lang lo` → [th, km, lo]; None when the option was not given, [] when it was given empty."""
    if not values:  # not given (typer passes None or an empty tuple)
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]
