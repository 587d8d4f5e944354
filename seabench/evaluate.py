"""The `seabench eval` engine: generate → check → judge → summarize over one store, each step resumable, in one call."""

from __future__ import annotations

import dataclasses
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from .aggregate import Settings
from .aggregate.panel import panel_name
from .backends import BackendOptions, parse_spec
from .bench import load_bench
from .checks import run_checks
from .errors import ConfigError
from .generate import ModelResult, check_names, estimate_plan, generate, make_plans, select_questions
from .judging.llm import JudgePlan, JudgeResult, estimate_unanswered, judge
from .judging.prompts import PromptSet, choose_prompts
from .pricing import PriceTable
from .records import GenerationSettings, JudgeConfig, ModelRun, Report
from .runner import RetryPolicy
from .runner.batch import BatchOptions
from .store import Store
from .summarize import build


@dataclass
class EvalSpec:
    models: list[ModelRun]
    judges: list[JudgeConfig]
    """One judge, or a panel run one after another over the same answers."""
    judge_base_urls: list[str | None] = field(default_factory=list)
    """Each judge's own endpoint, aligned with `judges`; a candidate's --base-url never routes judge calls."""
    bench: str | None = None
    db: Path | None = None
    out: Path = Path("report.html")
    langs: list[str] | None = None
    categories: list[str] | None = None
    limit: int | None = None
    prompts: Path | None = None
    judge_language: str = "en"
    rationale_language: str | None = None
    concurrency: int | None = None
    """Requests in flight per model; None: 8, or 256 for a vllm: engine."""
    rpm: float | None = None
    tpm: float | None = None
    batch: BatchOptions | None = None
    """Answers and judgments through the providers' batch APIs."""
    timeout: float = 120.0
    max_attempts: int = 6
    batch_size: int = 8
    vllm_args: str | None = None
    vllm_start_timeout: float = 600.0
    base_url: str | None = None
    prices: Path | None = None
    all_questions: bool = False
    """Rank each model on every question it answered, not only those every model answered."""


@dataclass
class EvalResult:
    generated: list[ModelResult] = field(default_factory=list)
    judged: list[tuple[str, JudgePlan, JudgeResult]] = field(default_factory=list)
    """(judge name, its plan, what it did), one per judge, in the order they ran."""
    report: Report | None = None

    @property
    def failed(self) -> bool:
        return any(r.failures for r in self.generated) or any(r.failures for _, _, r in self.judged)


def from_options(config: dict, **cli) -> EvalSpec:
    """CLI options win over the config file; each model may carry its own base URL and system prompt."""
    def pick(key, default=None):
        value = cli.get(key)
        return value if value not in (None, [], (), False) else config.get(key, default)

    settings = GenerationSettings(
        temperature=pick("temperature", 0.0), max_tokens=pick("max_tokens", 1024), system_prompt=pick("system_prompt")
    )
    runs = []
    if cli.get("models"):
        names = cli.get("names") or []
        if names and len(names) != len(cli["models"]):
            raise ConfigError(f"give one --name per --model ({len(cli['models'])} models, {len(names)} names), or none")
        for i, spec in enumerate(cli["models"]):
            spec = str(parse_spec(spec))
            runs.append(ModelRun(name=names[i] if names else spec, spec=spec, settings=settings))
    else:
        for m in config.get("models", []):
            spec = str(parse_spec(m["spec"]))
            own = settings.model_copy(update={k: m[k] for k in ("temperature", "max_tokens", "system_prompt") if k in m})
            runs.append(ModelRun(name=m.get("name", spec), spec=spec, settings=own, base_url=m.get("base_url")))
    if not runs:
        raise ConfigError("no models: give --model SPEC (repeatable) or [[models]] in --config")
    check_names(runs)
    jconf = dict(config.get("judge", {}))
    mode = cli.get("mode") or jconf.get("mode", "single")
    if mode not in ("single", "pairwise"):
        raise ConfigError(f"--mode must be single or pairwise, not '{mode}'")
    baseline = cli.get("baseline") or jconf.get("baseline")
    all_pairs = bool(cli.get("all_pairs") or jconf.get("all_pairs"))
    if mode == "pairwise" and bool(baseline) == all_pairs:
        raise ConfigError("pairwise judging needs exactly one of --baseline NAME or --all-pairs ([judge] baseline or all_pairs)")
    if mode == "pairwise" and len({r.name for r in runs} | ({baseline} if baseline else set())) < 2:
        raise ConfigError("pairwise judging needs two models to compare; this plan has one "
                          f"({runs[0].name}); add a --model, or name a stored --baseline")
    judges: list[JudgeConfig] = []
    urls: list[str | None] = []
    for member in _panel(cli, jconf, config.get("judges", [])):
        spec = str(parse_spec(member["spec"]))
        judges.append(JudgeConfig(
            spec=spec, name=member.get("name") or spec, mode=mode, baseline=baseline, all_pairs=all_pairs if mode == "pairwise" else False,
            samples=int(cli.get("samples") or jconf.get("samples", 1)),
            settings=GenerationSettings(temperature=float(member.get("temperature") or jconf.get("temperature") or 0.0),
                                        max_tokens=int(member.get("max_tokens") or jconf.get("max_tokens") or 2048)),
        ))
        urls.append(member.get("base_url"))
    if len({j.name for j in judges}) < len(judges):
        raise ConfigError("two judges share a name; use --judge-name (or name in [[judges]]) to tell them apart")
    prompts = cli.get("prompts") or jconf.get("prompts")
    return EvalSpec(
        models=runs, judges=judges, judge_base_urls=urls, bench=pick("bench"),
        db=Path(pick("db")) if pick("db") else None, out=Path(pick("out", "report.html")), langs=pick("lang"),
        categories=pick("category"), limit=pick("limit"), prompts=Path(prompts) if prompts else None,
        judge_language=cli.get("judge_language") or jconf.get("judge_language", "en"),
        rationale_language=cli.get("rationale_language") or jconf.get("rationale_language"),
        concurrency=pick("concurrency"), rpm=pick("rpm"), tpm=pick("tpm"), batch=cli.get("batch"),
        timeout=pick("timeout", 120.0), max_attempts=pick("max_attempts", 6),
        batch_size=pick("batch_size", 8), base_url=cli.get("base_url"), vllm_args=pick("vllm_args"),
        vllm_start_timeout=pick("vllm_start_timeout", 600.0), prices=Path(pick("prices")) if pick("prices") else None,
    )


