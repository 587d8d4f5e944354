"""The front door's engine: `generate`, `judge` and `eval` from one RunSpec.

Each run is prepared and checked in full before its first request — the bench and the questions, names, endpoints,
the baseline, the report's path, every prompt against every question, and the price of every model — so a typo
costs nothing. Then every stage resumes from the store.
"""

from __future__ import annotations

import dataclasses
import difflib
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field

from .backends import BackendOptions, check_access
from .bench import load_bench
from .bench.select import in_shard, select_questions
from .errors import SpecError
from .generate import ModelResult, check_names, estimate_plan, generate, make_plans
from .judging.estimate import JudgeEstimate, estimate, estimate_unanswered
from .judging.llm import JudgeResult, judge
from .judging.native import choose_prompts
from .judging.plan import JudgePlan, check_prompts, plan
from .judging.prompts import PromptSet
from .pricing import PriceTable
from .records import Bench, JudgeConfig, ModelRun, PlanRow, Question, Report, Settings
from .runner import RetryPolicy
from .runner.batch import BatchOptions
from .spec import RunSpec
from .store import Store, default_db_path
from .textio import check_folder


@dataclass
class Prepared:
    """A run, loaded and checked: what every stage needs, read once."""

    spec: RunSpec
    bench: Bench | None
    """None for `judge`, whose questions come from the store."""
    questions: list[Question]
    scope: frozenset[tuple[str, str]] | None
    """(bench, question id) of the selected questions, which judging keeps to; None when nothing narrowed the
    selection, so a judge takes every stored answer it has not judged."""
    runs: list[ModelRun]
    judges: list[JudgeConfig]
    prompts: PromptSet | None
    prices: PriceTable

    @property
    def judging(self) -> PromptSet:
        """The prompts, for a run that judges (prepared with judging=True)."""
        assert self.prompts is not None, "prepared without judges"
        return self.prompts

    @property
    def source(self) -> Bench:
        """The bench, for a run that generates (prepared from a bench, not from the store's questions)."""
        assert self.bench is not None, "prepared without a bench"
        return self.bench

    def backend(self) -> BackendOptions:
        r = self.spec.run
        return BackendOptions(
            timeout=r.timeout,
            batch_size=r.batch_size,
            chat_template=str(r.chat_template) if r.chat_template else None,
            dtype=r.dtype,
            device=r.device,
            vllm_args=r.vllm_args,
            llamacpp_args=r.llamacpp_args,
            start_timeout=r.vllm_start_timeout,
        )

    def runner(self) -> dict:
        """The runner's options: pacing, retries, prices and batches."""
        r = self.spec.run
        return dict(
            concurrency=r.concurrency,
            rpm=r.rpm,
            tpm=r.tpm,
            policy=RetryPolicy(max_attempts=r.max_attempts),
            prices=self.prices,
            batch=BatchOptions(poll_s=r.batch_poll, sync_retry=r.batch_sync_retry) if r.batch else None,
        )


@dataclass
class EvalResult:
    generated: list[ModelResult] = field(default_factory=list)
    judged: list[tuple[str, JudgePlan, JudgeResult]] = field(default_factory=list)
    """(judge name, its plan, what it did), one per judge, in the order they ran."""
    report: Report | None = None

    @property
    def failed(self) -> bool:
        """Some request failed, or was left to a process that has not finished it, or a judge scored nothing: never exit
        0 with work undone or no result."""
        return any(r.failures or r.left for r in self.generated) or any(
            r.failures or r.left or r.nothing_scored for _, _, r in self.judged
        )


def prepare(
    spec: RunSpec,
    bench: Bench | None = None,
    *,
    answers: bool,
    judging: bool,
    report: bool = False,
    stored: dict[tuple[str, str], Question] | None = None,
) -> Prepared:
    """Load and check everything a run can know before its first request; raise on the first problem. `stored`: the
    store's questions by (bench, id), when the questions to judge come from the store rather than from a bench
    (`seabench judge`)."""
    prompts = choose_prompts(spec.prompts, spec.judge_language, spec.rationale_language) if judging else None
    chosen = (spec.lang, spec.category, spec.limit, spec.limit_total, spec.tag)
    where = "the store's questions"
    if stored is None:
        bench = bench or load_bench(spec.bench)
        stored, where = {(bench.name, q.id): q for q in bench.questions}, f"bench {bench.name}"
    questions = select_questions(list(stored.values()), where, *chosen)
    if spec.shard:
        questions = in_shard(questions, spec.shard)
    scope = None
    if any(v is not None for v in chosen) or spec.shard:  # the selection holds `stored`'s own objects
        picked = {id(q) for q in questions}
        scope = frozenset(k for k, q in stored.items() if id(q) in picked)
    runs = spec.model_runs()
    if answers and not runs:
        raise SpecError("no models: give {models}")
    check_names(runs)
    judges = spec.judge_configs() if judging else []
    if judging and not judges:
        raise SpecError("no judge: give {judges}")
    if len({j.name for j in judges}) < len(judges):
        raise SpecError("two judges share a name; give each its own {judge_names}")
    prices = PriceTable(spec.run.prices)
    prepared = Prepared(spec, bench, questions, scope, runs, judges, prompts, prices)
    if judging:
        _check_pairwise(prepared)
        for cfg in judges:
            check_prompts(cfg, prepared.judging, questions)
    if report:
        from .report.formats import format_for  # reporting's imports (numpy, rich) wait until a report is asked for

        format_for(spec.out)
        check_folder(spec.out)
    check_prices([*runs, *judges], prices, spec.run.prices is not None)
    return prepared


