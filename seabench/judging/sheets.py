"""Rating sheets out: CSV files for annotators, one answer (or two, side by side) per row, plain or blind.

Blind sheets name items by random ids the store remembers, so `human.py` can read them back; every cell is made inert
for spreadsheets (a leading `=` is text, not a formula) and control characters are shown, not written.
"""

from __future__ import annotations

import csv
import random
import re
import secrets
from pathlib import Path

from ..errors import ConfigError
from ..records import Question
from ..store import Store
from ..textio import inert

PLAIN_COLUMNS = [
    "question_id",
    "turn",
    "lang",
    "category",
    "model",
    "context",
    "question",
    "reference",
    "answer",
    "annotator",
    "score",
    "comment",
]
BLIND_COLUMNS = [
    "item_id",
    "lang",
    "category",
    "turn",
    "context",
    "question",
    "reference",
    "answer",
    "annotator",
    "score",
    "comment",
]
PAIR_COLUMNS = [
    "question_id",
    "turn",
    "lang",
    "category",
    "question",
    "reference",
    "model_a",
    "context_a",
    "answer_a",
    "model_b",
    "context_b",
    "answer_b",
    "annotator",
    "winner",
    "comment",
]
BLIND_PAIR_COLUMNS = [
    "item_id",
    "lang",
    "category",
    "turn",
    "question",
    "reference",
    "context_a",
    "answer_a",
    "context_b",
    "answer_b",
    "annotator",
    "winner",
    "comment",
]


def _check_models(store: Store, models: list[str]) -> dict:
    answers = store.latest_answers()
    stored = sorted({m for m, *_ in answers})
    unknown = [m for m in models if m not in stored]
    if unknown:
        raise ConfigError(f"no stored answers for model(s) {', '.join(unknown)}; stored: {', '.join(stored) or 'none'}")
    return {k: v for k, v in answers.items() if k[0] in models}


def _context(q: Question, answers: dict, model: str, bench: str, qid: str, turn: int) -> str:
    """The conversation before `turn`, with this model's own earlier answers."""
    earlier = [answers.get((model, bench, qid, t)) for t in range(1, turn)]
    return "\n\n".join(
        f"User: {q.turns[t - 1]}\nAssistant: {a.text if a else '(no answer)'}" for t, a in enumerate(earlier, start=1)
    )


def _item_id() -> str:
    # Random, not a hash of the model names: an annotator must not be able to work it out.
    return f"it-{secrets.token_hex(5)}"


def export_sheet(store: Store, models: list[str], out: Path, *, blind: bool = False, seed: int = 0) -> int:
    """One row per model × question × turn with the text to rate; returns the number of rows written."""
    answers = _check_models(store, models)
    questions = store.questions()
    by_item = {(v.bench, v.question_id, v.turn, v.model): k for k, v in store.human_items().items()}
    new_items: dict[str, tuple[str, str, int, str]] = {}
    rows = []
    for (model, bench, qid, turn), answer in sorted(answers.items()):
        q = questions.get((bench, qid))
        if q is None or turn > len(q.turns):
            continue
        row = {
            "question_id": qid,
            "turn": turn,
            "lang": q.lang,
            "category": q.category,
            "model": model,
            "context": _context(q, answers, model, bench, qid, turn),
            "question": q.turns[turn - 1],
            "reference": q.reference(turn) or "",
            "answer": answer.text,
        }
        if blind:
            key = (bench, qid, turn, model)
            if key not in by_item:
                by_item[key] = item = _item_id()
                new_items[item] = key
            row["item_id"] = by_item[key]
        rows.append(row)
    if blind:
        random.Random(seed).shuffle(rows)  # models interleaved, so position gives nothing away
        store.add_human_items(new_items)
    _write_sheet(out, BLIND_COLUMNS if blind else PLAIN_COLUMNS, rows)
    return len(rows)


def export_pair_sheet(store: Store, models: list[str], out: Path, *, blind: bool = False, seed: int = 0) -> int:
    """One row per question × turn with two models' answers side by side, to pick the better (A, B or tie).

    Blind sheets hide the names and, row by row, which model is A (seeded), so position tells nothing.
    """
    if len(models) != 2:
        raise ConfigError(f"a pairwise sheet compares two models; got {len(models)}: {', '.join(models)}")
    answers = _check_models(store, models)
    questions = store.questions()
    rng = random.Random(seed)
    known = {
        frozenset(((v.bench, v.question_id, v.turn, v.model_a), (v.bench, v.question_id, v.turn, v.model_b))): (
            item,
            v.model_a,
            v.model_b,
        )
        for item, v in store.human_pair_items().items()
    }
    new_items: dict[str, tuple[str, str, int, str, str]] = {}
    rows = []
    first, second = models
    for (model, bench, qid, turn), _ in sorted(answers.items()):
        q = questions.get((bench, qid))
        if model != first or q is None or turn > len(q.turns) or (second, bench, qid, turn) not in answers:
            continue
        a, b = (first, second)
        item = None
        if blind:
            found = known.get(frozenset(((bench, qid, turn, a), (bench, qid, turn, b))))
            if found:
                item, a, b = found
            else:
                a, b = (a, b) if rng.random() < 0.5 else (b, a)
                item = _item_id()
                new_items[item] = (bench, qid, turn, a, b)
        rows.append(
            {
                "item_id": item,
                "question_id": qid,
                "turn": turn,
                "lang": q.lang,
                "category": q.category,
                "question": q.turns[turn - 1],
                "reference": q.reference(turn) or "",
                "model_a": a,
                "context_a": _context(q, answers, a, bench, qid, turn),
                "answer_a": answers[(a, bench, qid, turn)].text,
                "model_b": b,
                "context_b": _context(q, answers, b, bench, qid, turn),
                "answer_b": answers[(b, bench, qid, turn)].text,
            }
        )
    if blind:
        rng.shuffle(rows)
        store.add_human_pair_items(new_items)
    _write_sheet(out, BLIND_PAIR_COLUMNS if blind else PAIR_COLUMNS, rows)
    return len(rows)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _visible(value: object) -> object:
    """Control characters shown as their Unicode pictures (NUL → ␀): a sheet always opens, and always re-imports."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub(lambda m: chr(0x2400 + ord(m.group())) if m.group() != "\x7f" else "\u2421", value)


def _write_sheet(out: Path, columns: list[str], rows: list[dict]) -> None:
    try:
        with out.open("w", encoding="utf-8-sig", newline="") as f:  # the BOM makes Excel read UTF-8
            writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore", restval="")
            writer.writeheader()
            writer.writerows({k: inert(_visible(v)) for k, v in row.items()} for row in rows)
    except OSError as e:
        raise ConfigError(f"{out}: cannot write ({e.strerror})") from None