def _panel(cli: dict, jconf: dict, members: list[dict]) -> list[dict]:
    """The judges, each with its spec, name and endpoint: from --judge (repeatable), else [[judges]], else [judge]."""
    specs, names, urls = cli.get("judge") or [], cli.get("judge_name") or [], cli.get("judge_base_url") or []
    if names and len(names) != len(specs or members or [jconf]):
        raise ConfigError(f"give one --judge-name per judge ({len(specs or members or [jconf])} judges, {len(names)} names), or none")
    if specs:
        if len(urls) > 1 and len(urls) != len(specs):
            raise ConfigError(f"give one --judge-base-url for all judges or one per --judge ({len(specs)} judges, {len(urls)} URLs)")
        return [{"spec": s, "name": names[i] if names else None, "base_url": urls[i] if len(urls) > 1 else (urls[0] if urls else None)}
                for i, s in enumerate(specs)]
    if members and jconf.get("spec"):
        raise ConfigError("the config names judges twice: give [judge] spec or [[judges]], not both")
    found = [dict(m) for m in members] or ([dict(jconf)] if jconf.get("spec") else [])
    if not found:
        raise ConfigError("no judge: give --judge SPEC (repeatable) or [judge] spec or [[judges]] in --config")
    for i, m in enumerate(found):
        m["name"] = names[i] if names else m.get("name")
        m["base_url"] = (urls[i] if len(urls) > 1 else urls[0]) if urls else m.get("base_url", jconf.get("base_url"))
    return found


def _prompts(spec: EvalSpec) -> PromptSet:
    return choose_prompts(spec.prompts, spec.judge_language, spec.rationale_language)


def dry_run(spec: EvalSpec):
    """The plan and its most expensive outcome, per model and language, for both answers and judgments."""
    prompts = _prompts(spec)  # a bad prompt file fails here, before anything else
    bench = load_bench(spec.bench)
    questions = select_questions(bench, spec.langs, spec.categories, spec.limit)
    table = PriceTable(spec.prices)
    with Store.existing(spec.db) or nullcontext() as store:  # a dry run creates no file
        plans = make_plans(store, spec.models, questions)
    rows = estimate_plan(plans, table, batch=spec.batch is not None)
    answer_tokens = max(r.settings.max_tokens for r in spec.models)
    judged = [(j, estimate_unanswered(j, prompts, questions, [r.name for r in spec.models], answer_tokens, table,
                                      batch=spec.batch is not None)) for j in spec.judges]
    return rows, judged


def run_eval(spec: EvalSpec, *, show_progress: bool = True, settings: Settings = Settings()) -> EvalResult:
    prompts = _prompts(spec)
    bench = load_bench(spec.bench)
    questions = select_questions(bench, spec.langs, spec.categories, spec.limit)
    table = PriceTable(spec.prices)
    policy = RetryPolicy(max_attempts=spec.max_attempts)
    options = BackendOptions(base_url=spec.base_url, timeout=spec.timeout, batch_size=spec.batch_size, vllm_args=spec.vllm_args,
                             start_timeout=spec.vllm_start_timeout)
    result = EvalResult()
    with Store(spec.db) as store:
        result.generated = generate(store, bench, spec.models, questions, options, show_progress=show_progress,
                                    concurrency=spec.concurrency, rpm=spec.rpm, tpm=spec.tpm, policy=policy, prices=table, batch=spec.batch)
        run_checks(store)
        for cfg, url in zip(spec.judges, spec.judge_base_urls or [None] * len(spec.judges)):
            cfg = cfg.model_copy(update={"models": tuple(r.name for r in spec.models)})
            judge_plan, judged = judge(store, cfg, prompts, dataclasses.replace(options, base_url=url), concurrency=spec.concurrency,
                                       rpm=spec.rpm, tpm=spec.tpm, policy=policy, prices=table, batch=spec.batch, show_progress=show_progress)
            result.judged.append((cfg.name, judge_plan, judged))
        names = [j.name for j in spec.judges]
        result.report = build(store, models=[r.name for r in spec.models], judge=names[0] if len(names) == 1 else panel_name(names),
                              settings=settings, browser=True, all_questions=spec.all_questions)
    return result
