"""Stage 5: read the store once, put everything through the statistics, and return one `Report`.

Terminal, CSV, JSON, Markdown and HTML are all formatted from that Report, so they never disagree; this is the only
place between the store and the report layer.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from .aggregate import (
    Obs,
    Settings,
    agreement,
    answer_lengths,
    compare,
    health_rates,
    judge_choice,
    language_rates,
    length_controlled,
    observations,
    outcomes,
    pair_outcomes,
    pairwise,
    position_bias,
    safety_split,
    self_preference,
    single_scores,
    style_controlled,
)
from .aggregate.checkpoints import series, step_of
from .aggregate.common import ALL
from .aggregate.discrimination import discrimination
from .aggregate.panel import panel_members, panel_observations, panel_outcomes
from .aggregate.style import answer_styles
from .backends import model_family
from .browse import browser_questions, run_facts, usage
from .errors import ConfigError, SpecError
from .records import (
    Answer,
    CompareCell,
    Coverage,
    Difference,
    Judgment,
    LeaderRow,
    PairRating,
    Question,
    Rating,
    Report,
)
from .store import Store


def build(
    store: Store,
    *,
    models: list[str] | None = None,
    judge: str | list[str] | None = None,
    settings: Settings = Settings(),
    browser: bool = False,
    all_questions: bool = False,
    checkpoints: bool = False,
) -> Report:
    """The whole report from the store. Rankings use the questions every listed candidate answered, unless
    `all_questions`; a panel's name stands for its members, their panel and any human ratings. `checkpoints`: the
    models whose names end in a step (ckpt-2000) make a series, with its own section."""
    chosen = judge if isinstance(judge, str) else None
    questions = store.questions()
    answers, judgments, ratings, pair_ratings, baselines = _select(store, models, judge)
    candidates = models or sorted(
        {a.model for a in answers} | {j.model for j in judgments} | {r.model for r in ratings} - baselines
    )
    coverage, common = _coverage(candidates, answers, judgments, ratings, all_questions)
    obs = [o for o in observations(judgments, ratings) if common is None or (o.bench, o.question_id) in common]
    obs += panel_observations(obs)  # two or more LLM judges: their panel is one more judge
    cells, leaders = single_scores(obs, questions, settings)
    who = _Identities.of(store)
    leaders = who.flag(leaders)
    judged_pairs = [o for o in pair_outcomes(judgments) if common is None or (o.bench, o.question_id) in common]
    pair_results = outcomes(
        [*judged_pairs, *panel_outcomes(judged_pairs)],
        [p for p in pair_ratings if common is None or (p.bench, p.question_id) in common],
    )
    pair_cells, bt = pairwise(pair_results, questions, settings)
    # Agreement compares each judge with the others and with people, not a panel with its own members.
    agree = agreement(judgments, ratings, outcomes(pair_outcomes(judgments), pair_ratings), questions, settings)
    index = {
        a.key: (a.model, questions[(a.bench, a.question_id)].lang)
        for a in answers
        if (a.bench, a.question_id) in questions
    }
    checks = store.language_checks()
    health = store.script_health()
    styles, unit = answer_styles(answers)
    style_ratings, style_coefs = style_controlled(pair_results, styles, questions, settings, length_unit=unit)
    judges = sorted(
        {j.judge for j in judgments}
        | {c.judge for c in cells}
        | {p.judge for p in pair_results}
        | ({"human"} if ratings or pair_ratings else set())
    )
    primary = chosen or primary_judge([c.judge for c in cells] + [p.judge for p in pair_results])
    scored = sorted({r.model for r in leaders if r.judge == primary and r.mean is not None} - baselines)
    steps = _steps(candidates) if checkpoints else {}
    series_rows, changes = series(cells, obs, questions, steps, primary, settings) if steps and primary else ([], [])
    return Report(
        settings=settings,
        facts=run_facts(store, questions, judgments),
        primary_judge=primary,
        coverage=coverage,
        differences=tuple(differences(obs, questions, leaders, primary, settings)),
        models=tuple(sorted({a.model for a in answers} | {c.model for c in cells})),
        judges=tuple(judges),
        baselines=tuple(sorted(baselines)),
        leaderboard=tuple(leaders),
        cells=tuple(cells),
        pairs=tuple(pair_cells),
        ratings=tuple(bt),
        agreement=tuple(agree),
        language=tuple(language_rates(checks, index)),
        health=tuple(health_rates(health, checks, index)),
        lengths=tuple(answer_lengths(answers, questions)),
        safety=tuple(safety_split(obs, questions, settings)),
        position=tuple(position_bias(judgments, questions)),
        judge_choice=tuple(judge_choice(agree)),
        self_preference=tuple(self_preference(judgments, who.judge_families, who.families, questions)),
        style_ratings=tuple(style_ratings),
        style_coefs=tuple(style_coefs),
        length_control=tuple(
            length_controlled(
                pair_results,
                {(a.model, a.bench, a.question_id, a.turn): len(a.text) for a in answers},
                questions,
                settings,
            )
        ),
        tokens=tuple(store.token_stats()),
        usage=tuple(usage(store, answers, judgments)),
        browser=tuple(browser_questions(questions, answers, judgments, checks, health, ratings)) if browser else (),
        discrimination=tuple(discrimination(obs, questions, primary, scored)) if primary else (),
        checkpoints=tuple(series_rows),
        checkpoint_changes=tuple(changes),
    )


def primary_judge(judges: list[str]) -> str | None:
    """The judge a headline stands on: a panel when there is one, else the LLM judge with the most scored cells, else
    human ratings."""
    counts = Counter(judges)
    panels = sorted(j for j in counts if panel_members(j))
    if panels:
        return panels[0]
    llm = sorted((j for j in counts if j != "human"), key=lambda j: (-counts[j], j))
    return llm[0] if llm else ("human" if "human" in counts else None)


def _coverage(
    candidates: list[str], answers: list[Answer], judgments: list[Judgment], ratings: list[Rating], all_questions: bool
) -> tuple[Coverage | None, set[tuple[str, str]] | None]:
    """(what the rankings cover, the questions to keep — None for every question)."""
    answered: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for a in answers:
        answered[a.model].add((a.bench, a.question_id))
    for m in candidates:
        if m not in answered:  # judged without stored answers (an import): its judged questions stand for its answers
            answered[m] = {(j.bench, j.question_id) for j in judgments if m in (j.model, j.model_b)} | {
                (r.bench, r.question_id) for r in ratings if r.model == m
            }
    own = [answered[m] for m in candidates]
    if not own:
        return None, None
    union = set().union(*own)
    common = set.intersection(*own)
    left_out = tuple((m, len(union - answered[m])) for m in candidates if union - answered[m])
    keep_all = all_questions or not common
    coverage = Coverage(
        questions=len(union), common=len(common), left_out=left_out, all_questions=keep_all and bool(left_out)
    )
    return coverage, None if keep_all or not left_out else common


def _steps(models: list[str]) -> dict[str, int]:
    """The models that are checkpoints of one run: those whose names end in a step; two or more, or it is no series."""
    steps = {m: s for m in models if (s := step_of(m)) is not None}
    if len(steps) < 2:
        raise ConfigError(
            "a checkpoint series needs two or more models whose names end in their step (ckpt-1000, step_2000, "
            f"run@3k); models here: {', '.join(models) or 'none'}"
        )
    return steps


def differences(
    obs: list[Obs],
    questions: dict[tuple[str, str], Question],
    leaders: list[LeaderRow],
    judge: str | None,
    settings: Settings,
) -> list[Difference]:
    """Every significant gap between two models under `judge`, by `compare`'s paired test: overall first, then the
    largest."""
    ranked = [r.model for r in leaders if r.judge == judge and r.mean is not None]
    found = []
    for i, a in enumerate(ranked):
        for b in ranked[i + 1 :]:
            for c in compare(obs, questions, a, b, judge or "", settings, min_n=settings.min_n):
                if c.significant and c.diff is not None and c.p_adj is not None:
                    hi, lo = (a, b) if c.diff > 0 else (b, a)
                    sign = 1 if c.diff > 0 else -1
                    bounds = sorted(sign * v for v in (c.ci_low, c.ci_high) if v is not None)
                    found.append(
                        Difference(
                            model_a=hi,
                            model_b=lo,
                            judge=judge or "",
                            lang=c.lang,
                            category=c.category,
                            questions=c.n,
                            diff=abs(c.diff),
                            ci_low=bounds[0] if len(bounds) == 2 else None,
                            ci_high=bounds[1] if len(bounds) == 2 else None,
                            p_adj=c.p_adj,
                        )
                    )
    return sorted(found, key=lambda d: ((d.lang, d.category) != (ALL, ALL), -d.diff))


def _select(
    store: Store, models: list[str] | None, judge: str | list[str] | None
) -> tuple[list[Answer], list[Judgment], list[Rating], list[PairRating], set[str]]:
    """What the report covers: these models (and the bench's baseline, every candidate's opponent), these judges (a
    panel's name stands for its members, their panel and any human ratings)."""
    if isinstance(judge, str) and panel_members(judge):
        judge = [*(panel_members(judge) or []), "human"]
    stored_answers = store.answers()
    if models:
        known_models(models, {a.model for a in stored_answers} | {j.model for j in store.judgments()}, store)
    baselines = store.baselines()
    # A bench's shipped baseline is every candidate's opponent: choosing candidates keeps it, its games and its answers.
    opponents = [*models, *sorted(baselines)] if models else None
    answers = [a for a in stored_answers if _in(opponents, a.model)]
    judgments = [j for j in store.judgments() if _keep(j.judge, judge) and _in(opponents, j.model, j.model_b)]
    ratings = [r for r in store.ratings() if _keep("human", judge) and _in(models, r.model)]
    pair_ratings = [p for p in store.pair_ratings() if _keep("human", judge) and _in(opponents, p.model_a, p.model_b)]
    if isinstance(judge, str) and not judgments and not ratings and not pair_ratings:
        known = sorted(
            {j.judge for j in store.judgments()} | ({"human"} if store.ratings() or store.pair_ratings() else set())
        )
        raise ConfigError(f"no judgments by '{judge}' in {store.path}; judges there: {', '.join(known) or 'none'}")
    return answers, judgments, ratings, pair_ratings, baselines


@dataclass
class _Identities:
    """Each stored model's and judge's spec and family, read once: self-judging flags and self-preference use them."""

    specs: dict[str, str]
    judge_specs: dict[str, str]

    @classmethod
    def of(cls, store: Store) -> _Identities:
        return cls({name: spec for name, (spec, _) in store.models().items()}, {r.name: r.spec for r in store.judges()})

    @property
    def families(self) -> dict[str, str]:
        return {name: model_family(spec, name) for name, spec in self.specs.items()}

    @property
    def judge_families(self) -> dict[str, str]:
        return {name: model_family(spec) for name, spec in self.judge_specs.items()}

    def flag(self, rows: list[LeaderRow]) -> list[LeaderRow]:
        """Each leaderboard row, flagged when its judge graded its own model or its own family's."""
        families, judge_families = self.families, self.judge_families
        out = []
        for row in rows:
            same = None
            if row.judge in self.judge_specs and row.model in self.specs:
                if self.judge_specs[row.judge] == self.specs[row.model]:
                    same = "same model"
                elif judge_families[row.judge] == families[row.model]:
                    same = "same family"
            out.append(row.model_copy(update={"self_judged": same}) if same else row)
        return out


def _keep(name: str, wanted: str | list[str] | None) -> bool:
    return wanted is None or (name == wanted if isinstance(wanted, str) else name in wanted)


def _in(models: list[str] | None, *names: str | None) -> bool:
    return not models or all(n in models for n in names if n is not None)


def known_models(wanted: list[str], stored: set[str], store: Store) -> None:
    """Every name asked for is a stored model; otherwise one line naming the strangers and the stored names."""
    unknown = [m for m in wanted if m not in stored]
    if unknown:
        raise ConfigError(
            f"no model named {', '.join(unknown)} in {store.path}; stored: {', '.join(sorted(stored)) or 'none'}"
        )


def compare_models(
    store: Store, model_a: str, model_b: str, judge: str | None = None, settings: Settings = Settings(), min_n: int = 30
) -> tuple[str, list[CompareCell]]:
    obs = observations(store.judgments(kind="single"), store.ratings())
    return compare_observed(obs, store.questions(), model_a, model_b, judge, settings, min_n, str(store.path))


def compare_observed(
    obs: list[Obs],
    questions: dict[tuple[str, str], Question],
    model_a: str,
    model_b: str,
    judge: str | None,
    settings: Settings,
    min_n: int,
    where: str,
) -> tuple[str, list[CompareCell]]:
    """`compare` over score observations, from a store or a results file (`where` names it)."""
    if model_a == model_b:
        raise ConfigError(f"compare needs two different models, not '{model_a}' twice")
    judges = sorted({o.judge for o in obs if o.model in (model_a, model_b)})
    for m in (model_a, model_b):
        if not any(o.model == m for o in obs):
            raise ConfigError(f"no single-score judgments for model '{m}' in {where}")
    if judge is None:
        if len(judges) != 1:
            raise SpecError(
                "several judges scored these models ({names}); choose one with {judge_name}", names=", ".join(judges)
            )
        judge = judges[0]
    elif judge not in judges:
        raise ConfigError(f"judge '{judge}' scored neither model; judges: {', '.join(judges)}")
    return judge, compare(obs, questions, model_a, model_b, judge, settings, min_n=min_n)
