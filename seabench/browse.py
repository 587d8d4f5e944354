"""What a report shows besides its statistics, read from the store: the run's facts (bench hashes, prompts, each
model's settings), tokens and cost per model and judge, and every question with its answers, verdicts and ratings
for the HTML answer browser."""

from __future__ import annotations

from collections import defaultdict

from .judging.verdicts import injection_flags
from .records import (
    Answer,
    BrowserAnswer,
    BrowserJudgment,
    BrowserQuestion,
    BrowserRating,
    Judgment,
    LanguageCheck,
    Question,
    Rating,
    RunFacts,
    ScriptHealth,
    UsageRow,
)
from .store import Store


def run_facts(store: Store, questions: dict[tuple[str, str], Question], judgments: list[Judgment]) -> RunFacts:
    from datetime import datetime, timezone

    from . import __version__
    from .store import content_key

    benches = []
    for name in sorted({b for b, _ in questions}):
        qs = sorted((q.model_dump_json() for (b, _), q in questions.items() if b == name))
        benches.append((name, content_key("bench", qs)[:12], len(qs)))
    prompts: dict[str, set[str]] = defaultdict(set)
    for j in judgments:
        prompts[j.judge].add(j.prompt)
    models = []
    for name, (spec, s) in store.models().items():
        system = f", system prompt: {s.system_prompt[:60]}" if s.system_prompt else ""
        sampling = "".join(f", {k}={v}" for k, v in s.sampling)
        models.append((name, spec, f"temperature {s.temperature:g}, max tokens {s.max_tokens}{sampling}{system}"))
    return RunFacts(
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        version=__version__,
        benches=tuple(benches),
        judges=tuple((j, ", ".join(sorted(p))) for j, p in sorted(prompts.items())),
        models=tuple(models),
        judge_runs=tuple((r.name, r.spec, r.prompts, r.prompts_hash) for r in store.judges() if r.name in prompts),
    )


def usage(store: Store, answers: list[Answer], judgments: list[Judgment]) -> list[UsageRow]:
    failures: dict[tuple[str, str], int] = defaultdict(int)
    for f in store.failures():
        failures[f.role, f.model] += 1
    rows = []
    by_model: dict[str, list[Answer]] = defaultdict(list)
    for a in answers:
        by_model[a.model].append(a)
    baselines = store.baselines()
    for model, items in sorted(by_model.items()):
        costs = [a.cost_usd for a in items if a.cost_usd is not None]
        flagged = sum(bool(injection_flags(a.text)) for a in items)
        rows.append(
            UsageRow(
                name=model,
                role="baseline" if model in baselines else "candidate",
                items=len(items),
                failures=failures["candidate", model],
                unscored=0,
                flagged=flagged,
                input_tokens=sum(a.usage.input_tokens or 0 for a in items),
                output_tokens=sum(a.usage.output_tokens or 0 for a in items),
                cost_usd=sum(costs) if costs else None,
            )
        )
    by_judge: dict[str, list[Judgment]] = defaultdict(list)
    for j in judgments:
        by_judge[j.judge].append(j)
    for judge, made in sorted(by_judge.items()):
        costs = [j.cost_usd for j in made if j.cost_usd is not None]
        rows.append(
            UsageRow(
                name=judge,
                role="judge",
                items=len(made),
                failures=failures["judge", judge],
                unscored=sum(not j.scored for j in made),
                flagged=0,
                input_tokens=sum(j.usage.input_tokens or 0 for j in made),
                output_tokens=sum(j.usage.output_tokens or 0 for j in made),
                cost_usd=sum(costs) if costs else None,
            )
        )
    return rows


def browser_questions(
    questions: dict[tuple[str, str], Question],
    answers: list[Answer],
    judgments: list[Judgment],
    checks: dict[str, LanguageCheck],
    health: dict[str, ScriptHealth],
    ratings: list[Rating],
) -> list[BrowserQuestion]:
    verdicts: dict[tuple, list[BrowserJudgment]] = defaultdict(list)
    human: dict[tuple, list[BrowserRating]] = defaultdict(list)
    for r in ratings:
        human[(r.bench, r.question_id, r.turn, r.model)].append(
            BrowserRating(annotator=r.annotator, score=r.score, comment=r.comment)
        )
    for j in judgments:
        if j.kind == "single":
            verdict = f"{j.score:g}" if j.score is not None else "unscored"
            verdicts[(j.bench, j.question_id, j.turn, j.model)].append(
                BrowserJudgment(judge=j.judge, verdict=verdict, text=j.judgment, flags=j.flags, score=j.score)
            )
        else:
            for model, pos in ((j.model, "A"), (j.model_b, "B")):
                other = j.model_b if pos == "A" else j.model
                verdict = (
                    "unscored"
                    if j.winner is None
                    else ("tie" if j.winner == "tie" else ("won" if j.winner == pos else "lost"))
                )
                verdicts[(j.bench, j.question_id, j.turn, model)].append(
                    BrowserJudgment(
                        judge=j.judge, verdict=f"{verdict} vs {other} (shown {pos})", text=j.judgment, flags=j.flags
                    )
                )
    by_q: dict[tuple, list[BrowserAnswer]] = defaultdict(list)
    for a in answers:
        check = checks.get(a.key)
        lang = f"{check.verdict} ({check.detected})" if check else "not checked"
        flags = tuple(health[a.key].flags) if a.key in health else ()
        item = (a.bench, a.question_id, a.turn, a.model)
        by_q[(a.bench, a.question_id)].append(
            BrowserAnswer(
                model=a.model,
                turn=a.turn,
                text=a.text,
                chars=len(a.text),
                language=lang,
                health=flags,
                judgments=tuple(verdicts.get(item, ())),
                ratings=tuple(human.get(item, ())),
                injection=bool(injection_flags(a.text)),
            )
        )
    out = []
    for (bench, qid), items in sorted(by_q.items()):
        q = questions.get((bench, qid))
        if q is None:
            continue
        out.append(
            BrowserQuestion(
                bench=bench,
                question_id=qid,
                lang=q.lang,
                category=q.category,
                turns=q.turns,
                references=q.references,
                answers=tuple(sorted(items, key=lambda x: (x.model, x.turn))),
            )
        )
    return out
