"""Human ratings in and out: rating sheets (CSV) for annotators, and their filled sheets back into the store.

A file is imported whole or not at all: every problem is reported with its row, and nothing is written unless
there are none.
"""

from __future__ import annotations

import csv
import math
import random
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, InputError, Problem
from ..records import PairRating, Question, Rating, Winner
from ..store import Store
from ..textio import inert, read_csv, restore

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
SHEETS = {
    "blind pairwise": ({"item_id", "annotator", "winner"}, "item_id, annotator, winner (A, B or tie)[, comment]"),
    "blind": ({"item_id", "annotator", "score"}, "item_id, annotator, score[, comment]"),
    "pairwise": (
        {"question_id", "model_a", "model_b", "annotator", "winner"},
        "question_id, turn, model_a, model_b, annotator, winner",
    ),
    "plain": ({"question_id", "model", "annotator", "score"}, "question_id, turn, model, annotator, score[, comment]"),
}


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


WINNERS: dict[str, Winner] = {"a": "A", "b": "B", "tie": "tie"}


@dataclass
class ImportSummary:
    kind: str
    rows: int
    new: int
    annotators: list[str]
    replaced: int = 0
    """Stored ratings this import corrected (--replace); their old values stay in the store's history."""


def import_sheet(store: Store, path: Path, *, replace: bool = False) -> ImportSummary:
    """All of a filled sheet, or (on any problem) none of it. `replace`: a rating that differs from the one stored for
    the same annotator and item replaces it (a correction), and the old value is kept in the store's history."""
    header, rows = read_csv(path)
    kind = next((k for k, (cols, _) in SHEETS.items() if cols <= set(header)), None)
    if kind is None:
        expected = "; or ".join(desc for _, desc in SHEETS.values())
        have = set(header)
        closest = min(SHEETS.values(), key=lambda s: len(s[0] - have))
        raise InputError.at(
            path, 1, f"missing column(s) {', '.join(sorted(closest[0] - have))}; a sheet has {expected}"
        )
    reader = _Reader(store, path, kind, replace)
    for line, row in rows:
        reader.row(line, row)
    if reader.problems:
        raise InputError(reader.problems)
    if not reader.ratings and not reader.pairs:
        raise InputError.at(path, 2 if rows else 1, "no rating rows: every score/winner cell is empty")
    new, replaced = store.add_human(
        list(reader.ratings.values()), list(reader.pairs.values()), str(path), replace=replace
    )
    annotators = sorted({r.annotator for r in reader.ratings.values()} | {p.annotator for p in reader.pairs.values()})
    return ImportSummary(kind, len(reader.ratings) + len(reader.pairs), new, annotators, replaced)


