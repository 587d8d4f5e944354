"""What a judge will be asked: the plan of (question, turn, models, sample) items still to judge, each with its rendered
prompt and the keys that make it resumable, and the checks on the prompts that run before any request.

Each judgment's key hashes the request (judge, settings, rendered prompt, sample) and what is judged (the models in
position order and their answers' keys), so a re-run sends only what is missing and two models that answered alike
still get a judgment each. Pairwise always plays both orders.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Literal

from ..backends import parse_spec
from ..errors import ConfigError, SpecError
from ..records import JudgeConfig, Message, Question
from ..store import Store, content_key, judgment_key
from .prompts import JudgePrompt, PromptSet, item_values
from .verdicts import injection_flags


@dataclass
class JudgeItem:
    key: str
    request_key: str
    answer_keys: tuple[tuple[str, ...], ...]
    kind: Literal["single", "pairwise"]
    question: Question
    bench: str
    turn: int
    models: tuple[str, ...]
    sample: int
    prompt: JudgePrompt
    messages: list[Message]
    flags: tuple[str, ...]
    attempts: int = 1
    replies: list[str] = field(default_factory=list)


@dataclass
class JudgePlan:
    items: list[JudgeItem]
    total: int
    """Items in scope, judged before or not."""
    missing_answers: int
    """Items skipped because an answer they need is not stored yet."""
    no_baseline: int = 0
    """Items skipped because the bench's shipped baseline has no answer for that turn (it ships the first turn only)."""


def pairs(cfg: JudgeConfig, models: list[str]) -> list[tuple[str, str]]:
    if cfg.baseline:
        return [(m, cfg.baseline) for m in models if m != cfg.baseline]
    if cfg.all_pairs:
        return list(itertools.combinations(models, 2))
    raise SpecError("pairwise judging needs {baseline} or {all_pairs}")


def plan(
    store: Store, cfg: JudgeConfig, prompts: PromptSet, scope: frozenset[tuple[str, str]] | None = None
) -> JudgePlan:
    """What `cfg` has left to judge among the stored answers: of every stored question, or of the (bench, question
    id) pairs in `scope`, the run's selection (`--lang`, `--category`, `--tag`, `--limit`…)."""
    prompts.require(cfg.mode)
    parse_spec(cfg.spec)
    answers = store.latest_answers()
    stored_models = sorted({m for m, *_ in answers})
    baselines = store.baselines()
    # A bench's shipped baseline is judged against, never graded as a candidate unless named.
    models = list(cfg.models) if cfg.models else [m for m in stored_models if m not in baselines]
    unknown = [m for m in models if m not in stored_models]
    if unknown:
        raise ConfigError(
            f"no stored answers for model(s) {', '.join(unknown)}; stored: {', '.join(stored_models) or 'none'}"
        )
    if cfg.mode == "pairwise" and cfg.baseline:
        if cfg.baseline not in stored_models:
            raise ConfigError(
                f"baseline '{cfg.baseline}' has no stored answers; stored models: {', '.join(stored_models)}"
            )
        if cfg.baseline not in models:
            models.append(cfg.baseline)
    done = store.judgment_keys(cfg.name)
    _one_prompt_set(store, cfg.name, prompts)
    questions = store.questions()
    items, total, missing, no_baseline = [], 0, 0, 0
    groups = (
        [(m,) for m in models] if cfg.mode == "single" else [g for a, b in pairs(cfg, models) for g in ((a, b), (b, a))]
    )
    for (bench, qid), q in sorted(questions.items()):
        if scope is not None and (bench, qid) not in scope:
            continue
        for turn in range(1, min(len(q.turns), 2) + 1):
            for group in groups:
                texts = [[answers.get((m, bench, qid, t)) for t in range(1, turn + 1)] for m in group]
                if any(a is None for chain in texts for a in chain):
                    lacking = {m for m, chain in zip(group, texts) if any(a is None for a in chain)}
                    if lacking <= baselines and all(answers.get((m, bench, qid, 1)) for m in lacking):
                        no_baseline += (
                            cfg.samples
                        )  # the bench ships its baseline's first turn only: nothing to wait for
                    elif any(a is not None for chain in texts for a in chain):
                        missing += cfg.samples
                    continue
                chains = [[a.text for a in chain] for chain in texts]  # type: ignore[union-attr]
                own = prompts.for_lang(q.lang)
                prompt = own.pick("single" if cfg.mode == "single" else "pairwise", turn, q.reference(turn) is not None)
                assert prompt is not None  # require() made sure
                values = item_values(prompt, own, q, turn) | _answer_values(cfg.mode, turn, chains)
                _check_aspects(prompt, own, q)
                system, user = prompt.render(values)
                messages = [Message(role="system", content=system), Message(role="user", content=user)]
                flags = tuple(
                    sorted(
                        {
                            (f"{'AB'[i]}:" if cfg.mode == "pairwise" else "") + flag
                            for i, chain in enumerate(chains)
                            for flag in injection_flags(chain[-1])
                        }
                    )
                )
                answer_keys = tuple(tuple(a.key for a in chain) for chain in texts)  # type: ignore[union-attr]
                for sample in range(cfg.samples):
                    total += 1
                    request = content_key(
                        "judgment/v1",
                        {
                            "judge": cfg.name,
                            "spec": cfg.spec,
                            "settings": cfg.settings.model_dump(),
                            "prompt": prompt.name,
                            "system": system,
                            "user": user,
                            "sample": sample,
                        },
                    )
                    key = judgment_key(request, group, answer_keys)
                    if key not in done:
                        items.append(
                            JudgeItem(
                                key,
                                request,
                                answer_keys,
                                cfg.mode,
                                q,
                                bench,
                                turn,
                                group,
                                sample,
                                prompt,
                                messages,
                                flags,
                            )
                        )
    return JudgePlan(items, total, missing, no_baseline)


