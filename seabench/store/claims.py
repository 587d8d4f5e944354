"""Claims: several processes on one store split the work, each request sent by one of them."""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
import time


def claim_owner() -> str:
    """This process, as a claim names it: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _alive(owner: str) -> bool:
    """Whether a claim's owner may still be working: a process on another host is taken on trust until its lease lapses;
    one on this host that is gone (killed -9, say) is not, so a re-run right after takes its work over at once."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Claims:
    db: sqlite3.Connection

    def claim(self, key: str, owner: str, lease_s: float, table: str) -> bool:
        """Take `key` for `owner` unless its result is in `table` (answers or judgments) or another live owner holds it.

        One immediate transaction, so two processes never both win; a lease lapses after `lease_s` seconds, so the
        claims of a killed process are taken over by the next run."""
        if table not in ("answers", "judgments"):
            raise ValueError(table)
        now = time.time()
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            if self.db.execute(f"SELECT 1 FROM {table} WHERE key = ?", (key,)).fetchone():
                return False
            held = self.db.execute("SELECT owner, expires_at FROM claims WHERE key = ?", (key,)).fetchone()
            if held and held[0] != owner and held[1] >= now and _alive(held[0]):
                return False
            self.db.execute("INSERT OR REPLACE INTO claims VALUES (?, ?, ?)", (key, owner, now + lease_s))
            return True

    def release(self, owner: str) -> None:
        """Give back every claim of `owner` (a run that ends, however it ends)."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("DELETE FROM claims WHERE owner = ?", (owner,))
