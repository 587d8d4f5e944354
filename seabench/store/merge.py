"""Stores from several machines made one: what each holds, none of it twice, nothing of two different models under one
name.

Work split with `--shard I/N` lands in one store per machine; `merge` puts them together. Every row is keyed by what
it is (an answer by its request, a judgment by its request and the answers it judged), so merging is a union: the same
stores merged twice change nothing. Before anything is written, the sources are read and checked against each other
and the target: a model name given to two specs, two settings or two checkpoints, or a question id holding two texts,
is refused in one line and nothing is merged. Claims (work in progress) and batch records (a provider's batches, which
only the store that sent them may collect) stay behind.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from . import Store

KEYED = (
    "questions",
    "models",
    "judges",
    "answers",
    "judgments",
    "checks",
    "human_items",
    "human_pair_items",
    "ratings",
    "human_pairwise",
    "token_stats",
    "failures",
)
"""Tables whose primary key says what a row is: a row already there is the same row, and is kept."""
UNKEYED = ("human_corrections",)
"""Tables without a key: a row is added when no identical row is there."""


@dataclass
class MergeResult:
    added: dict[str, int] = field(default_factory=dict)
    """Rows added to the target, per table."""
    resolved: int = 0
    """Failures dropped because another store holds the answer or judgment that failed here."""


def merge(into: Store, sources: list[Path]) -> MergeResult:
    """Add every source store's rows to `into`, in one transaction, after checking that they agree."""
    if into.path.resolve() in {s.resolve() for s in sources}:
        raise ConfigError(f"{into.path}: the store to merge into is also one of the sources; merge into another file")
    opened = [Store(s, readonly=True) for s in sources]
    try:
        _check_agreement(into, opened)
        return _copy(into, opened)
    finally:
        for store in opened:
            store.close()


def _check_agreement(into: Store, sources: list[Store]) -> None:
    """One name, one model; one question id, one question: across the target and every source."""
    models: dict[str, tuple[Path, str, str, str | None]] = {}
    questions: dict[tuple[str, str], tuple[Path, tuple]] = {}
    for store in [into, *sources]:
        for name, spec, settings, checkpoint in store.db.execute("SELECT name, spec, settings, checkpoint FROM models"):
            seen = models.get(name)
            if seen is None:
                models[name] = (store.path, spec, settings, checkpoint)
                continue
            where, spec0, settings0, checkpoint0 = seen
            if (spec0, json.loads(settings0)) != (spec, json.loads(settings)):
                raise ConfigError(
                    f"{store.path}: model name '{name}' is {spec} with {settings} here and {spec0} with {settings0} in "
                    f"{where}; two models under one name are not merged"
                )
            if checkpoint and checkpoint0 and checkpoint != checkpoint0:
                raise ConfigError(
                    f"{store.path}: model name '{name}' is the checkpoint {checkpoint} here and {checkpoint0} in "
                    f"{where}; two checkpoints under one name are not merged"
                )
            if checkpoint and not checkpoint0:
                models[name] = (where, spec0, settings0, checkpoint)
        for row in store.db.execute("SELECT bench, id, lang, category, turns, refs FROM questions"):
            key, content = (row[0], row[1]), tuple(row[2:])
            seen_q = questions.setdefault(key, (store.path, content))
            if seen_q[1] != content:
                raise ConfigError(
                    f"{store.path}: question {key[1]} of bench {key[0]} reads differently here than in {seen_q[0]}; "
                    "stores of two versions of a bench are not merged"
                )


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def _copy(into: Store, sources: list[Store]) -> MergeResult:
    result = MergeResult()
    with into.db:
        into.db.execute("BEGIN IMMEDIATE")
        for store in sources:
            for table in (*KEYED, *UNKEYED):
                columns = _columns(into.db, table)
                listed = ", ".join(columns)
                rows = store.db.execute(f"SELECT {listed} FROM {table}").fetchall()
                if table in UNKEYED:
                    have = set(into.db.execute(f"SELECT {listed} FROM {table}").fetchall())
                    rows = [r for r in rows if r not in have]
                    verb = "INSERT"
                else:
                    verb = "INSERT OR IGNORE"
                before = into.db.total_changes
                into.db.executemany(f"{verb} INTO {table} ({listed}) VALUES ({', '.join('?' * len(columns))})", rows)
                result.added[table] = result.added.get(table, 0) + into.db.total_changes - before
            # A checkpoint one store knew and another did not: the model is the same (checked above).
            into.db.executemany(
                "UPDATE models SET checkpoint = ? WHERE name = ? AND checkpoint IS NULL",
                store.db.execute("SELECT checkpoint, name FROM models WHERE checkpoint IS NOT NULL").fetchall(),
            )
        before = into.db.total_changes
        into.db.execute(
            "DELETE FROM failures WHERE (role = 'candidate' AND key IN (SELECT key FROM answers)) "
            "OR (role = 'judge' AND key IN (SELECT key FROM judgments))"
        )
        result.resolved = into.db.total_changes - before
    return result
