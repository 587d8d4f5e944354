"""The batch ledger: every provider batch a run created, with the requests it holds, stored the moment it exists, so a
killed or re-run command collects that batch instead of paying for the same requests again."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone


class Batches:
    db: sqlite3.Connection

    def add_batch(
        self, batch_id: str, spec: str, name: str, role: str, custom_ids: list[str], token: str | None = None
    ) -> None:
        """Record a batch the provider has just accepted, holding these requests (store keys as custom ids); the
        intent recorded under `token` before the create call is done with."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            if token is not None:
                self.db.execute("DELETE FROM batches WHERE id = ?", (f"intent:{token}",))
            # An id a server hands out again (a local stand-in restarted) starts a new record.
            self.db.execute("DELETE FROM batch_items WHERE batch_id = ?", (batch_id,))
            self.db.execute(
                "INSERT OR REPLACE INTO batches (id, spec, name, role, created_at, requests) VALUES (?, ?, ?, ?, ?, ?)",
                (batch_id, spec, name, role, now, len(custom_ids)),
            )
            self.db.executemany("INSERT INTO batch_items VALUES (?, ?)", [(batch_id, c) for c in custom_ids])

    def intend_batch(self, token: str, spec: str, name: str, role: str, requests: int) -> float:
        """Record, before the create call, that a batch of these requests is about to be made; returns when that was
        first recorded (unix seconds), so a run after a lost create reply knows since when to look for the batch the
        provider made. Kept as a row of `batches` with no requests listed: never collected, never mistaken for one."""
        now = datetime.now(timezone.utc)
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT OR IGNORE INTO batches (id, spec, name, role, created_at, requests, status) "
                "VALUES (?, ?, ?, ?, ?, ?, 'intent')",
                (f"intent:{token}", spec, name, role, now.isoformat(timespec="seconds"), requests),
            )
            (first,) = self.db.execute("SELECT created_at FROM batches WHERE id = ?", (f"intent:{token}",)).fetchone()
        return datetime.fromisoformat(first).timestamp()

    def known_batches(self) -> set[str]:
        """Every provider batch this store has made, collected or not, for any model or judge."""
        return {row[0] for row in self.db.execute("SELECT id FROM batches WHERE status IS NOT 'intent'")}

    def open_batches(self, spec: str, name: str, role: str) -> dict[str, set[str]]:
        """Batches of this model or judge not collected yet: batch id → the custom ids it holds."""
        rows = self.db.execute(
            "SELECT b.id, i.custom_id FROM batches b JOIN batch_items i ON i.batch_id = b.id "
            "WHERE b.spec = ? AND b.name = ? AND b.role = ? AND b.collected_at IS NULL ORDER BY b.created_at",
            (spec, name, role),
        )
        out: dict[str, set[str]] = {}
        for batch_id, custom_id in rows:
            out.setdefault(batch_id, set()).add(custom_id)
        return out

    def batch_collected(self, batch_id: str, status: str) -> None:
        """The batch's results are in the store (or recorded as failures): never collect it again."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("UPDATE batches SET collected_at = ?, status = ? WHERE id = ?", (now, status, batch_id))
