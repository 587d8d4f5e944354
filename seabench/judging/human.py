"""Human ratings in: annotators' filled sheets (written by `sheets.py`) back into the store.

A file is imported whole or not at all: every problem is reported with its row, and nothing is written unless
there are none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, Problem
from ..records import PairRating, Rating, Winner
from ..store import Store
from ..textio import read_csv, restore

SHEETS = {
    "blind pairwise": ({"item_id", "annotator", "winner"}, "item_id, annotator, winner (A, B or tie)[, comment]"),
    "blind": ({"item_id", "annotator", "score"}, "item_id, annotator, score[, comment]"),
    "pairwise": (
        {"question_id", "model_a", "model_b", "annotator", "winner"},
        "question_id, turn, model_a, model_b, annotator, winner",
    ),
    "plain": ({"question_id", "model", "annotator", "score"}, "question_id, turn, model, annotator, score[, comment]"),
}


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
