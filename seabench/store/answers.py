"""Answers and failed requests in the store: each answer committed as it completes (a repeat of its key changes
nothing, and clears the key's failure), read back by named column, typed."""

from __future__ import annotations

import sqlite3

from ..records import Answer, Failure, Usage
from .keys import now


class Answers:
    db: sqlite3.Connection

    def answer_texts(self, model: str) -> dict[str, str]:
        """Every stored answer of one model, by key (what resume needs: which requests are done, and their text)."""
        return dict(self.db.execute("SELECT key, text FROM answers WHERE model = ?", (model,)))

    def add_answer(self, answer: Answer) -> int:
        """Commit one answer now; a second write of the same key changes nothing. Returns 1 if it was written."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            before = self.db.total_changes
            self.db.execute(INSERT_ANSWER, answer_row(answer))
            written = self.db.total_changes - before
            self.db.execute("DELETE FROM failures WHERE key = ?", (answer.key,))
            return written

    def add_failure(self, failure: Failure) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT INTO failures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                "error = excluded.error, attempts = failures.attempts + excluded.attempts, updated_at = "
                "excluded.updated_at",
                (
                    failure.key,
                    failure.bench,
                    failure.question_id,
                    failure.turn,
                    failure.model,
                    failure.error,
                    failure.attempts,
                    failure.updated_at or now(),
                    failure.role,
                ),
            )

    def latest_answers(self, models: list[str] | None = None) -> dict[tuple[str, str, str, int], Answer]:
        """(model, bench, question id, turn) → the most recent stored answer: what a judge or a rating sheet shows."""
        out: dict[tuple[str, str, str, int], Answer] = {}
        for a in self.answers():
            if models and a.model not in models:
                continue
            key = (a.model, a.bench, a.question_id, a.turn)
            if key not in out or a.created_at >= out[key].created_at:
                out[key] = a
        return out

    def answers(self, model: str | None = None, bench: str | None = None) -> list[Answer]:
        sql = f"SELECT {ANSWER_COLUMNS} FROM answers"
        where, args = [], []
        if model:
            where.append("model = ?")
            args.append(model)
        if bench:
            where.append("bench = ?")
            args.append(bench)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY model, bench, question_id, turn, created_at"
        return [_answer(row) for row in self.db.execute(sql, args)]

    def failures(self, model: str | None = None) -> list[Failure]:
        """Requests that still fail, candidates' and judges' (`role`); a later success removes its row."""
        args: tuple[str, ...] = ()
        sql = "SELECT key, bench, question_id, turn, model, error, attempts, updated_at, role FROM failures"
        if model:
            sql, args = sql + " WHERE model = ?", (model,)
        return [
            Failure(key=k, bench=b, question_id=q, turn=t, model=m, error=e, attempts=a, updated_at=u, role=r)
            for k, b, q, t, m, e, a, u, r in self.db.execute(sql + " ORDER BY model, question_id, turn", args)
        ]


ANSWER_COLUMNS = (
    "key, bench, question_id, turn, model, spec, text, input_tokens, output_tokens, latency_s, cost_usd, "
    "finish_reason, "
    "created_at, checkpoint"
)
INSERT_ANSWER = f"INSERT OR IGNORE INTO answers ({ANSWER_COLUMNS}) VALUES ({', '.join('?' * 14)})"


def answer_row(a: Answer) -> tuple:
    return (
        a.key,
        a.bench,
        a.question_id,
        a.turn,
        a.model,
        a.spec,
        a.text,
        a.usage.input_tokens,
        a.usage.output_tokens,
        a.latency_s,
        a.cost_usd,
        a.finish_reason,
        a.created_at or now(),
        a.checkpoint,
    )


def _answer(row: tuple) -> Answer:
    key, bench, qid, turn, model, spec, text, tin, tout, latency, cost, finish, created, checkpoint = row
    return Answer(
        key=key,
        bench=bench,
        question_id=qid,
        turn=turn,
        model=model,
        spec=spec,
        text=text,
        usage=Usage(input_tokens=tin, output_tokens=tout),
        latency_s=latency,
        cost_usd=cost,
        finish_reason=finish,
        created_at=created,
        checkpoint=checkpoint,
    )