def _one_prompt_set(store: Store, judge: str, prompts: PromptSet) -> None:
    """One judge name, one set of prompts: judgments of two prompt sets under one name would pool as samples."""
    stored = store.judgment_prompts(judge)
    if not stored:
        return
    foreign = sorted(stored - prompts.names_used)
    hashes = {r.prompts_hash for r in store.judges() if r.name == judge}
    if foreign or (hashes and prompts.digest not in hashes):
        what = (
            f"prompts {', '.join(foreign[:3])}{'…' if len(foreign) > 3 else ''}"
            if foreign
            else "prompts worded otherwise"
        )
        raise ConfigError(
            f"judge '{judge}' already has judgments from {what} than these ({prompts.source}, hash {prompts.digest}); "
            "give it a new name so the report keeps the two apart"
        )


def _answer_values(mode: str, turn: int, chains: list[list[str]]) -> dict[str, str]:
    if mode == "single":
        (chain,) = chains
        return {"answer": chain[0], "answer_1": chain[0]} | ({"answer_2": chain[1]} if turn == 2 else {})
    a, b = chains
    values = {"answer_a": a[0], "answer_b": b[0], "answer_a_1": a[0], "answer_b_1": b[0]}
    if turn == 2:
        values |= {"answer_a_2": a[1], "answer_b_2": b[1]}
    return values


def _check_aspects(prompt: JudgePrompt, prompts: PromptSet, q: Question) -> None:
    if "priority_aspect" in prompt.fields and prompts.aspects and q.category not in prompts.aspects:
        raise ConfigError(
            f"{prompts.source}: prompt '{prompt.name}' needs a priority aspect for category '{q.category}', "
            f"which the aspects file lacks (it has: {', '.join(sorted(prompts.aspects))})"
        )


def check_prompts(cfg: JudgeConfig, prompts: PromptSet, questions: list[Question]) -> None:
    """Every question's prompt renders for this judge's mode, each turn it will be judged on — before any request: a
    missing placeholder, prompt or priority aspect is found here, not after the answers are paid for."""
    prompts.require(cfg.mode)
    kind = "single" if cfg.mode == "single" else "pairwise"
    for q in questions:
        own = prompts.for_lang(q.lang)
        for turn in range(1, min(len(q.turns), 2) + 1):
            prompt = own.pick(kind, turn, q.reference(turn) is not None)
            if prompt is None:
                raise ConfigError(f"{prompts.source}: no {kind} prompt for turn {turn} of question {q.id} ({q.lang})")
            _check_aspects(prompt, own, q)
            chains = [["…"] * turn] * (1 if kind == "single" else 2)
            try:
                prompt.render(item_values(prompt, own, q, turn) | _answer_values(cfg.mode, turn, chains))
            except (KeyError, IndexError, ValueError) as e:
                raise ConfigError(
                    f"{prompts.source}: prompt '{prompt.name}' cannot be filled for question {q.id} ({e})"
                ) from None
