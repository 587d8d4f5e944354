"""The `seabench` command: thin typer wrappers, each calling one library function.

Library modules are imported inside the commands so that `seabench --help` starts without pydantic, pandas or
torch. A `SeabenchError` from anywhere becomes `error: …` lines on stderr and exit code 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import click
import typer
from typer.core import TyperGroup


class _Group(TyperGroup):
    """Turns user errors raised anywhere below into one-line messages and exit code 2, with no traceback."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        from ..errors import SeabenchError

        try:
            return super().invoke(ctx)
        except SeabenchError as e:
            for line in e.lines():
                click.echo(f"error: {line}", err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            click.echo("interrupted: everything finished so far is stored; run the same command again to go on", err=True)
            raise typer.Exit(130) from None


app = typer.Typer(
    cls=_Group,
    name="seabench",
    help="Evaluate chat models on Sea-bench: Southeast-Asian languages, LLM judges and human ratings.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain click help: rendering help through rich costs ~0.15 s of start-up on every `--help`.
    rich_markup_mode=None,
)
bench_app = typer.Typer(help="Inspect and validate benches.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(bench_app, name="bench")

BenchOpt = Annotated[
    Optional[str],
    typer.Option("--bench", help="Bench file or folder, or hf:OWNER/NAME. Default: the bundled seabench-starter bench."),
]


@bench_app.command("stats")
def bench_stats(bench: BenchOpt = None, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False):
    """Questions per language × category, with multi-turn and reference counts."""
    from ..bench import load_bench, stats
    from .views import bench_stats_table, console

    loaded = load_bench(bench)
    cells = stats(loaded)
    if as_json:
        total = sum(c.questions for c in cells)
        typer.echo(json.dumps({"total": total, "cells": [c.model_dump() for c in cells]}, ensure_ascii=False))
    else:
        console().print(bench_stats_table(loaded, cells))


@bench_app.command("validate")
def bench_validate(source: Annotated[str, typer.Argument(help="Bench file or folder, or hf:OWNER/NAME.")]):
    """Check a bench file; list every problem (file:line) or print a one-line summary."""
    from ..bench import load_bench

    loaded = load_bench(source)
    langs = sorted({q.lang for q in loaded.questions})
    cats = sorted({q.category for q in loaded.questions})
    multi = sum(len(q.turns) > 1 for q in loaded.questions)
    typer.echo(
        f"ok: {source}: {len(loaded.questions)} questions ({loaded.shape} shape), {len(langs)} languages, "
        f"{len(cats)} categories, {multi} multi-turn"
    )


@bench_app.command("show")
def bench_show(question_id: Annotated[str, typer.Argument(help="Question id.")], bench: BenchOpt = None):
    """Print one question with every turn and reference."""
    from ..bench import find_question, load_bench
    from .views import console, question_view

    console().print(question_view(find_question(load_bench(bench), question_id)))


DbOpt = Annotated[Optional[Path], typer.Option("--db", help="SQLite store. Default: $SEABENCH_DB or ./seabench.db.")]
BaseUrlOpt = Annotated[Optional[str], typer.Option("--base-url", help="API base URL (any OpenAI-compatible server: vLLM, SGLang, TGI, Ollama, LM Studio).")]
ConcurrencyOpt = Annotated[int, typer.Option("--concurrency", min=1, help="Requests in flight at once, per model.")]
RpmOpt = Annotated[Optional[float], typer.Option("--rpm", min=0.1, help="At most this many requests per minute.")]
TimeoutOpt = Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds before a request is abandoned and retried.")]
AttemptsOpt = Annotated[int, typer.Option("--max-attempts", min=1, help="Tries per request before it is stored as a failure.")]
PricesOpt = Annotated[Optional[Path], typer.Option("--prices", help="JSON price table that overrides the built-in one (also $SEABENCH_PRICES).")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Send nothing; print the plan and its estimated cost.")]


def _split(values: Optional[list[str]]) -> Optional[list[str]]:
    """`--lang th,km --lang lo` → [th, km, lo]."""
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@app.command("generate")
def generate_cmd(
    model: Annotated[list[str], typer.Option("--model", help="PROVIDER:MODEL (openai:, anthropic:, hf:); repeatable.")],
    bench: BenchOpt = None,
    db: DbOpt = None,
    base_url: BaseUrlOpt = None,
    concurrency: ConcurrencyOpt = 8,
    rpm: RpmOpt = None,
    max_tokens: Annotated[int, typer.Option("--max-tokens", min=1, help="Answer length limit, in tokens.")] = 1024,
    temperature: Annotated[float, typer.Option("--temperature", min=0.0, help="Sampling temperature; 0 is greedy.")] = 0.0,
    system_prompt: Annotated[Optional[str], typer.Option("--system-prompt", help="System message for every conversation.")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="Store and report the model under this name (one --model only).")] = None,
    lang: Annotated[Optional[list[str]], typer.Option("--lang", help="Only these languages (comma-separated).")] = None,
    category: Annotated[Optional[list[str]], typer.Option("--category", help="Only these categories (comma-separated).")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Only the first N selected questions.")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Conversations per batch for hf: models.")] = 8,
    chat_template: Annotated[Optional[Path], typer.Option("--chat-template", help="Jinja chat template for hf: models that ship none.")] = None,
    timeout: TimeoutOpt = 120.0,
    max_attempts: AttemptsOpt = 6,
    prices: PricesOpt = None,
    dry_run: DryRunOpt = False,
):
    """Collect answers from candidate models into the store; a re-run sends only what is missing or failed."""
    from ..bench import load_bench
    from ..records import ModelRun
    from ..generate import estimate_plan, generate, make_plans, select_questions, check_names
    from ..backends import BackendOptions, parse_spec
    from ..pricing import PriceTable
    from ..records import GenerationSettings
    from .views import console, generate_summary, plan_table
    from ..runner import RetryPolicy
    from ..store import Store

    if name and len(model) > 1:
        raise _user_error("--name names one model; give each model its own run, or drop --name")
    settings = GenerationSettings(temperature=temperature, max_tokens=max_tokens, system_prompt=system_prompt)
    runs = [ModelRun(name=name or str(parse_spec(m)), spec=str(parse_spec(m)), settings=settings) for m in model]
    check_names(runs)
    loaded = load_bench(bench)
    questions = select_questions(loaded, _split(lang), _split(category), limit)
    table = PriceTable(prices)
    options = BackendOptions(base_url=base_url, timeout=timeout, batch_size=batch_size, chat_template=str(chat_template) if chat_template else None)
    if dry_run:
        store = Store.existing(db)
        try:
            plans = make_plans(store, runs, questions)
        finally:
            if store:
                store.close()
        console().print(plan_table(estimate_plan(plans, table, chat_template=options.chat_template)))
        return
    with Store(db) as store:
        results = generate(store, loaded, runs, questions, options, concurrency=concurrency, rpm=rpm, policy=RetryPolicy(max_attempts=max_attempts), prices=table)
    console().print(generate_summary(results))
    if any(r.failures for r in results):
        raise typer.Exit(1)


@app.command("answers")
def answers_cmd(
    model: Annotated[Optional[str], typer.Option("--model", help="Only this model (its stored name).")] = None,
    db: DbOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table, jsonl or csv.")] = "table",
):
    """List or export the stored answers."""
    from ..report.answers import write_answers
    from ..store import Store
    from .views import console

    if fmt not in ("table", "jsonl", "csv"):
        raise _user_error(f"--format must be table, jsonl or csv, not '{fmt}'")
    with Store(db, readonly=True) as store:
        answers, questions = store.answers(model=model), store.questions()
    write_answers(answers, questions, fmt, sys.stdout, console())


@app.command("judge")
def judge_cmd(
    judge: Annotated[str, typer.Option("--judge", help="Judge model spec, e.g. openai:gpt-4o (any backend, a local hf: one included).")],
    mode: Annotated[str, typer.Option("--mode", help="single (1–10 per answer) or pairwise (A/B/tie, both orders).")] = "single",
    baseline: Annotated[Optional[str], typer.Option("--baseline", help="Pairwise: compare every model with this one.")] = None,
    all_pairs: Annotated[bool, typer.Option("--all-pairs", help="Pairwise: compare every pair of models.")] = False,
    models: Annotated[Optional[list[str]], typer.Option("--models", help="Only these stored models (comma-separated).")] = None,
    prompts: Annotated[Optional[Path], typer.Option("--prompts", help="A judge_prompts.jsonl (FastChat's, SeaBench v2's or your own). Default: ours.")] = None,
    samples: Annotated[int, typer.Option("--samples", min=1, help="Judge each item this many times; kept as separate samples.")] = 1,
    name: Annotated[Optional[str], typer.Option("--name", help="Store the judge under this name (default: its spec).")] = None,
    temperature: Annotated[float, typer.Option("--temperature", min=0.0, help="Judge sampling temperature.")] = 0.0,
    max_tokens: Annotated[int, typer.Option("--max-tokens", min=16, help="Judge reply length limit.")] = 2048,
    db: DbOpt = None,
    base_url: BaseUrlOpt = None,
    concurrency: ConcurrencyOpt = 8,
    rpm: RpmOpt = None,
    timeout: TimeoutOpt = 120.0,
    max_attempts: AttemptsOpt = 6,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Prompts per batch for an hf: judge.")] = 8,
    prices: PricesOpt = None,
    dry_run: DryRunOpt = False,
):
    """Judge stored answers with an LLM; a re-run sends only what is missing."""
    from ..backends import BackendOptions, parse_spec
    from ..checks import run_checks
    from ..judging.llm import JudgeConfig, estimate, judge as run_judge, plan
    from ..judging.prompts import default_prompts, load_prompts
    from ..pricing import PriceTable
    from ..records import GenerationSettings
    from .views import console, judge_cost_table, judge_plan_caption, judge_summary
    from ..runner import RetryPolicy
    from ..store import Store

    if mode not in ("single", "pairwise"):
        raise _user_error(f"--mode must be single or pairwise, not '{mode}'")
    if mode == "pairwise" and bool(baseline) == all_pairs:
        raise _user_error("pairwise judging needs exactly one of --baseline NAME or --all-pairs")
    prompt_set = load_prompts(prompts) if prompts else default_prompts()
    spec = str(parse_spec(judge))
    cfg = JudgeConfig(
        spec=spec, name=name or spec, mode=mode, baseline=baseline, all_pairs=all_pairs,
        models=tuple(_split(models)) if models else None, samples=samples,
        settings=GenerationSettings(temperature=temperature, max_tokens=max_tokens),
    )
    table = PriceTable(prices)
    with Store(db, create=False) as store:
        if dry_run:
            judge_plan = plan(store, cfg, prompt_set)
            console().print(judge_cost_table(cfg, estimate(cfg, judge_plan, table), judge_plan_caption(judge_plan)))
            return
        run_checks(store)
        options = BackendOptions(base_url=base_url, timeout=timeout, batch_size=batch_size)
        judge_plan, result = run_judge(store, cfg, prompt_set, options, concurrency=concurrency, rpm=rpm,
                                       policy=RetryPolicy(max_attempts=max_attempts), prices=table)
    console().print(judge_summary(cfg.name, judge_plan, result))
    if result.failures:
        raise typer.Exit(1)


@app.command("tokens")
def tokens_cmd(
    model: Annotated[list[str], typer.Option("--model", help="A model spec whose tokenizer to measure (hf:PATH_OR_ID, openai:MODEL); repeatable.")],
    bench: BenchOpt = None,
    db: DbOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="terminal, csv or json.")] = "terminal",
    prices: PricesOpt = None,
):
    """Tokens per character and per word in each language, the ratio to English, and what prompts and answers cost."""
    from ..bench import load_bench
    from ..tokens import run_tokens
    from ..pricing import PriceTable
    from ..store import Store

    if fmt not in ("terminal", "csv", "json"):
        raise _user_error(f"--format must be terminal, csv or json, not '{fmt}'")
    loaded = load_bench(bench)
    with Store(db) as store:
        store.save_bench(loaded)
        rows = run_tokens(model, loaded, store, PriceTable(prices))
    if fmt == "json":
        typer.echo(json.dumps([r.model_dump() for r in rows], ensure_ascii=False, indent=1))
    elif fmt == "csv":
        import csv as csv_module

        writer = csv_module.DictWriter(sys.stdout, fieldnames=list(rows[0].model_dump()), lineterminator="\n")
        writer.writeheader()
        writer.writerows(r.model_dump() for r in rows)
    else:
        from ..report.formats import to_terminal_tables
        from ..report.tables import tokens_table
        from .views import console

        to_terminal_tables([tokens_table(rows)], console())


