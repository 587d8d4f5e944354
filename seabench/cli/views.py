"""Rich renderings for the terminal. Untrusted text (questions, answers) is never parsed as markup."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI imports no library module at start-up
    from ..evaluate import EvalResult, Prepared
    from ..generate import ModelResult
    from ..judging.estimate import JudgeEstimate
    from ..judging.llm import JudgeResult
    from ..judging.plan import JudgePlan
    from ..records import JudgeConfig, PlanRow
    from ..runner import RunStats

import os
import sys

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..languages import NAMES, lang_sort_key
from ..records import Bench, BenchCell, Question
from ..report.tables import SHORT
from ..words import plural


def bench_stats_table(bench: Bench, cells: list[BenchCell]) -> Table:
    """A language × category grid, the shorter dimension across; each cell: n (2+ turns · with reference), and how
    many are tagged `hard` where the bench tags any."""
    langs = list(dict.fromkeys(c.lang for c in cells))
    from ..bench import category_order

    order = category_order(bench)
    cats = sorted(dict.fromkeys(c.category for c in cells), key=lambda c: order.index(c) if c in order else len(order))
    by_key = {(c.lang, c.category): c for c in cells}
    lang_rows = len(cats) <= len(langs)
    rows, cols = (langs, cats) if lang_rows else (cats, langs)
    hard = any(c.hard for c in cells)
    table = Table(
        title=f"{bench.name}: {sum(c.questions for c in cells)} questions in {len(cells)} cells",
        caption="n (2+ turns·with reference" + ("·tagged hard)" if hard else ")"),
    )
    table.add_column("lang" if lang_rows else "category", no_wrap=True)
    for col in cols:
        table.add_column(SHORT.get(col, col), justify="right", no_wrap=True)
    table.add_column("all", justify="right", style="bold")
    for row_key in rows:
        label = f"{row_key} {NAMES.get(row_key, '')[:10]}" if lang_rows else SHORT.get(row_key, row_key)
        row = [Text(label)]
        for col in cols:
            cell = by_key.get((row_key, col) if lang_rows else (col, row_key))
            row.append(_cell_text(cell, hard) if cell else Text("–", style="dim"))
        row.append(Text(str(sum(c.questions for c in cells if (c.lang if lang_rows else c.category) == row_key))))
        table.add_row(*row)
    return table


def _cell_text(cell: BenchCell, hard: bool) -> Text:
    text = Text(str(cell.questions))
    text.append(f" ({cell.multi_turn}·{cell.with_reference}" + (f"·{cell.hard})" if hard else ")"), style="dim")
    return text


def question_view(question: Question) -> Group:
    """Every turn and reference in full. Text is soft-wrapped by the terminal, never cut inside a cluster."""
    parts: list[Text] = [
        Text.assemble(
            (f"{question.id}", "bold"),
            f"  {question.lang} ({NAMES.get(question.lang, '?')}) · {question.category} · {len(question.turns)} turn(s)"
            + "".join(f" · {tag}" for tag in question.tags),
        )
    ]
    for i, turn in enumerate(question.turns, start=1):
        parts += [Text(f"\nTurn {i} — user", style="bold cyan"), Text(turn)]
        ref = question.reference(i)
        if ref:
            parts += [Text(f"Turn {i} — reference answer", style="bold green"), Text(ref)]
    if question.baseline:
        parts += [Text("\nBaseline answer", style="bold yellow"), Text(question.baseline)]
    return Group(*parts)


def console(stderr: bool = False) -> Console:
    """A console for our output; when it goes to a file or a pipe, wide enough for the report's grids."""
    stream = sys.stderr if stderr else sys.stdout
    # A terminal, or a COLUMNS the user set, says the width; a pipe or a file gets room for the grids.
    width = None if stream.isatty() or os.environ.get("COLUMNS", "").isdigit() else 160
    return Console(stderr=stderr, highlight=False, soft_wrap=True, width=width)


def plan_table(rows: list[PlanRow], batch: bool = False) -> Table:
    """`generate --dry-run`: requests, estimated tokens and the most it can cost, per model × language."""
    sources = sorted({r.token_source for r in rows})
    how = " and ".join({"tokenizer": "the model's tokenizer", "estimate": "UTF-8 bytes ÷ 4"}[s] for s in sources)
    table = Table(
        title="Plan (nothing sent)",
        caption=f"input tokens counted by {how}; later turns count earlier answers at --max-tokens, so costs are upper "
        f"bounds",
    )
    for col in ("model", "lang", "requests", "input tok", "max output tok", "max cost"):
        table.add_column(col, justify="left" if col in ("model", "lang") else "right", overflow="fold")
    for r in sorted(rows, key=lambda r: (r.model, lang_sort_key(r.lang))):
        table.add_row(
            r.model, r.lang, str(r.requests), f"{r.input_tokens:,}", f"{r.max_output_tokens:,}", _usd(r.max_cost_usd)
        )
    if not rows:
        table.caption = "nothing to send: every answer is already stored"
    else:
        costs = [r.max_cost_usd for r in rows if r.max_cost_usd is not None]
        table.add_row(
            "all",
            "",
            str(sum(r.requests for r in rows)),
            f"{sum(r.input_tokens for r in rows):,}",
            f"{sum(r.max_output_tokens for r in rows):,}",
            _usd(sum(costs) if costs else None),
            style="bold",
        )
        if batch:
            table.caption = "costs at batch prices (--batch: half the list price)"
    return table