def _check_pairwise(p: Prepared) -> None:
    spec = p.spec
    if spec.mode != "pairwise":
        return
    if (spec.baseline is not None) == spec.all_pairs:
        raise SpecError("pairwise judging needs exactly one of {baseline} or {all_pairs}")
    names = [r.name for r in p.runs]
    shipped = [p.bench.baseline_name] if p.bench is not None and p.bench.baseline_name else []
    if spec.baseline is not None and spec.baseline not in names and spec.baseline not in shipped:
        with Store.existing(spec.db) or nullcontext() as store:
            stored = sorted(store.models()) if store else []
        if p.runs and spec.baseline not in stored:  # `judge` (no runs) finds its stored models when it plans
            raise SpecError(
                "{baseline} '{name}' is not a model of this run, a stored model or the bench's shipped answers; "
                "known: {known}",
                name=spec.baseline,
                known=", ".join([*names, *stored, *shipped]) or "none",
            )
    if p.runs and len(set(names) | ({spec.baseline} if spec.baseline else set())) < 2:
        raise SpecError(
            "pairwise judging needs two models to compare; this run has one ({name}): add a {models}, or name a "
            "stored {baseline}",
            name=names[0],
        )


def check_prices(items: list[ModelRun | JudgeConfig], prices: PriceTable, own_table: bool) -> None:
    """A model at a provider's API that the price table does not know, a letter or two from one it does, is likely a
    typo: refuse it before anything is spent, unless a price file (--prices) was given. Other unknown models are said
    to be in the plan ("no price") and cost "unknown" in the summary."""
    if own_table:
        return
    for item in items:
        provider, _, model = item.spec.partition(":")
        if provider not in ("openai", "anthropic") or item.base_url or prices.lookup(item.spec):
            continue
        known = [k.partition(":")[2] for k in prices.prices if k.startswith(provider + ":")]
        near = difflib.get_close_matches(model, known, n=1, cutoff=0.85)
        if near:
            raise SpecError(
                "no price for {spec}: a typo? nearest: {provider}:{near}; give {prices} to price it as it is, or an "
                "endpoint of its own for a local server",
                spec=item.spec,
                provider=provider,
                near=near[0],
            )


# -- generate ------------------------------------------------------------------------------------------------


def generate_plan(p: Prepared) -> list[PlanRow]:
    """What `generate` would send, and the most it can cost; nothing is sent and no store is made."""
    with Store.existing(p.spec.db) or nullcontext() as store:
        plans = make_plans(store, p.runs, p.questions)
    return estimate_plan(
        plans, p.prices, chat_template=p.backend().chat_template, batch=p.spec.run.batch, tokenizer=p.spec.run.tokenizer
    )


PEER_POLL_S = 2.0
"""How often a run that finished its own share looks again at what other processes on the store claimed."""


def run_generate(p: Prepared, *, show_progress: bool = True) -> list[ModelResult]:
    if not (p.spec.db or default_db_path()).exists():
        # A new store: every model has everything to send, so keys and names are checked before the file is made;
        # a refused run leaves no empty store behind.
        check_access(p.runs, p.backend())
    with Store(p.spec.db) as store:
        results = generate(store, p.source, p.runs, p.questions, p.backend(), show_progress=show_progress, **p.runner())
        if any(r.stats.elsewhere for r in results):

            def again() -> None:
                nonlocal results
                more = generate(store, p.source, p.runs, p.questions, p.backend(), show_progress=False, **p.runner())
                results = [_merged(a, b) for a, b in zip(results, more)]

            def missing() -> dict[str, int]:
                return {plan.run.name: plan.remaining for plan in make_plans(store, p.runs, p.questions)}

            left = wait_for_peers(p, missing, again)
            results = [dataclasses.replace(r, left=left.get(r.name, 0)) for r in results]
    return results


