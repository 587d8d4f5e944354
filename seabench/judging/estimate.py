"""What a judge run will send and can cost, before it sends anything: per language, requests, estimated input tokens
(UTF-8 bytes ÷ 4), the most output tokens and the most it can cost."""

from __future__ import annotations

from collections import defaultdict

from ..backends.tokens import estimate as estimate_tokens
from ..pricing import PriceTable
from ..records import JudgeConfig, Message, Question
from .llm import price_of
from .plan import JudgePlan, pairs
from .prompts import PromptSet


def estimate(
    cfg: JudgeConfig, judge_plan: JudgePlan, prices: PriceTable | None = None, batch: bool = False
) -> dict[str, tuple[int, int, int, float | None]]:
    """Per language: (requests, estimated input tokens (UTF-8 bytes ÷ 4), max output tokens, max cost)."""
    price = price_of(cfg, prices, batch)
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for item in judge_plan.items:
        cell = out[item.question.lang]
        cell[0] += 1
        cell[1] += estimate_tokens(item.messages)
        cell[2] += cfg.settings.max_tokens
    return {lang: (n, tin, tout, price.cost_of(tin, tout) if price else None) for lang, (n, tin, tout) in out.items()}


def estimate_unanswered(
    cfg: JudgeConfig,
    prompts: PromptSet,
    questions: list[Question],
    models: list[str],
    answer_tokens: int,
    prices: PriceTable | None = None,
    batch: bool = False,
) -> dict[str, tuple[int, int, int, float | None]]:
    """Before any answer exists: judge requests per language, with every answer counted at `answer_tokens`."""
    price = price_of(cfg, prices, batch)
    groups = len(models) if cfg.mode == "single" else 2 * len(pairs(cfg, models))
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for q in questions:
        for turn in range(1, min(len(q.turns), 2) + 1):
            prompt = prompts.for_lang(q.lang).pick(
                "single" if cfg.mode == "single" else "pairwise", turn, q.reference(turn) is not None
            )
            if prompt is None:
                continue
            text = (
                prompt.system
                + prompt.template
                + "".join(q.turns[:turn])
                + "".join(r or "" for r in (q.references or ())[:turn])
            )
            answers = turn * (1 if cfg.mode == "single" else 2) * answer_tokens
            n = groups * cfg.samples
            cell = out[q.lang]
            cell[0] += n
            cell[1] += n * (estimate_tokens([Message(role="user", content=text)]) + answers)
            cell[2] += n * cfg.settings.max_tokens
    return {lang: (n, tin, tout, price.cost_of(tin, tout) if price else None) for lang, (n, tin, tout) in out.items()}
