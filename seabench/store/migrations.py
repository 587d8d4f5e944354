"""Named, append-only schema migrations. Never edit one that has shipped: add the next."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone


M001_INITIAL = """
        CREATE TABLE questions (
            bench TEXT NOT NULL,
            id TEXT NOT NULL,
            lang TEXT NOT NULL,
            category TEXT NOT NULL,
            turns TEXT NOT NULL,          -- JSON list of user messages
            refs TEXT,                    -- JSON list (per turn) or NULL
            answer_lang TEXT,
            baseline TEXT,
            PRIMARY KEY (bench, id)
        );
        CREATE TABLE models (
            name TEXT PRIMARY KEY,        -- what reports call it
            spec TEXT NOT NULL,           -- provider:model
            settings TEXT NOT NULL        -- JSON GenerationSettings
        );
        CREATE TABLE answers (
            key TEXT PRIMARY KEY,
            bench TEXT NOT NULL,
            question_id TEXT NOT NULL,
            turn INTEGER NOT NULL,
            model TEXT NOT NULL,
            spec TEXT NOT NULL,
            text TEXT NOT NULL,
            input_tokens INTEGER,
            output_tokens INTEGER,
            latency_s REAL,
            cost_usd REAL,
            finish_reason TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX answers_by_model ON answers (model, bench, question_id, turn);
        CREATE TABLE failures (
            key TEXT PRIMARY KEY,
            bench TEXT NOT NULL,
            question_id TEXT NOT NULL,
            turn INTEGER NOT NULL,
            model TEXT NOT NULL,
            error TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            updated_at TEXT NOT NULL
        );
"""

MIGRATIONS = [("m001_initial", M001_INITIAL)]


def migrate(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        applied = datetime.now(timezone.utc).isoformat(timespec="seconds")
        # Each migration and its record commit together or not at all.
        try:
            db.executescript(f"BEGIN;\n{sql}\nINSERT INTO _migrations VALUES ('{name}', '{applied}');\nCOMMIT;")
        except sqlite3.Error:
            if db.in_transaction:
                db.rollback()
            raise
