"""What a judge run will send and can cost, before it sends anything: per language, requests, input tokens (the
judge's own tokenizer where it runs here, else UTF-8 bytes ÷ 4), the most output tokens and the most it can cost; and
the bound if every reply lacked its verdict and was re-asked."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..backends.tokens import ChatCounter, chat_counter
from ..pricing import PriceTable
from ..records import JudgeConfig, Message, Question
from .llm import REASK, price_of
from .plan import JudgePlan, pairs
from .prompts import PromptSet

PerLang = dict[str, tuple[int, int, int, float | None]]


@dataclass(frozen=True)
class JudgeEstimate:
    per_lang: PerLang
    """Per language: requests, input tokens, the most output tokens and the most it can cost, each judgment asked
    once."""
    counted: str
    """How input tokens were counted, in words."""
    reasked: tuple[int, int, int, float | None]
    """In all, if every reply lacked its verdict: each judgment asked 1 + max_reasks times, each re-ask carrying the
    conversation so far plus a reply at --judge-max-tokens and the re-ask itself (requests, input, output, cost)."""


def estimate(
    cfg: JudgeConfig, judge_plan: JudgePlan, prices: PriceTable | None = None, batch: bool = False
) -> JudgeEstimate:
    counter, source = chat_counter(cfg.spec)
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for item in judge_plan.items:
        cell = out[item.question.lang]
        cell[0] += 1
        cell[1] += counter(item.messages)
        cell[2] += cfg.settings.max_tokens
    return _estimate(cfg, out, source, counter, prices, batch)


def estimate_unanswered(
    cfg: JudgeConfig,
    prompts: PromptSet,
    questions: list[Question],
    models: list[str],
    answer_tokens: int,
    prices: PriceTable | None = None,
    batch: bool = False,
) -> JudgeEstimate:
    """Before any answer exists: judge requests per language, with every answer counted at `answer_tokens`."""
    counter, source = chat_counter(cfg.spec)
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
            cell[1] += n * (counter([Message(role="user", content=text)]) + answers)
            cell[2] += n * cfg.settings.max_tokens
    return _estimate(cfg, out, source, counter, prices, batch)


def _estimate(
    cfg: JudgeConfig,
    out: dict[str, list[int]],
    source: str,
    counter: ChatCounter,
    prices: PriceTable | None,
    batch: bool,
) -> JudgeEstimate:
    price = price_of(cfg, prices, batch)
    per_lang = {
        lang: (n, tin, tout, price.cost_of(tin, tout) if price else None) for lang, (n, tin, tout) in out.items()
    }
    # Every reply without its verdict: re-ask k carries k replies at the length limit and k re-ask messages more.
    n, tin = sum(v[0] for v in out.values()), sum(v[1] for v in out.values())
    r, most = cfg.max_reasks, cfg.settings.max_tokens
    ask = counter([Message(role="user", content=REASK.format(fmt="[[rating]]"))])
    grown = r * (r + 1) // 2 * (most + ask)
    bound_in, bound_out = (r + 1) * tin + n * grown, n * (r + 1) * most
    reasked = (n * (r + 1), bound_in, bound_out, price.cost_of(bound_in, bound_out) if price else None)
    counted = "with the judge's tokenizer" if source == "tokenizer" else "as UTF-8 bytes ÷ 4"
    return JudgeEstimate(per_lang, counted, reasked)
