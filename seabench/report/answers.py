"""`seabench answers`: stored answers as a terminal table, JSON lines or CSV. Formatting only: the CLI reads them."""

from __future__ import annotations

import csv
import json
from typing import Any, TextIO

from rich.console import Console

from ..records import Answer, Question
from ..textio import inert_row

CSV_COLUMNS = [
    "model",
    "bench",
    "question_id",
    "lang",
    "category",
    "turn",
    "text",
    "input_tokens",
    "output_tokens",
    "latency_s",
    "cost_usd",
    "finish_reason",
    "created_at",
    "key",
]


def answer_rows(answers: list[Answer], questions: dict[tuple[str, str], Question]) -> list[dict[str, Any]]:
    """One flat row per answer, with its question's language and category (the CSV and JSON lines columns)."""
    rows = []
    for a in answers:
        q = questions.get((a.bench, a.question_id))
        rows.append(
            {
                "model": a.model,
                "bench": a.bench,
                "question_id": a.question_id,
                "lang": q.lang if q else None,
                "category": q.category if q else None,
                "turn": a.turn,
                "text": a.text,
                "input_tokens": a.usage.input_tokens,
                "output_tokens": a.usage.output_tokens,
                "latency_s": a.latency_s,
                "cost_usd": a.cost_usd,
                "finish_reason": a.finish_reason,
                "created_at": a.created_at,
                "key": a.key,
            }
        )
    return rows


def write_answers(
    answers: list[Answer],
    questions: dict[tuple[str, str], Question],
    fmt: str,
    out: TextIO,
    console: Console | None = None,
) -> None:
    rows = answer_rows(answers, questions)
    if fmt in ("json", "jsonl"):
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(inert_row(r) for r in rows)  # answers are untrusted text
    else:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        # No right edge: Thai, Lao, Khmer and Burmese take widths terminals disagree on, so no border can line up
        # after them.
        table = Table(title=f"{len(rows)} stored answers", box=box.SIMPLE_HEAD, show_edge=False)
        for col in ("model", "question", "lang", "turn", "tokens in/out", "latency", "finish", "answer"):
            table.add_column(col, overflow="fold" if col == "answer" else "ellipsis", no_wrap=col != "answer")
        for r in rows:
            table.add_row(
                r["model"],
                r["question_id"],
                r["lang"] or "?",
                str(r["turn"]),
                f"{r['input_tokens'] or '–'}/{r['output_tokens'] or '–'}",
                f"{r['latency_s']:.2f}s" if r["latency_s"] is not None else "–",
                r["finish_reason"] or "–",
                Text(preview(r["text"])),
            )
        (console or Console()).print(table)


def preview(text: str, limit: int = 60) -> str:
    """The first `limit` grapheme clusters of the text on one line, never cut inside a cluster (`…ស្មើ`, not `…ស្មើនឹងប`
    cut after a coeng)."""
    from ..segment import clusters

    parts = clusters(" ".join(text.split()))
    return "".join(parts[:limit]) + ("…" if len(parts) > limit else "")