def wait_for_peers(p: Prepared, missing: Callable[[], dict[str, int]], again: Callable[[], None]) -> dict[str, int]:
    """Work left to other processes on the store is not done yet: every PEER_POLL_S, run `again` (which takes over
    what a dead peer held: same host, its pid is gone; another host, its lease lapsed) while anyone makes progress.
    Returns what is still `missing` after a whole lease without progress."""
    lease = RetryPolicy(max_attempts=p.spec.run.max_attempts).lease(p.spec.run.timeout)
    left, deadline = missing(), time.monotonic() + lease
    while sum(left.values()) and time.monotonic() < deadline:
        time.sleep(PEER_POLL_S)
        again()
        now = missing()
        if sum(now.values()) < sum(left.values()):
            deadline = time.monotonic() + lease  # someone is storing work: keep waiting for them
        left = now
    return left


def _merged(first: ModelResult, again: ModelResult) -> ModelResult:
    """One model's result over a run and its look again: counts add up, `elsewhere` is what the last look left."""
    totals = {
        f.name: getattr(first.stats, f.name) + getattr(again.stats, f.name)
        for f in dataclasses.fields(first.stats)
        if isinstance(getattr(first.stats, f.name), (int, float)) and f.name != "elsewhere"
    }
    stats = dataclasses.replace(first.stats, **totals, elsewhere=again.stats.elsewhere)
    return dataclasses.replace(
        first,
        stats=stats,
        answers_stored=first.answers_stored + again.answers_stored,
        failures=[*first.failures, *again.failures],
    )


# -- judge ---------------------------------------------------------------------------------------------------


def judge_plans(p: Prepared, store: Store) -> list[tuple[JudgeConfig, JudgePlan, JudgeEstimate]]:
    """Each judge's plan over the stored answers and what it can cost; nothing is sent."""
    out = []
    for cfg in p.judges:
        judge_plan = plan(store, cfg, p.judging, p.scope)
        out.append((cfg, judge_plan, estimate(cfg, judge_plan, p.prices, batch=p.spec.run.batch)))
    return out


def run_judging(p: Prepared, store: Store, *, show_progress: bool = True) -> list[tuple[str, JudgePlan, JudgeResult]]:
    """Every judge in turn over the stored answers (language checks first, which the report and flags use)."""
    from .checks import run_checks  # numpy's import is for judging; generate goes without

    run_checks(store)
    plans = [(cfg, plan(store, cfg, p.judging, p.scope)) for cfg in p.judges]
    check_access(
        [cfg for cfg, judge_plan in plans if judge_plan.items], p.backend()
    )  # a panel's second key before the first pays
    done = []
    for cfg, judge_plan in plans:
        _, result = judge(
            store,
            cfg,
            p.judging,
            p.backend(),
            judge_plan=judge_plan,
            scope=p.scope,
            show_progress=show_progress,
            **p.runner(),
        )
        if result.stats.elsewhere:  # as for answers: wait for the peers, take over what a dead one left

            def again(cfg: JudgeConfig = cfg, result: JudgeResult = result) -> None:
                _, more = judge(store, cfg, p.judging, p.backend(), scope=p.scope, show_progress=False, **p.runner())
                result.stored, result.failed = result.stored + more.stored, [*result.failed, *more.failed]

            def missing(cfg: JudgeConfig = cfg) -> dict[str, int]:
                return {cfg.name: len(plan(store, cfg, p.judging, p.scope).items)}

            result.left = wait_for_peers(p, missing, again)[cfg.name]
        done.append((cfg.name, judge_plan, result))
    return done


# -- eval ----------------------------------------------------------------------------------------------------


def eval_plan(p: Prepared) -> tuple[list[PlanRow], list[tuple[JudgeConfig, JudgeEstimate]]]:
    """The plan and its most expensive outcome, per model and language, for both answers and judgments."""
    answer_tokens = max(r.settings.max_tokens for r in p.runs)
    judged = [
        (
            j,
            estimate_unanswered(
                j,
                p.judging,
                p.questions,
                [r.name for r in p.runs],
                answer_tokens,
                p.prices,
                batch=p.spec.run.batch,
            ),
        )
        for j in p.judges
    ]
    return generate_plan(p), judged


def run_eval(p: Prepared, *, show_progress: bool = True, settings: Settings = Settings()) -> EvalResult:
    from .aggregate.panel import panel_name  # the statistics' imports cost generate and judge a tenth of a second
    from .report.formats import format_for
    from .summarize import build

    check_access(
        p.judges, p.backend()
    )  # the judges will judge what is generated: a missing key must stop the run before it pays
    result = EvalResult(generated=run_generate(p, show_progress=show_progress))
    with Store(p.spec.db) as store:
        result.judged = run_judging(p, store, show_progress=show_progress)
        names = [j.name for j in p.judges]
        result.report = build(
            store,
            models=[r.name for r in p.runs],
            judge=names[0] if len(names) == 1 else panel_name(names),
            settings=settings,
            browser=format_for(p.spec.out) == "html",
            all_questions=p.spec.all_questions,
        )
    return result
