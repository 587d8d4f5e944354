"""The one SQLite store every stage reads and writes. WAL on; each result committed as it completes."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from ..errors import ConfigError
from ..records import Answer, Bench, Failure, GenerationSettings, Question, Usage
from .keys import answer_key, content_key
from .migrations import migrate

__all__ = ["Store", "default_db_path", "answer_key", "content_key"]


def default_db_path() -> Path:
    return Path(os.environ.get("SEABENCH_DB") or "seabench.db")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class Store:
    def __init__(self, path: str | os.PathLike[str] | None = None, *, create: bool = True):
        self.path = Path(path) if path else default_db_path()
        if not create and not self.path.exists():
            raise ConfigError(f"{self.path}: no seabench store here yet (run `seabench generate` first, or pass --db)")
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode survives a killed process (only power loss can drop the last commits).
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA busy_timeout=10000")
            migrate(self.db)
        except sqlite3.DatabaseError as e:
            raise ConfigError(f"{self.path}: not a usable seabench store ({e})") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # questions -------------------------------------------------------------------------------------------

    def save_bench(self, bench: Bench) -> None:
        rows = [
            (
                bench.name, q.id, q.lang, q.category, json.dumps(q.turns, ensure_ascii=False),
                json.dumps(q.references, ensure_ascii=False) if q.references else None, q.answer_lang, q.baseline,
            )
            for q in bench.questions
        ]
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO questions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def questions(self, bench: str | None = None) -> dict[tuple[str, str], Question]:
        sql, args = "SELECT * FROM questions", ()
        if bench:
            sql, args = sql + " WHERE bench = ?", (bench,)
        out = {}
        for row in self.db.execute(sql, args):
            b, qid, lang, cat, turns, refs, answer_lang, baseline = row
            out[b, qid] = Question(
                id=qid, lang=lang, category=cat, turns=tuple(json.loads(turns)),
                references=tuple(json.loads(refs)) if refs else None, answer_lang=answer_lang, baseline=baseline,
            )
        return out

    # models ----------------------------------------------------------------------------------------------

    def register_model(self, name: str, spec: str, settings: GenerationSettings) -> None:
        """Tie a report name to one spec and one set of settings, so two different runs never mix under one name."""
        wanted = settings.model_dump_json()
        row = self.db.execute("SELECT spec, settings FROM models WHERE name = ?", (name,)).fetchone()
        if row is None:
            self.db.execute("INSERT INTO models VALUES (?, ?, ?)", (name, spec, wanted))
        elif (row[0], row[1]) != (spec, wanted):
            raise ConfigError(
                f"model name '{name}' already holds answers from {row[0]} with settings {row[1]}; "
                f"this run is {spec} with {wanted}. Store it under another name with --name"
            )

    def models(self) -> dict[str, tuple[str, GenerationSettings]]:
        return {
            name: (spec, GenerationSettings.model_validate_json(settings))
            for name, spec, settings in self.db.execute("SELECT name, spec, settings FROM models ORDER BY name")
        }

    # answers ---------------------------------------------------------------------------------------------

    def answer_texts(self, model: str) -> dict[str, str]:
        """Every stored answer of one model, by key (what resume needs: which requests are done, and their text)."""
        return dict(self.db.execute("SELECT key, text FROM answers WHERE model = ?", (model,)))

    def add_answer(self, answer: Answer) -> None:
        """Commit one answer now; a second write of the same key changes nothing."""
        u = answer.usage
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute(
                "INSERT OR IGNORE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    answer.key, answer.bench, answer.question_id, answer.turn, answer.model, answer.spec, answer.text,
                    u.input_tokens, u.output_tokens, answer.latency_s, answer.cost_usd, answer.finish_reason,
                    answer.created_at or now(),
                ),
            )
            self.db.execute("DELETE FROM failures WHERE key = ?", (answer.key,))

    def add_failure(self, failure: Failure) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute(
                "INSERT INTO failures VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                "error = excluded.error, attempts = failures.attempts + excluded.attempts, updated_at = excluded.updated_at",
                (failure.key, failure.bench, failure.question_id, failure.turn, failure.model, failure.error,
                 failure.attempts, failure.updated_at or now()),
            )

    def answers(self, model: str | None = None, bench: str | None = None) -> list[Answer]:
        sql = "SELECT * FROM answers"
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
        sql, args = "SELECT * FROM failures", ()
        if model:
            sql, args = sql + " WHERE model = ?", (model,)
        return [
            Failure(key=k, bench=b, question_id=q, turn=t, model=m, error=e, attempts=a, updated_at=u)
            for k, b, q, t, m, e, a, u in self.db.execute(sql + " ORDER BY model, question_id, turn", args)
        ]


def _answer(row: tuple) -> Answer:
    key, bench, qid, turn, model, spec, text, tin, tout, latency, cost, finish, created = row
    return Answer(
        key=key, bench=bench, question_id=qid, turn=turn, model=model, spec=spec, text=text,
        usage=Usage(input_tokens=tin, output_tokens=tout), latency_s=latency, cost_usd=cost,
        finish_reason=finish, created_at=created,
    )