@app.command("check")
def check_cmd(db: DbOpt = None):
    """Run the checks that need no LLM (language, script health) on every answer not checked yet."""
    from ..checks import run_checks
    from ..store import Store

    with Store(db, create=False) as store:
        done = run_checks(store)
    typer.echo(", ".join(f"{kind} checked on {n} new answers" for kind, n in done.items()))


human_app = typer.Typer(help="Rating sheets for human annotators, and their ratings back in.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(human_app, name="human")


@human_app.command("export")
def human_export(
    models: Annotated[list[str], typer.Option("--models", help="Models to rate (comma-separated).")],
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    blind: Annotated[bool, typer.Option("--blind", help="Hide model names behind opaque item ids (the mapping stays in the store).")] = False,
    pairwise: Annotated[bool, typer.Option("--pairwise", help="Two models side by side, to choose A, B or tie.")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Row shuffle (and, pairwise, A/B order) seed for blind sheets.")] = 0,
    db: DbOpt = None,
):
    """Write a rating sheet: a 1–10 score per answer, or (--pairwise) a choice between two models' answers."""
    from ..judging.human import export_pair_sheet, export_sheet
    from ..store import Store

    with Store(db, create=False) as store:
        n = (export_pair_sheet if pairwise else export_sheet)(store, _split(models) or [], out, blind=blind, seed=seed)
    typer.echo(f"wrote {n} rows to {out}" + (" (blind)" if blind else ""))


@human_app.command("import")
def human_import(file: Annotated[Path, typer.Argument(help="A filled rating sheet (blind, plain or pairwise CSV).")], db: DbOpt = None):
    """Import a filled sheet: all of it, or (on any error) none of it."""
    from ..judging.human import import_sheet
    from ..store import Store

    with Store(db, create=False) as store:
        summary = import_sheet(store, file)
    typer.echo(f"imported {summary.rows} {summary.kind} ratings from {len(summary.annotators)} annotator(s) "
               f"({summary.new} new): {', '.join(summary.annotators)}")


import_app = typer.Typer(help="Bring other tools' files into the store.", no_args_is_help=True, rich_markup_mode=None)
export_app = typer.Typer(help="Write the store out in other tools' formats.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")


@import_app.command("fastchat")
def import_fastchat_cmd(
    folder: Annotated[Path, typer.Argument(help="A FastChat data/<bench>/ folder.")],
    questions: Annotated[Optional[Path], typer.Option("--questions", help="question.jsonl, when the folder has none.")] = None,
    db: DbOpt = None,
):
    """Import question.jsonl, model_answer/, reference_answer/ and model_judgment/ (single and pair)."""
    from ..interop.fastchat import import_fastchat
    from ..store import Store

    with Store(db) as store:
        s = import_fastchat(store, folder, questions)
    typer.echo(f"imported bench {s.bench}: {s.questions} questions, {s.answers} answers, {s.judgments} judgments "
               f"({s.unscored} unscored: FastChat's -1, and {s.out_of_range} scores outside 1–10); {s.new} new rows")
    if s.repeated:
        typer.echo(f"{s.repeated} items were judged more than once: each judgment is kept as a sample and every one counts "
                   "in the item's pooled mean, as in FastChat's show_result.py")


@export_app.command("fastchat")
def export_fastchat_cmd(
    folder: Annotated[Path, typer.Argument(help="Folder to write (FastChat's data/<bench>/ layout).")],
    bench: Annotated[Optional[str], typer.Option("--bench", help="Bench name in the store (needed when it holds several).")] = None,
    db: DbOpt = None,
):
    """Write a FastChat llm_judge folder that FastChat's own scripts can read."""
    from ..interop.fastchat import export_fastchat
    from ..store import Store

    with Store(db, readonly=True) as store:
        counts = export_fastchat(store, folder, bench)
    typer.echo(f"wrote {folder}: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()))


FormatOpt = Annotated[str, typer.Option("--format", help="terminal, markdown, html, csv or json.")]
RoundsOpt = Annotated[int, typer.Option("--rounds", min=100, help="Bootstrap rounds.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Bootstrap seed.")]


@app.command("report")
def report_cmd(
    db: DbOpt = None,
    models: Annotated[Optional[list[str]], typer.Option("--models", help="Only these models (comma-separated).")] = None,
    judge: Annotated[Optional[str], typer.Option("--judge", help="Only this judge's name (or 'human').")] = None,
    fmt: FormatOpt = "terminal",
    out: Annotated[Optional[Path], typer.Option("--out", help="Write here instead of stdout (html defaults to report.html).")] = None,
    rounds: RoundsOpt = 1000,
    seed: SeedOpt = 0,
    min_n: Annotated[int, typer.Option("--min-n", min=0, help="Mark cells with fewer questions than this.")] = 10,
):
    """Scores per language × category with confidence intervals, pairwise results, agreement, language fidelity."""
    from ..aggregate import Settings
    from ..summarize import build
    from ..store import Store

    if fmt not in FORMATS:
        raise _user_error(f"--format must be one of {', '.join(FORMATS)}, not '{fmt}'")
    with Store(db, readonly=True) as store:  # a report never writes: checks are stored by `check`, `judge` and `eval`
        report = build(store, models=_split(models), judge=judge, settings=Settings(rounds=rounds, seed=seed, min_n=min_n), browser=fmt == "html")
    _emit(report, fmt, out)


FORMATS = ("terminal", "markdown", "html", "csv", "json")


def _emit(report, fmt: str, out: Optional[Path]) -> None:
    from ..report import formats

    if fmt == "terminal":
        from .views import console

        formats.to_terminal(report, console())
        return
    if fmt == "html":
        from ..report.html import to_html

        text, out = to_html(report), out or Path("report.html")
    else:
        text = {"markdown": formats.to_markdown, "csv": formats.to_csv, "json": formats.to_json}[fmt](report)
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as e:
        raise _user_error(f"{out}: cannot write ({e.strerror})") from None
    typer.echo(f"wrote {out}")


@app.command("compare")
def compare_cmd(
    model_a: Annotated[str, typer.Argument(help="The candidate, e.g. the new checkpoint.")],
    model_b: Annotated[str, typer.Argument(help="What it is compared with, e.g. the previous checkpoint.")],
    judge: Annotated[Optional[str], typer.Option("--judge", help="Judge name (or 'human'); needed when several scored both.")] = None,
    db: DbOpt = None,
    min_n: Annotated[int, typer.Option("--min-n", help="Cells with fewer paired items are marked underpowered.")] = 30,
    fmt: Annotated[str, typer.Option("--format", help="terminal, csv or json.")] = "terminal",
    rounds: RoundsOpt = 1000,
    seed: SeedOpt = 0,
):
    """Paired A − B per language × category: bootstrap interval, Wilcoxon p, Holm-adjusted; regressions first."""
    from ..aggregate import Settings
    from ..report.compare import compare_csv, compare_terminal
    from ..summarize import compare_models
    from ..store import Store

    with Store(db, readonly=True) as store:
        judge_name, cells = compare_models(store, model_a, model_b, judge, Settings(rounds=rounds, seed=seed), min_n)
    if fmt == "json":
        typer.echo(json.dumps([c.model_dump() for c in cells], indent=1))
    elif fmt == "csv":
        sys.stdout.write(compare_csv(cells))
    else:
        from .views import console

        compare_terminal(console(), model_a, model_b, judge_name, cells)


@app.command("agreement")
def agreement_cmd(
    db: DbOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="terminal, csv or json.")] = "terminal",
    rounds: RoundsOpt = 1000,
    seed: SeedOpt = 0,
):
    """Judge vs human and annotator vs annotator, per language and category."""
    from ..aggregate import Settings, agreement, outcomes, pair_outcomes
    from ..store import Store

    with Store(db, readonly=True) as store:
        judgments = store.judgments()
        rows = agreement(judgments, store.ratings(), outcomes(pair_outcomes(judgments), store.pair_ratings()), store.questions(),
                         Settings(rounds=rounds, seed=seed))
    if not rows:
        raise _user_error("nothing to compare: agreement needs human ratings (seabench human import) on judged answers, or two annotators")
    if fmt == "json":
        typer.echo(json.dumps([r.model_dump() for r in rows], indent=1))
        return
    if fmt == "csv":
        import csv as csv_module

        writer = csv_module.DictWriter(sys.stdout, fieldnames=list(rows[0].model_dump()), lineterminator="\n")
        writer.writeheader()
        writer.writerows(r.model_dump() for r in rows)
        return
    from ..report.formats import to_terminal_tables
    from ..report.tables import agreement_table
    from .views import console

    to_terminal_tables([agreement_table(rows)], console())


@app.command("eval")
def eval_cmd(
    model: Annotated[Optional[list[str]], typer.Option("--model", help="Candidate model spec; repeatable.")] = None,
    judge: Annotated[Optional[str], typer.Option("--judge", help="Judge model spec.")] = None,
    mode: Annotated[Optional[str], typer.Option("--mode", help="single or pairwise.")] = None,
    baseline: Annotated[Optional[str], typer.Option("--baseline", help="Pairwise baseline (default: all pairs).")] = None,
    bench: BenchOpt = None,
    db: DbOpt = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="HTML report to write (default report.html).")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="A TOML file with the same settings (models with their own base URLs…).")] = None,
    base_url: BaseUrlOpt = None,
    judge_base_url: Annotated[Optional[str], typer.Option("--judge-base-url", help="The judge's API base URL (the candidates' --base-url is never used for the judge).")] = None,
    lang: Annotated[Optional[list[str]], typer.Option("--lang", help="Only these languages.")] = None,
    category: Annotated[Optional[list[str]], typer.Option("--category", help="Only these categories.")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Only the first N questions.")] = None,
    prompts: Annotated[Optional[Path], typer.Option("--prompts", help="Judge prompts file.")] = None,
    concurrency: Annotated[Optional[int], typer.Option("--concurrency", min=1, help="Requests in flight per model.")] = None,
    dry_run: DryRunOpt = False,
):
    """generate → judge → report in one command; every step resumes from the store."""
    from ..config import load_config
    from ..evaluate import dry_run as plan_eval, from_options, run_eval
    from .views import console, eval_summary, judge_cost_table, plan_table

    settings = load_config(config) if config else {}
    spec = from_options(
        settings, models=model, judge=judge, mode=mode, baseline=baseline, bench=bench, db=str(db) if db else None,
        out=str(out) if out else None, base_url=base_url, judge_base_url=judge_base_url, lang=_split(lang), category=_split(category), limit=limit,
        prompts=str(prompts) if prompts else None, concurrency=concurrency,
    )
    if spec.judge.mode not in ("single", "pairwise"):
        raise _user_error(f"--mode must be single or pairwise, not '{spec.judge.mode}'")
    if dry_run:
        rows, judged = plan_eval(spec)
        console().print(plan_table(rows))
        console().print(judge_cost_table(spec.judge, judged, "judge requests once the answers exist; every answer counted at --max-tokens"))
        return
    result = run_eval(spec)
    _emit(result.report, "html", spec.out)
    console().print(eval_summary(result))
    if result.failed:
        raise typer.Exit(1)


def _user_error(message: str):
    from ..errors import ConfigError

    return ConfigError(message)


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
