"""Judgments in the store: written in one transaction per batch (a judgment's identity checked first), read back by
named column, typed."""

from __future__ import annotations

import json
import sqlite3

from ..records import Judgment, Usage
from .keys import now


class Judgments:
    db: sqlite3.Connection

    def judgment_prompts(self, judge: str) -> set[str]:
        """The names of the prompts a judge's stored judgments were made with."""
        return {row[0] for row in self.db.execute("SELECT DISTINCT prompt FROM judgments WHERE judge = ?", (judge,))}

    def judgment_keys(self, judge: str | None = None) -> set[str]:
        args: tuple[str, ...] = ()
        sql = "SELECT key FROM judgments"
        if judge:
            sql, args = sql + " WHERE judge = ?", (judge,)
        return {row[0] for row in self.db.execute(sql, args)}

    def add_judgments(self, judgments: list[Judgment]) -> int:
        """Commit together; keys already stored are left as they are. Returns how many were written.

        A stored key must hold the same item: two different judgments under one key is a keying bug that would lose
        data silently, so it stops the write instead."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            check_identity(self.db, judgments)
            before = self.db.total_changes
            self.db.executemany(
                f"INSERT OR IGNORE INTO judgments VALUES ({', '.join('?' * JUDGMENT_COLUMNS)})",
                [judgment_row(j) for j in judgments],
            )
            written = self.db.total_changes - before
            self.db.executemany("DELETE FROM failures WHERE key = ?", [(j.key,) for j in judgments])
            return written

    def judgments(self, judge: str | None = None, kind: str | None = None) -> list[Judgment]:
        where, args = [], []
        for column, value in (("judge", judge), ("kind", kind)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        sql = f"SELECT {JUDGMENT_FIELDS} FROM judgments" + (" WHERE " + " AND ".join(where) if where else "")
        out = []
        for row in self.db.execute(sql + " ORDER BY judge, bench, question_id, turn, model, model_b, sample", args):
            (
                key,
                kind_,
                judge_,
                prompt,
                bench,
                qid,
                turn,
                model,
                model_b,
                sample,
                score,
                winner,
                text,
                problem,
                flags,
                attempts,
                tin,
                tout,
                cost,
                source,
                created,
                request_key,
                answer_keys,
            ) = row
            out.append(
                Judgment(
                    key=key,
                    kind=kind_,
                    judge=judge_,
                    prompt=prompt,
                    bench=bench,
                    question_id=qid,
                    turn=turn,
                    model=model,
                    model_b=model_b,
                    sample=sample,
                    score=score,
                    winner=winner,
                    judgment=text,
                    problem=problem,
                    flags=tuple(json.loads(flags)),
                    attempts=attempts,
                    usage=Usage(input_tokens=tin, output_tokens=tout),
                    cost_usd=cost,
                    source=source,
                    created_at=created,
                    request_key=request_key,
                    answer_keys=tuple(tuple(c) for c in json.loads(answer_keys)),
                )
            )
        return out


# The judgments table's columns by name, in the order `judgments()` reads them (never `SELECT *` by position).
JUDGMENT_FIELDS = (
    "key, kind, judge, prompt, bench, question_id, turn, model, model_b, sample, score, winner, judgment, "
    "problem, flags, attempts, input_tokens, output_tokens, cost_usd, source, created_at, request_key, "
    "answer_keys"
)

JUDGMENT_COLUMNS = 23

_IDENTITY = ("kind", "judge", "bench", "question_id", "turn", "model", "model_b", "sample")


def judgment_row(j: Judgment) -> tuple:
    return (
        j.key,
        j.kind,
        j.judge,
        j.prompt,
        j.bench,
        j.question_id,
        j.turn,
        j.model,
        j.model_b,
        j.sample,
        j.score,
        j.winner,
        j.judgment,
        j.problem,
        json.dumps(list(j.flags)),
        j.attempts,
        j.usage.input_tokens,
        j.usage.output_tokens,
        j.cost_usd,
        j.source,
        j.created_at or now(),
        j.request_key,
        json.dumps([list(c) for c in j.answer_keys]),
    )


def check_identity(db: sqlite3.Connection, judgments: list[Judgment]) -> None:
    wanted = {j.key: tuple(getattr(j, f) for f in _IDENTITY) for j in judgments}
    keys = list(wanted)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        sql = f"SELECT key, {', '.join(_IDENTITY)} FROM judgments WHERE key IN ({', '.join('?' * len(chunk))})"
        for key, *stored in db.execute(sql, chunk):
            if tuple(stored) != wanted[key]:
                raise RuntimeError(
                    f"judgment key {key[:12]}… already holds {tuple(stored)}, not {wanted[key]}: a keying bug"
                )