def endpoints(prepared: Prepared) -> Text:
    """Where each model's and judge's requests will go."""
    from ..backends import endpoint

    lines = [f"  {r.name} → {endpoint(r.spec, r.base_url)}" for r in prepared.runs]
    lines += [f"  {j.name} (judge) → {endpoint(j.spec, j.base_url)}" for j in prepared.judges]
    return Text("Endpoints:\n" + "\n".join(lines))


def _usd(cost: float | None) -> str:
    return f"≤ ${cost:,.4f}" if cost is not None else "no price"


def traffic(s: RunStats) -> str:
    """What rate limits and stragglers cost, when they cost anything: ` (3 answered 429, 2 hedged: 1.0% extra)`."""
    parts = [f"in {plural(s.batches, 'batch', 'batches')} at batch prices"] if s.batches else []
    if s.throttled:
        parts.append(f"{s.throttled} answered 429")
    if s.hedged:
        parts.append(f"{s.hedged} hedged: {s.hedged / max(1, s.sent - s.hedged):.1%} extra, {s.hedge_wins} of them won")
    if s.timeouts:
        parts.append(f"{plural(s.timeouts, 'attempt')} past the learned timeout")
    return f" ({'; '.join(parts)})" if parts else ""


def generate_summary(results: list[ModelResult]) -> Group:
    lines = []
    for r in results:
        s = r.stats
        if s.sent == 0 and not r.failures:
            lines.append(Text(f"{r.name}: nothing to send, every answer is already stored"))
            continue
        line = Text(f"{r.name}: {plural(r.answers_stored, 'answer')} stored, {len(r.failures)} failed")
        if r.answers_stored < s.done:
            line.append(f" ({s.done - r.answers_stored} of the {s.done} received were already stored by another run)")
        if s.blocked:
            line.append(f" ({s.blocked} later turns not asked)")
        if r.left:
            line.append(
                f" ({r.left} not stored: another process on this store claimed them and has not finished; run "
                "the same command again once it has)",
                style="red",
            )
        calls = plural(s.sent, "forward batch", "forward batches") if s.batched else plural(s.sent, "request")
        line.append(
            f"; {calls} in {s.wall_s:.1f}s{traffic(s)}, {s.input_tokens:,} tokens in, {s.output_tokens:,} out"
            + (f" ({s.output_tokens / s.wall_s:.1f} tokens/s)" if s.output_tokens > 0 and s.wall_s > 0 else "")
        )
        if s.cost:
            line.append(f", ${s.cost:.4f}")
        if r.cut:
            line.append(
                f"\n  {plural(sum(r.cut.values()), 'answer')} stopped at --max-tokens ({_per_lang(r.cut)}): judged as "
                "cut; raise --max-tokens and store them under a new --name to compare",
                style="yellow",
            )
        if r.withheld:
            line.append(
                f"\n  {plural(sum(r.withheld.values()), 'answer')} withheld by the provider ({_per_lang(r.withheld)}: "
                "its content filter or a refusal): stored empty and judged as given",
                style="yellow",
            )
        lines.append(line)
        for f in r.failures[:5]:
            lines.append(
                Text(
                    f"  failed: {f.question_id} turn {f.turn} after {plural(f.attempts, 'attempt')}: {f.error}",
                    style="red",
                )
            )
        if len(r.failures) > 5:
            lines.append(
                Text(f"  … and {len(r.failures) - 5} more; run the same command again to retry them", style="red")
            )
        elif r.failures:
            lines.append(Text("  run the same command again to retry them", style="red"))
    return Group(*lines)


def judge_plan_caption(judge_plan: JudgePlan) -> str:
    return (
        f"{plural(judge_plan.total, 'item')} in scope, {judge_plan.total - len(judge_plan.items)} already judged, "
        f"{judge_plan.missing_answers} waiting for answers"
    )


