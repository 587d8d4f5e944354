"""The `seabench eval` engine: generate → check → judge → summarize over one store, each step resumable, in one call."""

from __future__ import annotations

import dataclasses
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from .aggregate import Settings
from .backends import BackendOptions, parse_spec
from .bench import load_bench
from .checks import run_checks
from .errors import ConfigError
from .generate import ModelResult, check_names, estimate_plan, generate, make_plans, select_questions
from .judging.llm import JudgePlan, JudgeResult, estimate_unanswered, judge
from .judging.prompts import PromptSet, default_prompts, load_prompts
from .pricing import PriceTable
from .records import GenerationSettings, JudgeConfig, ModelRun, Report
from .runner import RetryPolicy
from .runner.batch import BatchOptions
from .store import Store
from .summarize import build


@dataclass
class EvalSpec:
    models: list[ModelRun]
    judge: JudgeConfig
    judge_base_url: str | None = None
    """The judge's own endpoint; a candidate's --base-url never routes judge calls."""
    bench: str | None = None
    db: Path | None = None
    out: Path = Path("report.html")
    langs: list[str] | None = None
    categories: list[str] | None = None
    limit: int | None = None
    prompts: Path | None = None
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


@dataclass
class EvalResult:
    judge_name: str = ""
    generated: list[ModelResult] = field(default_factory=list)
    judge_plan: JudgePlan | None = None
    judged: JudgeResult | None = None
    report: Report | None = None

    @property
    def failed(self) -> bool:
        return any(r.failures for r in self.generated) or bool(self.judged and self.judged.failures)


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
    judge_spec = cli.get("judge") or jconf.get("spec")
    if not judge_spec:
        raise ConfigError("no judge: give --judge SPEC or [judge] spec in --config")
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
    spec = str(parse_spec(judge_spec))
    judge_cfg = JudgeConfig(
        spec=spec, name=cli.get("judge_name") or jconf.get("name", spec), mode=mode, baseline=baseline,
        all_pairs=all_pairs if mode == "pairwise" else False, samples=int(cli.get("samples") or jconf.get("samples", 1)),
        settings=GenerationSettings(temperature=float(jconf.get("temperature", 0.0)), max_tokens=int(jconf.get("max_tokens", 2048))),
    )
    prompts = cli.get("prompts") or jconf.get("prompts")
    return EvalSpec(
        models=runs, judge=judge_cfg, judge_base_url=cli.get("judge_base_url") or jconf.get("base_url"), bench=pick("bench"),
        db=Path(pick("db")) if pick("db") else None, out=Path(pick("out", "report.html")), langs=pick("lang"),
        categories=pick("category"), limit=pick("limit"), prompts=Path(prompts) if prompts else None,
        concurrency=pick("concurrency"), rpm=pick("rpm"), tpm=pick("tpm"), batch=cli.get("batch"),
        timeout=pick("timeout", 120.0), max_attempts=pick("max_attempts", 6),
        batch_size=pick("batch_size", 8), base_url=cli.get("base_url"), vllm_args=pick("vllm_args"),
        vllm_start_timeout=pick("vllm_start_timeout", 600.0), prices=Path(pick("prices")) if pick("prices") else None,
    )


def _prompts(spec: EvalSpec) -> PromptSet:
    return load_prompts(spec.prompts) if spec.prompts else default_prompts()


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
    judged = estimate_unanswered(spec.judge, prompts, questions, [r.name for r in spec.models], answer_tokens, table,
                                 batch=spec.batch is not None)
    return rows, judged


def run_eval(spec: EvalSpec, *, show_progress: bool = True, settings: Settings = Settings()) -> EvalResult:
    prompts = _prompts(spec)
    bench = load_bench(spec.bench)
    questions = select_questions(bench, spec.langs, spec.categories, spec.limit)
    table = PriceTable(spec.prices)
    policy = RetryPolicy(max_attempts=spec.max_attempts)
    options = BackendOptions(base_url=spec.base_url, timeout=spec.timeout, batch_size=spec.batch_size, vllm_args=spec.vllm_args,
                             start_timeout=spec.vllm_start_timeout)
    result = EvalResult(judge_name=spec.judge.name)
    with Store(spec.db) as store:
        result.generated = generate(store, bench, spec.models, questions, options, show_progress=show_progress,
                                    concurrency=spec.concurrency, rpm=spec.rpm, tpm=spec.tpm, policy=policy, prices=table, batch=spec.batch)
        run_checks(store)
        judge_cfg = spec.judge.model_copy(update={"models": tuple(r.name for r in spec.models)})
        judge_options = dataclasses.replace(options, base_url=spec.judge_base_url)
        result.judge_plan, result.judged = judge(store, judge_cfg, prompts, judge_options, concurrency=spec.concurrency,
                                                 rpm=spec.rpm, tpm=spec.tpm, policy=policy, prices=table, batch=spec.batch,
                                                 show_progress=show_progress)
        result.report = build(store, models=[r.name for r in spec.models], judge=judge_cfg.name, settings=settings, browser=True)
    return result
