"""Commands that send requests or write results: generate, check, judge, tokens, eval."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from . import options as o
from .app import app


def batch_options(batch: bool, poll_s: float, sync_retry: bool):
    from ..runner.batch import BatchOptions

    return BatchOptions(poll_s=poll_s, sync_retry=sync_retry) if batch else None


def model_runs(models: list[str], names: list[str] | None, settings):
    """One run per --model; --name, when given, names each in order."""
    from ..backends import parse_spec
    from ..errors import ConfigError
    from ..records import ModelRun

    specs = [str(parse_spec(m)) for m in o.split(models) or []]
    names = o.split(names) or []
    if names and len(names) != len(specs):
        raise ConfigError(f"give one --name per --model ({len(specs)} models, {len(names)} names), or none")
    return [ModelRun(name=names[i] if names else spec, spec=spec, settings=settings) for i, spec in enumerate(specs)]


@app.command("generate")
def generate_cmd(
    model: o.ModelSpecs,
    name: o.Names = None,
    bench: o.Bench = None,
    db: o.Db = None,
    lang: o.Lang = None,
    category: o.Category = None,
    limit: o.Limit = None,
    base_url: o.BaseUrl = None,
    temperature: o.Temperature = 0.0,
    max_tokens: o.MaxTokens = 1024,
    system_prompt: o.SystemPrompt = None,
    concurrency: o.Concurrency = None,
    rpm: o.Rpm = None,
    tpm: o.Tpm = None,
    batch: o.Batch = False,
    batch_poll: o.BatchPoll = 30.0,
    batch_sync_retry: o.BatchSyncRetry = False,
    timeout: o.Timeout = 120.0,
    max_attempts: o.Attempts = 6,
    batch_size: o.BatchSize = 8,
    chat_template: o.ChatTemplate = None,
    vllm_args: o.VllmArgs = None,
    vllm_start_timeout: o.VllmStartTimeout = 600.0,
    prices: o.Prices = None,
    dry_run: o.DryRun = False,
):
    """Collect answers from candidate models into the store; a re-run sends only what is missing or failed."""
    from ..backends import BackendOptions, preload
    from ..generate import check_names, estimate_plan, generate, make_plans, select_questions
    from ..pricing import PriceTable
    from ..records import GenerationSettings
    from ..runner import RetryPolicy
    from ..store import Store
    from .views import console, generate_summary, plan_table

    runs = model_runs(model, name, GenerationSettings(temperature=temperature, max_tokens=max_tokens, system_prompt=system_prompt))
    check_names(runs)
    if not dry_run:
        preload([r.spec for r in runs])
    loaded = o.load_bench_noting(bench)
    questions = select_questions(loaded, o.split(lang), o.split(category), limit)
    table = PriceTable(prices)
    backend = BackendOptions(base_url=base_url, timeout=timeout, batch_size=batch_size, chat_template=str(chat_template) if chat_template else None,
                             vllm_args=vllm_args, start_timeout=vllm_start_timeout)
    if dry_run:
        with Store.existing(db) or nullcontext() as store:  # a dry run creates no file
            plans = make_plans(store, runs, questions)
        console().print(plan_table(estimate_plan(plans, table, chat_template=backend.chat_template, batch=batch), batch=batch))
        return
    with Store(db) as store:
        results = generate(store, loaded, runs, questions, backend, concurrency=concurrency, rpm=rpm, tpm=tpm,
                           policy=RetryPolicy(max_attempts=max_attempts), prices=table, batch=batch_options(batch, batch_poll, batch_sync_retry))
    console(stderr=True).print(generate_summary(results))
    if any(r.failures for r in results):
        raise typer.Exit(1)


@app.command("check")
def check_cmd(db: o.Db = None):
    """Run the checks that need no LLM (language, script health) on every answer not checked yet."""
    from ..checks import run_checks
    from ..store import Store

    with Store(db, create=False) as store:
        done = run_checks(store)
    typer.echo(", ".join(f"{kind} checked on {n} new answers" for kind, n in done.items()), err=True)


@app.command("judge")
def judge_cmd(
    judge: o.JudgeSpecs,
    judge_name: o.JudgeNames = None,
    mode: o.Mode = "single",
    baseline: o.Baseline = None,
    all_pairs: o.AllPairs = False,
    model: o.ModelNames = None,
    prompts: o.Prompts = None,
    judge_language: o.JudgeLanguage = "en",
    rationale_language: o.RationaleLanguage = None,
    samples: o.Samples = 1,
    judge_temperature: o.JudgeTemperature = 0.0,
    judge_max_tokens: o.JudgeMaxTokens = 2048,
    db: o.Db = None,
    judge_base_url: o.JudgeBaseUrls = None,
    concurrency: o.Concurrency = None,
    rpm: o.Rpm = None,
    tpm: o.Tpm = None,
    batch: o.Batch = False,
    batch_poll: o.BatchPoll = 30.0,
    batch_sync_retry: o.BatchSyncRetry = False,
    timeout: o.Timeout = 120.0,
    max_attempts: o.Attempts = 6,
    batch_size: o.BatchSize = 8,
    vllm_args: o.VllmArgs = None,
    vllm_start_timeout: o.VllmStartTimeout = 600.0,
    prices: o.Prices = None,
    dry_run: o.DryRun = False,
):
    """Judge stored answers with an LLM (or a panel of them, one after another); a re-run sends only what is missing."""
    from ..backends import BackendOptions, preload
    from ..checks import run_checks
    from ..errors import ConfigError
    from ..judging.llm import estimate, plan
    from ..judging.llm import judge as run_judge
    from ..judging.prompts import choose_prompts
    from ..pricing import PriceTable
    from ..runner import RetryPolicy
    from ..store import Store
    from .views import console, judge_cost_table, judge_plan_caption, judge_summary

    specs, names, urls = o.split(judge) or [], o.split(judge_name) or [], o.split(judge_base_url) or []
    if names and len(names) != len(specs):
        raise ConfigError(f"give one --judge-name per --judge ({len(specs)} judges, {len(names)} names), or none")
    if len(urls) > 1 and len(urls) != len(specs):
        raise ConfigError(f"give one --judge-base-url for all judges or one per --judge ({len(specs)} judges, {len(urls)} URLs)")
    cfgs = [judge_config(spec, names[i] if names else None, mode, baseline, all_pairs, o.split(model), samples, judge_temperature,
                         judge_max_tokens) for i, spec in enumerate(specs)]
    if len({c.name for c in cfgs}) < len(cfgs):
        raise ConfigError("two judges share a name; use --judge-name to tell them apart")
    if not dry_run:
        preload([c.spec for c in cfgs])
    prompt_set = choose_prompts(prompts, judge_language, rationale_language)
    table = PriceTable(prices)
    failed = False
    with Store(db, create=False) as store:
        if not dry_run:
            run_checks(store)
        for i, cfg in enumerate(cfgs):
            if dry_run:
                judge_plan = plan(store, cfg, prompt_set)
                console().print(judge_cost_table(cfg, estimate(cfg, judge_plan, table, batch=batch),
                                                 judge_plan_caption(judge_plan) + ("; costs at batch prices" if batch else "")))
                continue
            url = urls[i] if len(urls) > 1 else (urls[0] if urls else None)
            backend = BackendOptions(base_url=url, timeout=timeout, batch_size=batch_size, vllm_args=vllm_args,
                                     start_timeout=vllm_start_timeout)
            judge_plan, result = run_judge(store, cfg, prompt_set, backend, concurrency=concurrency, rpm=rpm, tpm=tpm,
                                           policy=RetryPolicy(max_attempts=max_attempts), prices=table,
                                           batch=batch_options(batch, batch_poll, batch_sync_retry))
            console(stderr=True).print(judge_summary(cfg.name, judge_plan, result))
            failed |= bool(result.failures)
    if failed:
        raise typer.Exit(1)


def judge_config(spec: str, name: str | None, mode: str, baseline: str | None, all_pairs: bool, models: list[str] | None,
                 samples: int, temperature: float, max_tokens: int):
    from ..backends import parse_spec
    from ..errors import ConfigError
    from ..records import GenerationSettings, JudgeConfig

    if mode not in ("single", "pairwise"):
        raise ConfigError(f"--mode must be single or pairwise, not '{mode}'")
    if mode == "pairwise" and bool(baseline) == all_pairs:
        raise ConfigError("pairwise judging needs exactly one of --baseline NAME or --all-pairs")
    spec = str(parse_spec(spec))
    return JudgeConfig(spec=spec, name=name or spec, mode=mode, baseline=baseline, all_pairs=all_pairs,  # type: ignore[arg-type]
                       models=tuple(models) if models else None, samples=samples,
                       settings=GenerationSettings(temperature=temperature, max_tokens=max_tokens))


@app.command("tokens")
def tokens_cmd(
    model: o.ModelSpecs,
    bench: o.Bench = None,
    db: o.Db = None,
    fmt: o.TableFormat = "terminal",
    prices: o.Prices = None,
):
    """Tokens per character and per word in each language, the ratio to English, and what prompts and answers cost."""
    from ..pricing import PriceTable
    from ..store import Store
    from ..tokens import run_tokens

    o.check_format(fmt, o.TABLE_FORMATS)
    loaded = o.load_bench_noting(bench)
    with Store(db) as store:
        store.save_bench(loaded)
        rows = run_tokens(o.split(model) or [], loaded, store, PriceTable(prices))
    from ..report.tables import tokens_table
    from .read import emit_rows

    emit_rows(rows, fmt, tokens_table)


@app.command("eval")
def eval_cmd(
    model: o.OptModelSpecs = None,
    name: o.Names = None,
    judge: o.OptJudgeSpecs = None,
    judge_name: o.JudgeNames = None,
    mode: Annotated[str | None, typer.Option("--mode", metavar="MODE", help="single or pairwise (with --baseline or --all-pairs).")] = None,
    baseline: o.Baseline = None,
    all_pairs: o.AllPairs = False,
    samples: Annotated[int | None, typer.Option("--samples", metavar="N", min=1, help="Judge each item this many times.")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", metavar="FILE", help="A TOML file with the same settings (models with their own base URLs…).")] = None,
    bench: o.Bench = None,
    db: o.Db = None,
    out: Annotated[Path | None, typer.Option("--out", metavar="FILE", help=(
        "The report to write (default report.html); its extension says the format: .html .md .csv .json .txt."))] = None,
    all_questions: Annotated[bool, typer.Option("--all-questions", help=(
        "Rank each model on every question it answered, not only on those every model answered."))] = False,
    lang: o.Lang = None,
    category: o.Category = None,
    limit: o.Limit = None,
    base_url: o.BaseUrl = None,
    judge_base_url: o.JudgeBaseUrls = None,
    temperature: Annotated[float | None, typer.Option("--temperature", metavar="T", min=0.0, help="Candidates' sampling temperature.")] = None,
    max_tokens: Annotated[int | None, typer.Option("--max-tokens", metavar="N", min=1, help="Answer length limit.")] = None,
    system_prompt: o.SystemPrompt = None,
    prompts: o.Prompts = None,
    judge_language: o.OptJudgeLanguage = None,
    rationale_language: o.RationaleLanguage = None,
    concurrency: o.Concurrency = None,
    vllm_args: o.VllmArgs = None,
    vllm_start_timeout: Annotated[float | None, typer.Option("--vllm-start-timeout", metavar="SECONDS", min=1, help=(
        "How long a vllm: server may take to load and become healthy (default 600)."))] = None,
    rpm: o.Rpm = None,
    tpm: o.Tpm = None,
    batch: o.Batch = False,
    batch_poll: o.BatchPoll = 30.0,
    batch_sync_retry: o.BatchSyncRetry = False,
    timeout: Annotated[float | None, typer.Option("--timeout", metavar="SECONDS", min=0.1, help="Seconds before a request is retried.")] = None,
    max_attempts: Annotated[int | None, typer.Option("--max-attempts", metavar="N", min=1, help="Tries per request.")] = None,
    prices: o.Prices = None,
    dry_run: o.DryRun = False,
):
    """generate → judge → report in one command; every step resumes from the store."""
    from ..backends import preload
    from ..config import load_config
    from ..evaluate import dry_run as plan_eval
    from ..evaluate import from_options, run_eval
    from .views import console, eval_summary, judge_cost_table, plan_table

    settings = load_config(config) if config else {}
    if bench or settings.get("bench"):
        o.load_bench_noting(bench or settings["bench"])  # its warnings, once, before anything is sent
    spec = from_options(
        settings, models=o.split(model), names=o.split(name), judge=o.split(judge), judge_name=o.split(judge_name), mode=mode,
        baseline=baseline, all_pairs=all_pairs, samples=samples, bench=bench, db=str(db) if db else None, out=str(out) if out else None,
        base_url=base_url, judge_base_url=o.split(judge_base_url), lang=o.split(lang), category=o.split(category), limit=limit,
        temperature=temperature, max_tokens=max_tokens, system_prompt=system_prompt, prompts=str(prompts) if prompts else None,
        judge_language=judge_language, rationale_language=rationale_language,
        concurrency=concurrency, rpm=rpm, tpm=tpm, batch=batch_options(batch, batch_poll, batch_sync_retry), timeout=timeout,
        max_attempts=max_attempts, prices=str(prices) if prices else None, vllm_args=vllm_args, vllm_start_timeout=vllm_start_timeout,
    )
    spec.all_questions = all_questions
    from .read import output_format, writable

    out_format = output_format(None, spec.out, "html")  # a report that cannot be written is refused before anything is spent
    writable(spec.out)
    if not dry_run:
        preload([r.spec for r in spec.models] + [j.spec for j in spec.judges])
    if dry_run:
        rows, judged = plan_eval(spec)
        console().print(plan_table(rows, batch=batch))
        for cfg, per_lang in judged:
            console().print(judge_cost_table(cfg, per_lang, "judge requests once the answers exist; every answer counted at --max-tokens"
                                             + ("; costs at batch prices" if batch else "")))
        return
    result = run_eval(spec)
    from .read import emit

    emit(result.report, out_format, spec.out)
    console(stderr=True).print(eval_summary(result))
    if result.failed:
        raise typer.Exit(1)