def judge_cost_table(cfg: JudgeConfig, found: JudgeEstimate, caption: str) -> Table:
    n, tin, tout, cost = found.reasked
    caption += (
        f"; input tokens counted {found.counted}. If every reply lacked its verdict and was re-asked "
        f"{plural(cfg.max_reasks, 'time')} (each re-ask resends the conversation with the reply in it): at most "
        f"{plural(n, 'request')}, {tin:,} input tokens, {tout:,} output, {_usd(cost)}"
    )
    per_lang = found.per_lang
    table = Table(title=f"Judge plan for {cfg.name} ({cfg.mode}; nothing sent)", caption=caption)
    for col in ("lang", "requests", "input tok", "max output tok", "max cost"):
        table.add_column(col, justify="left" if col == "lang" else "right")
    for lang in sorted(per_lang, key=lang_sort_key):
        n, tin, tout, cost = per_lang[lang]
        table.add_row(lang, str(n), f"{tin:,}", f"{tout:,}", _usd(cost))
    if per_lang:
        costs = [c for *_, c in per_lang.values() if c is not None]
        table.add_row(
            "all",
            str(sum(v[0] for v in per_lang.values())),
            f"{sum(v[1] for v in per_lang.values()):,}",
            f"{sum(v[2] for v in per_lang.values()):,}",
            _usd(sum(costs) if costs else None),
            style="bold",
        )
    return table


def judge_summary(name: str, judge_plan: JudgePlan, result: JudgeResult) -> Text:
    if not judge_plan.items:
        text = Text(
            f"{name}: nothing to send, "
            + ("the judgment is" if judge_plan.total == 1 else f"all {judge_plan.total} judgments are")
            + " already stored"
        )
    else:
        s = result.stats
        text = Text(
            f"{name}: {plural(result.stored, 'judgment')} stored ({result.unscored} unscored, {result.flagged} with "
            f"injection flags), "
            f"{result.failures} failed; {plural(s.sent, 'request')} in {s.wall_s:.1f}s{traffic(s)}, {s.input_tokens:,} "
            f"tokens in, {s.output_tokens:,} out" + (f", ${s.cost:.4f}" if s.cost else "")
        )
        if result.already:
            text.append(
                f"\n  {result.already} of the {len(judge_plan.items)} judgments asked for were already stored by "
                f"another run"
            )
        for f in result.failed[:5]:
            text.append(
                f"\n  failed: {f.question_id} turn {f.turn} after {plural(f.attempts, 'attempt')}: {f.error}",
                style="red",
            )
        if len(result.failed) > 5:
            text.append(f"\n  … and {len(result.failed) - 5} more (stored with their reasons)", style="red")
        if result.context_full:
            text.append(
                f"\n  {plural(result.context_full, 'judgment')} outgrew the judge's context and "
                f"{'was' if result.context_full == 1 else 'were'} stored unscored, with what the judge replied first: "
                "a re-ask sends the conversation again with that reply in it; a smaller --judge-max-tokens leaves "
                "room for it (or use a judge with a longer context)",
                style="yellow",
            )
        if result.cut:
            text.append(
                f"\n  {plural(result.cut, 'unscored judgment')} stopped at --judge-max-tokens before a verdict (a "
                "reasoning judge spends them on its reasoning first): raise --judge-max-tokens and judge again",
                style="yellow",
            )
        if result.nothing_scored:
            text.append(
                f"\n  not one of its {result.stored} replies had a verdict in the prompt's format: nothing is scored "
                "or ranked for this judge (its replies are in the HTML report's answer browser)",
                style="red",
            )
        if result.left:
            text.append(
                f"\n  {result.left} not stored: another process on this store claimed them and has not finished; "
                "run the same command again once it has",
                style="red",
            )
        if result.failures:
            text.append("\n  run the same command again to retry the failed ones", style="red")
    if judge_plan.no_baseline:
        text.append(
            f"\n  {plural(judge_plan.no_baseline, 'item')} have no baseline answer for their turn (the bench ships one "
            "answer per question, for turn 1)"
        )
    if judge_plan.missing_answers:
        text.append(
            f"\n  {plural(judge_plan.missing_answers, 'item')} wait for answers that are not stored yet (run generate)"
        )
    return text


def eval_summary(result: EvalResult) -> Group:
    parts: list[Group | Text] = [generate_summary(result.generated)] if result.generated else []
    for name, judge_plan, judged in result.judged:
        parts.append(judge_summary(name, judge_plan, judged))
    if result.report is not None:
        from ..report.overview import headline

        h = headline(result.report)
        for row in h.rows:
            vs = (
                f"; vs {h.baseline} {row.vs_baseline}"
                if h.baseline and row.vs_baseline and not h.measure.startswith("win rate vs")
                else ""
            )
            parts.append(Text(f"{row.model}: {row.score} n={row.questions} ({h.measure}, judge {h.judge}){vs}"))
        parts.append(Text("; ".join(h.findings), style="dim"))
    return Group(*parts)


def _per_lang(counts: dict[str, int]) -> str:
    """`th 2, km 1` in the bench's language order."""
    return ", ".join(f"{lang} {n}" for lang, n in sorted(counts.items(), key=lambda kv: lang_sort_key(kv[0])))
