"""Human ratings in the store: blind sheet items, 1–10 ratings, pairwise choices, and corrections to them."""

from __future__ import annotations

import sqlite3

from ..records import HumanItem, HumanPairItem, PairRating, Rating
from .keys import now


class HumanRatings:
    db: sqlite3.Connection

    def human_items(self) -> dict[str, HumanItem]:
        """Blind item id → the answer it stands for."""
        rows = self.db.execute("SELECT item_id, bench, question_id, turn, model FROM human_items")
        return {item: HumanItem(bench=b, question_id=q, turn=t, model=m) for item, b, q, t, m in rows}

    def add_human_items(self, items: dict[str, tuple[str, str, int, str]]) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "INSERT OR IGNORE INTO human_items VALUES (?, ?, ?, ?, ?, ?)",
                [(item, b, q, t, m, now()) for item, (b, q, t, m) in items.items()],
            )

    def human_pair_items(self) -> dict[str, HumanPairItem]:
        """Blind pairwise item id → the two answers it stands for, in the order shown."""
        rows = self.db.execute("SELECT item_id, bench, question_id, turn, model_a, model_b FROM human_pair_items")
        return {
            item: HumanPairItem(bench=b, question_id=q, turn=t, model_a=ma, model_b=mb)
            for item, b, q, t, ma, mb in rows
        }

    def add_human_pair_items(self, items: dict[str, tuple[str, str, int, str, str]]) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "INSERT OR IGNORE INTO human_pair_items VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(item, *values, now()) for item, values in items.items()],
            )

    def ratings(self) -> list[Rating]:
        return [
            Rating(annotator=a, bench=b, question_id=q, turn=t, model=m, score=s, comment=c)
            for a, b, q, t, m, s, c in self.db.execute(
                "SELECT annotator, bench, question_id, turn, model, score, comment FROM ratings ORDER BY annotator, "
                "bench, question_id, turn, model"
            )
        ]

    def pair_ratings(self) -> list[PairRating]:
        return [
            PairRating(annotator=a, bench=b, question_id=q, turn=t, model_a=ma, model_b=mb, winner=w, comment=c)
            for a, b, q, t, ma, mb, w, c in self.db.execute(
                "SELECT annotator, bench, question_id, turn, model_a, model_b, winner, comment FROM human_pairwise "
                "ORDER BY 1, 2, 3, 4, 5, 6"
            )
        ]

    def add_human(
        self, ratings: list[Rating], pairs: list[PairRating], source_file: str, *, replace: bool = False
    ) -> tuple[int, int]:
        """All of one file's rows in one transaction: a file is imported whole or not at all. With `replace`, a rating
        that differs from the stored one replaces it and the old value goes to `human_corrections`.
        Returns (rows added, rows corrected)."""
        stamp = now()
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            corrected = existing = 0
            if replace:
                existing, corrected = self._record_corrections(ratings, pairs, source_file, stamp)
            verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
            before = self.db.total_changes
            self.db.executemany(
                f"{verb} INTO ratings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (r.annotator, r.bench, r.question_id, r.turn, r.model, r.score, r.comment, source_file, stamp)
                    for r in ratings
                ],
            )
            self.db.executemany(
                f"{verb} INTO human_pairwise VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        p.annotator,
                        p.bench,
                        p.question_id,
                        p.turn,
                        p.model_a,
                        p.model_b,
                        p.winner,
                        p.comment,
                        source_file,
                        stamp,
                    )
                    for p in pairs
                ],
            )
            written = self.db.total_changes - before
            return (len(ratings) + len(pairs) - existing if replace else written), corrected

    def _record_corrections(
        self, ratings: list[Rating], pairs: list[PairRating], source_file: str, stamp: str
    ) -> tuple[int, int]:
        """Keep the old value of every rating about to be replaced; returns (ratings already stored, ones that
        change)."""
        rows, existing = [], 0
        for r in ratings:
            old = self.db.execute(
                "SELECT score FROM ratings WHERE annotator = ? AND bench = ? AND question_id = ? AND turn = ? AND "
                "model = ?",
                (r.annotator, r.bench, r.question_id, r.turn, r.model),
            ).fetchone()
            existing += old is not None
            if old is not None and old[0] != r.score:
                rows.append(
                    (
                        r.annotator,
                        r.bench,
                        r.question_id,
                        r.turn,
                        r.model,
                        f"{old[0]:g}",
                        f"{r.score:g}",
                        source_file,
                        stamp,
                    )
                )
        for p in pairs:
            old = self.db.execute(
                "SELECT winner FROM human_pairwise WHERE annotator = ? AND bench = ? AND question_id = ? AND turn = ? "
                "AND model_a = ? AND model_b = ?",
                (p.annotator, p.bench, p.question_id, p.turn, p.model_a, p.model_b),
            ).fetchone()
            existing += old is not None
            if old is not None and old[0] != p.winner:
                rows.append(
                    (
                        p.annotator,
                        p.bench,
                        p.question_id,
                        p.turn,
                        f"{p.model_a} vs {p.model_b}",
                        old[0],
                        p.winner,
                        source_file,
                        stamp,
                    )
                )
        self.db.executemany("INSERT INTO human_corrections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return existing, len(rows)