class _Reader:
    """Validates rows against the store; collects every problem with its row number."""

    def __init__(self, store: Store, path: Path, kind: str, replace: bool = False):
        self.path, self.kind, self.replace = path, kind, replace
        self.problems: list[Problem] = []
        self.questions = store.questions()
        self.by_id: dict[str, list[tuple[str, str]]] = {}
        for bench, qid in self.questions:
            self.by_id.setdefault(qid, []).append((bench, qid))
        self.answered = {(m, b, q, t) for m, b, q, t in store.latest_answers()}
        self.models = {m for m, *_ in self.answered}
        self.items = store.human_items() if kind == "blind" else {}
        self.pair_items = store.human_pair_items() if kind == "blind pairwise" else {}
        self.stored_ratings = {(r.annotator, r.bench, r.question_id, r.turn, r.model): r.score for r in store.ratings()}
        self.stored_pairs = {
            (p.annotator, p.bench, p.question_id, p.turn, p.model_a, p.model_b): p.winner for p in store.pair_ratings()
        }
        self.ratings: dict[tuple, Rating] = {}
        self.pairs: dict[tuple, PairRating] = {}
        self.first_line: dict[tuple, int] = {}

    def fail(self, line: int, message: str) -> None:
        self.problems.append(Problem(str(self.path), line, message))

    def row(self, line: int, row: dict[str, str]) -> None:
        row = {k: restore(v) if isinstance(v, str) else v for k, v in row.items()}  # our sheets mark formula-like text
        value_col = "winner" if "pairwise" in self.kind else "score"
        value = row.get(value_col, "").strip()
        annotator = row.get("annotator", "").strip()
        if not value:
            if annotator:
                self.fail(line, f"{value_col} is empty for annotator '{annotator}'")
            return  # a row nobody has rated yet
        if not annotator:
            self.fail(line, "annotator is empty")
            return
        comment = row.get("comment", "").strip() or None
        if self.kind.startswith("blind"):
            item = row.get("item_id", "").strip()
            items = self.items if self.kind == "blind" else self.pair_items
            if item not in items:
                self.fail(line, f"unknown item_id '{item}' (not from a {self.kind} sheet exported from this store)")
                return
            if self.kind == "blind":
                it = self.items[item]
                self._rating(line, annotator, it.bench, it.question_id, it.turn, it.model, value, comment)
            else:
                pi = self.pair_items[item]
                self._pair(line, annotator, pi.bench, pi.question_id, pi.turn, pi.model_a, pi.model_b, value, comment)
            return
        found = self._question(line, row)
        if found is None:
            return
        (bench, qid), turn = found
        if self.kind == "plain":
            model = row.get("model", "").strip()
            if self._model(line, model, bench, qid, turn):
                self._rating(line, annotator, bench, qid, turn, model, value, comment)
            return
        a, b = row.get("model_a", "").strip(), row.get("model_b", "").strip()
        if a == b:
            self.fail(line, f"model_a and model_b are both '{a}'")
            return
        if self._model(line, a, bench, qid, turn) and self._model(line, b, bench, qid, turn):
            self._pair(line, annotator, bench, qid, turn, a, b, value, comment)

    def _pair(
        self,
        line: int,
        annotator: str,
        bench: str,
        qid: str,
        turn: int,
        a: str,
        b: str,
        value: str,
        comment: str | None,
    ) -> None:
        winner: Winner | None = WINNERS.get(value.lower())
        if winner is None:
            self.fail(line, f"winner must be A, B or tie, not '{value}'")
            return
        key = (annotator, bench, qid, turn, a, b)
        if not self._unique(
            line, key, winner, self.pairs.get(key) and self.pairs[key].winner, self.stored_pairs.get(key)
        ):
            return
        self.pairs[key] = PairRating(
            annotator=annotator,
            bench=bench,
            question_id=qid,
            turn=turn,
            model_a=a,
            model_b=b,
            winner=winner,
            comment=comment,
        )

    def _question(self, line: int, row: dict[str, str]) -> tuple[tuple[str, str], int] | None:
        qid = row.get("question_id", "").strip()
        matches = self.by_id.get(qid, [])
        if not matches:
            self.fail(line, f"unknown question_id '{qid}'")
            return None
        if len(matches) > 1:
            self.fail(
                line,
                f"question_id '{qid}' is in several benches ({', '.join(b for b, _ in matches)}); use a blind sheet",
            )
            return None
        raw_turn = (row.get("turn") or "").strip() or "1"
        n_turns = len(self.questions[matches[0]].turns)
        if not raw_turn.isdigit() or not 1 <= int(raw_turn) <= n_turns:
            self.fail(line, f"turn must be a whole number from 1 to {n_turns} for question '{qid}', not '{raw_turn}'")
            return None
        return matches[0], int(raw_turn)

    def _model(self, line: int, model: str, bench: str, qid: str, turn: int) -> bool:
        if model not in self.models:
            self.fail(line, f"unknown model '{model}'; models with answers: {', '.join(sorted(self.models))}")
            return False
        if (model, bench, qid, turn) not in self.answered:
            self.fail(line, f"model '{model}' has no stored answer to question '{qid}' turn {turn}")
            return False
        return True

    def _rating(
        self, line: int, annotator: str, bench: str, qid: str, turn: int, model: str, value: str, comment: str | None
    ) -> None:
        try:
            score = float(value)
        except ValueError:
            self.fail(line, f"score '{value}' is not a number")
            return
        if not math.isfinite(score) or not 1 <= score <= 10:
            self.fail(line, f"score {value} is outside 1–10")
            return
        key = (annotator, bench, qid, turn, model)
        if not self._unique(
            line, key, score, self.ratings.get(key) and self.ratings[key].score, self.stored_ratings.get(key)
        ):
            return
        self.ratings[key] = Rating(
            annotator=annotator, bench=bench, question_id=qid, turn=turn, model=model, score=score, comment=comment
        )

    def _unique(self, line: int, key: tuple, value: object, in_file: object, in_store: object) -> bool:
        """Repeats of the same judgment are harmless; a different one for the same annotator and item is an error."""
        if in_file is not None and in_file != value:
            self.fail(
                line,
                f"annotator '{key[0]}' already rated this item differently on row {self.first_line[key]} ({in_file} vs "
                f"{value})",
            )
            return False
        if in_store is not None and in_store != value and not self.replace:
            self.fail(
                line,
                f"annotator '{key[0]}' already has {in_store} for this item in the store, not {value} "
                "(import with --replace to correct it)",
            )
            return False
        self.first_line.setdefault(key, line)
        return True
