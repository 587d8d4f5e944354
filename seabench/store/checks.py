"""Checks without an LLM (language, script health) and token measurements, stored as JSON per answer or per model
and language."""

from __future__ import annotations

import sqlite3

from ..records import LanguageCheck, ScriptHealth, TokenRow
from .keys import now


class Checks:
    db: sqlite3.Connection

    def checked_keys(self, kind: str) -> set[str]:
        """Answer keys that already have a check of `kind` (`language` or `script-health`)."""
        return {row[0] for row in self.db.execute("SELECT answer_key FROM checks WHERE kind = ?", (kind,))}

    def add_checks(self, results: dict[str, LanguageCheck | ScriptHealth]) -> None:
        """Answer key → its check; a new check of the same kind replaces the old one."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "INSERT OR REPLACE INTO checks VALUES (?, ?, ?)",
                [(k, CHECK_KINDS[type(v)], v.model_dump_json()) for k, v in results.items()],
            )

    def language_checks(self) -> dict[str, LanguageCheck]:
        return {
            k: LanguageCheck.model_validate_json(v)
            for k, v in self.db.execute("SELECT answer_key, result FROM checks WHERE kind = 'language'")
        }

    def script_health(self) -> dict[str, ScriptHealth]:
        return {
            k: ScriptHealth.model_validate_json(v)
            for k, v in self.db.execute("SELECT answer_key, result FROM checks WHERE kind = 'script-health'")
        }

    def save_token_stats(self, rows: list[TokenRow]) -> None:
        """A new measurement of a (model spec, language) replaces the old one."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "INSERT OR REPLACE INTO token_stats VALUES (?, ?, ?, ?)",
                [(r.model, r.lang, r.model_dump_json(), now()) for r in rows],
            )

    def token_stats(self) -> list[TokenRow]:
        return [
            TokenRow.model_validate_json(row[0])
            for row in self.db.execute("SELECT result FROM token_stats ORDER BY model, lang")
        ]


CHECK_KINDS = {LanguageCheck: "language", ScriptHealth: "script-health"}
