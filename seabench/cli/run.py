"""Commands that send requests or write results: generate, check, judge, tokens, eval.

`generate`, `judge` and `eval` are parse → spec → call: the options the user gave (and, for eval, its --config file)
become one RunSpec (`seabench.spec`), the library checks everything it can before the first request, then runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from . import local_options as lo
from . import options as o
from .app import app
from .spec_layer import cli_layer, given

if TYPE_CHECKING:
    from ..spec import RunSpec

ConfigFile = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="A TOML file with the same settings (models with their own base URLs…); options given here win.",
    ),
]
AllQuestions = Annotated[
    bool,
    typer.Option(
        "--all-questions",
        help=("Rank each model on every question it answered, not only on those every model answered."),
    ),
]
EvalOut = Annotated[
    Path | None,
    typer.Option(
        "--out",
        metavar="FILE",
        help=("The report to write (default report.html); its extension says the format: .html .md .csv .json .txt."),
    ),
]


def to_spec(ctx: typer.Context, file: dict | None = None, rename: dict[str, str] | None = None) -> RunSpec:
    """The run spec from the options given over the config file's settings over the defaults. `rename`: a parameter
    that means another setting in this command (`judge --model` names the stored models to judge)."""
    from ..spec import from_file, merge

    base = from_file(file or {})
    options = given(ctx, **{k: v for k, v in ctx.params.items() if k not in ("dry_run", "config")})
    options = {(rename or {}).get(k, k): v for k, v in options.items()}
    return merge(base, cli_layer(options, file_judges=base.get("judges")))


@app.command("generate")
def generate_cmd(
    ctx: typer.Context,
    model: o.ModelSpecs,
    name: o.Names = None,
    bench: o.Bench = None,
    db: o.Db = None,
    lang: o.Lang = None,
    category: o.Category = None,
    tag: o.Tag = None,
    limit: o.Limit = None,
    limit_total: o.LimitTotal = None,
    shard: o.Shard = None,
    base_url: o.BaseUrl = None,
    temperature: o.Temperature = None,
    max_tokens: o.MaxTokens = None,
    system_prompt: o.SystemPrompt = None,
    sampling: o.Sampling = None,
    concurrency: o.Concurrency = None,
    rpm: o.Rpm = None,
    tpm: o.Tpm = None,
    batch: o.Batch = False,
    batch_poll: o.BatchPoll = None,
    batch_sync_retry: o.BatchSyncRetry = False,
    timeout: o.Timeout = None,
    max_attempts: o.Attempts = None,
    batch_size: lo.BatchSize = None,
    chat_template: lo.ChatTemplate = None,
    tokenizer: lo.Tokenizer = None,
    dtype: lo.Dtype = None,
    device: lo.Device = None,
    vllm_args: lo.VllmArgs = None,
    llamacpp_args: lo.LlamacppArgs = None,
    vllm_start_timeout: lo.VllmStartTimeout = None,
    prices: o.Prices = None,
    dry_run: o.DryRun = False,
) -> None:
    """Collect answers from candidate models into the store; a re-run sends only what is missing or failed."""
    from ..backends import preload
    from ..evaluate import generate_plan, prepare, run_generate
    from .views import console, endpoints, generate_summary, plan_table

    spec = to_spec(ctx)
    if not dry_run:
        preload([m.spec for m in spec.models])
    prepared = prepare(spec, o.load_bench_noting(spec.bench), answers=True, judging=False)
    if dry_run:
        console().print(plan_table(generate_plan(prepared), batch=spec.run.batch))
        console().print(endpoints(prepared))
        return
    results = run_generate(prepared)
    console(stderr=True).print(generate_summary(results))
    if any(r.failures or r.left for r in results):
        raise typer.Exit(1)


@app.command("check")
def check_cmd(db: o.Db = None) -> None:
    """Run the checks that need no LLM (language, script health) on every answer not checked yet."""
    from ..checks import run_checks
    from ..store import Store

    with Store(db, create=False) as store:
        done = run_checks(store)
    typer.echo(", ".join(f"{kind} checked on {n} new answers" for kind, n in done.items()), err=True)


@app.command("tokens")
def tokens_cmd(
    model: o.ModelSpecs,
    bench: o.Bench = None,
    db: o.Db = None,
    fmt: o.TableFormat = "terminal",
    prices: o.Prices = None,
    tokenizer: lo.Tokenizer = None,
) -> None:
    """Tokens per character and per word in each language, the ratio to English, and what prompts and answers cost."""
    from ..pricing import PriceTable
    from ..store import Store
    from ..tokens import run_tokens

    o.check_format(fmt, o.TABLE_FORMATS)
    loaded = o.load_bench_noting(bench)
    with Store(db) as store:
        store.save_bench(loaded)
        rows = run_tokens(o.split(model) or [], loaded, store, PriceTable(prices), tokenizer)
    from ..report.fidelity_tables import tokens_table
    from .read import emit_rows

    emit_rows(rows, fmt, tokens_table)


@app.command("judge")
def judge_cmd(
    ctx: typer.Context,
    judge: o.JudgeSpecs,
    judge_name: o.JudgeNames = None,
    mode: o.Mode = None,
    baseline: o.Baseline = None,
    all_pairs: o.AllPairs = False,
    model: o.ModelNames = None,
    lang: o.Lang = None,
    category: o.Category = None,
    tag: o.Tag = None,
    limit: o.Limit = None,
    limit_total: o.LimitTotal = None,
    shard: o.Shard = None,
    prompts: o.Prompts = None,
    judge_language: o.JudgeLanguage = None,
    rationale_language: o.RationaleLanguage = None,
    samples: o.Samples = None,
    judge_temperature: o.JudgeTemperature = None,
    judge_max_tokens: o.JudgeMaxTokens = None,
    db: o.Db = None,
    judge_base_url: o.JudgeBaseUrls = None,
    concurrency: o.Concurrency = None,
    rpm: o.Rpm = None,
    tpm: o.Tpm = None,
    batch: o.Batch = False,
    batch_poll: o.BatchPoll = None,
    batch_sync_retry: o.BatchSyncRetry = False,
    timeout: o.Timeout = None,
    max_attempts: o.Attempts = None,
    batch_size: lo.BatchSize = None,
    vllm_args: lo.VllmArgs = None,
    llamacpp_args: lo.LlamacppArgs = None,
    vllm_start_timeout: lo.VllmStartTimeout = None,
    prices: o.Prices = None,
    dry_run: o.DryRun = False,
) -> None:
    """Judge stored answers with an LLM (or a panel of them, one after another); a re-run sends only what is missing."""
    from ..backends import preload
    from ..evaluate import judge_plans, prepare, run_judging
    from ..store import Store
    from .views import console, endpoints, judge_cost_table, judge_plan_caption, judge_summary

    spec = to_spec(ctx, rename={"model": "judged_models"})
    if not dry_run:
        preload([j.spec for j in spec.judges])
    with Store(spec.db, create=False) as store:
        prepared = prepare(spec, answers=False, judging=True, stored=store.questions())
        if dry_run:
            for cfg, judge_plan, found in judge_plans(prepared, store):
                console().print(
                    judge_cost_table(
                        cfg, found, judge_plan_caption(judge_plan) + ("; costs at batch prices" if batch else "")
                    )
                )
            console().print(endpoints(prepared))
            return
        done = run_judging(prepared, store)
    for name, judge_plan, result in done:
        console(stderr=True).print(judge_summary(name, judge_plan, result))
    if any(result.failures or result.left or result.nothing_scored for _, _, result in done):
        raise typer.Exit(1)


@app.command("eval")
def eval_cmd(
    ctx: typer.Context,
    model: o.OptModelSpecs = None,
    name: o.Names = None,
    judge: o.OptJudgeSpecs = None,
    judge_name: o.JudgeNames = None,
    mode: o.Mode = None,
    baseline: o.Baseline = None,
    all_pairs: o.AllPairs = False,
    samples: o.Samples = None,
    config: ConfigFile = None,
    bench: o.Bench = None,
    db: o.Db = None,
    out: EvalOut = None,
    all_questions: AllQuestions = False,
    lang: o.Lang = None,
    category: o.Category = None,
    tag: o.Tag = None,
    limit: o.Limit = None,
    limit_total: o.LimitTotal = None,
    shard: o.Shard = None,
    base_url: o.BaseUrl = None,
    judge_base_url: o.JudgeBaseUrls = None,
    temperature: o.Temperature = None,
    max_tokens: o.MaxTokens = None,
    system_prompt: o.SystemPrompt = None,
    sampling: o.Sampling = None,
    judge_temperature: o.JudgeTemperature = None,
    judge_max_tokens: o.JudgeMaxTokens = None,
    prompts: o.Prompts = None,
    judge_language: o.JudgeLanguage = None,
    rationale_language: o.RationaleLanguage = None,
    concurrency: o.Concurrency = None,
    batch_size: lo.BatchSize = None,
    chat_template: lo.ChatTemplate = None,
    tokenizer: lo.Tokenizer = None,
    dtype: lo.Dtype = None,
    device: lo.Device = None,
    vllm_args: lo.VllmArgs = None,
    llamacpp_args: lo.LlamacppArgs = None,
    vllm_start_timeout: lo.VllmStartTimeout = None,
    rpm: o.Rpm = None,
    tpm: o.Tpm = None,
    batch: o.Batch = False,
    batch_poll: o.BatchPoll = None,
    batch_sync_retry: o.BatchSyncRetry = False,
    timeout: o.Timeout = None,
    max_attempts: o.Attempts = None,
    prices: o.Prices = None,
    dry_run: o.DryRun = False,
) -> None:
    """generate → judge → report in one command; every step resumes from the store."""
    from ..backends import preload
    from ..config import load_config
    from ..evaluate import eval_plan, prepare, run_eval
    from .read import emit
    from .views import console, endpoints, eval_summary, judge_cost_table, plan_table

    spec = to_spec(ctx, load_config(config) if config else None)
    if not dry_run:
        preload([m.spec for m in spec.models] + [j.spec for j in spec.judges])
    prepared = prepare(spec, o.load_bench_noting(spec.bench), answers=True, judging=True, report=True)
    if dry_run:
        rows, judged = eval_plan(prepared)
        console().print(plan_table(rows, batch=spec.run.batch))
        for cfg, found in judged:
            console().print(
                judge_cost_table(
                    cfg,
                    found,
                    "judge requests once the answers exist; every answer counted at --max-tokens"
                    + ("; costs at batch prices" if spec.run.batch else ""),
                )
            )
        console().print(endpoints(prepared))
        return
    result = run_eval(prepared)
    from ..report.formats import format_for

    assert result.report is not None
    emit(result.report, format_for(spec.out), spec.out)
    console(stderr=True).print(eval_summary(result))
    if result.failed:
        raise typer.Exit(1)
