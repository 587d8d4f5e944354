"""The one SQLite store every stage reads and writes. WAL on; each result committed as it completes.

Every write transaction begins IMMEDIATE: one that read first and upgraded later would fail at once with "database
is locked" when another process committed in between (SQLite does not wait in that case), which is exactly what
several processes on one store do."""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path

from ..errors import ConfigError, NameTaken, NoStore, OldStore, StoreDamaged, StoreReadOnly
from ..records import (
    Answer,
    Bench,
    Failure,
    GenerationSettings,
    Judgment,
    LanguageCheck,
    PairRating,
    Question,
    Rating,
    ScriptHealth,
    TokenRow,
    Usage,
)
from .keys import answer_key, content_key, judgment_key
from .migrations import NewerStore, check_version, migrate

__all__ = ["Store", "claim_owner", "default_db_path", "answer_key", "content_key", "judgment_key"]


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


def database_error(path: Path, error: sqlite3.Error) -> ConfigError:
    """Any SQLite error as one line naming the store (the CLI adds what to do about it)."""
    text = str(error)
    if "readonly" in text or "read-only" in text:
        return StoreReadOnly(f"{path}: cannot write to this store ({text})")
    if isinstance(error, sqlite3.DatabaseError) and not isinstance(error, sqlite3.OperationalError) or "malformed" in text:
        return StoreDamaged(f"{path}: the store is damaged or not a seabench store ({text})")
    return ConfigError(f"{path}: {text}")


def default_db_path() -> Path:
    return Path(os.environ.get("SEABENCH_DB") or "seabench.db")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class Store:
    def __init__(self, path: str | os.PathLike[str] | None = None, *, create: bool = True, readonly: bool = False):
        """`readonly`: for everything that only reads (reports, exports, comparisons): SQLite opens the file read-only,
        so reading can never change a store, and a store shared read-only works."""
        self.path = Path(path) if path else default_db_path()
        if (readonly or not create) and not self.path.exists():
            raise NoStore(f"{self.path}: no seabench store here yet")
        if readonly:
            self._open_readonly()
            return
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None)
            # Before anything that may wait on another process's lock.
            self.db.execute("PRAGMA busy_timeout=10000")
            self.db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode survives a killed process (only power loss can drop the last commits).
            self.db.execute("PRAGMA synchronous=NORMAL")
            migrate(self.db)
        except NewerStore as e:
            raise ConfigError(f"{self.path}: written by a newer seabench (it has migration {e}); upgrade seabench to use it") from None
        except sqlite3.Error as e:
            raise database_error(self.path, e) from None

    def _open_readonly(self) -> None:
        try:
            self.db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
            self.db.execute("PRAGMA busy_timeout=10000")
            missing = check_version(self.db)
        except NewerStore as e:
            raise ConfigError(f"{self.path}: written by a newer seabench (it has migration {e}); upgrade seabench to use it") from None
        except sqlite3.Error as e:
            raise database_error(self.path, e) from None
        if missing:
            raise OldStore(f"{self.path}: written by an older seabench (it lacks {', '.join(missing)}) and opened read-only")

    @classmethod
    def existing(cls, path: str | os.PathLike[str] | None = None) -> Store | None:
        """The store at `path` if there is one; None, without creating a file, if not (dry runs)."""
        resolved = Path(path) if path else default_db_path()
        return cls(resolved) if resolved.exists() else None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        self.close()
        if isinstance(error, sqlite3.Error):
            raise database_error(self.path, error) from None

    # questions -------------------------------------------------------------------------------------------

    def save_bench(self, bench: Bench) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR REPLACE INTO questions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", _question_rows(bench))

    def questions(self, bench: str | None = None) -> dict[tuple[str, str], Question]:
        args: tuple[str, ...] = ()
        sql = "SELECT * FROM questions"
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
            raise NameTaken(
                f"model name '{name}' already holds answers from {row[0]} with settings {row[1]}; "
                f"this run is {spec} with {wanted}"
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

    def add_answer(self, answer: Answer) -> int:
        """Commit one answer now; a second write of the same key changes nothing. Returns 1 if it was written."""
        u = answer.usage
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            before = self.db.total_changes
            self.db.execute(
                "INSERT OR IGNORE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    answer.key, answer.bench, answer.question_id, answer.turn, answer.model, answer.spec, answer.text,
                    u.input_tokens, u.output_tokens, answer.latency_s, answer.cost_usd, answer.finish_reason,
                    answer.created_at or now(),
                ),
            )
            written = self.db.total_changes - before
            self.db.execute("DELETE FROM failures WHERE key = ?", (answer.key,))
            return written

    def add_failure(self, failure: Failure) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT INTO failures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                "error = excluded.error, attempts = failures.attempts + excluded.attempts, updated_at = excluded.updated_at",
                (failure.key, failure.bench, failure.question_id, failure.turn, failure.model, failure.error,
                 failure.attempts, failure.updated_at or now(), failure.role),
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
        """Requests that still fail, candidates' and judges' (`role`); a later success removes its row."""
        args: tuple[str, ...] = ()
        sql = "SELECT * FROM failures"
        if model:
            sql, args = sql + " WHERE model = ?", (model,)
        return [
            Failure(key=k, bench=b, question_id=q, turn=t, model=m, error=e, attempts=a, updated_at=u, role=r)
            for k, b, q, t, m, e, a, u, r in self.db.execute(sql + " ORDER BY model, question_id, turn", args)
        ]


    # claims: several processes on one store split the work ------------------------------------------------------

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

    # judgments ---------------------------------------------------------------------------------------------

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
            _check_identity(self.db, judgments)
            before = self.db.total_changes
            self.db.executemany(f"INSERT OR IGNORE INTO judgments VALUES ({', '.join('?' * JUDGMENT_COLUMNS)})", [_judgment_row(j) for j in judgments])
            written = self.db.total_changes - before
            self.db.executemany("DELETE FROM failures WHERE key = ?", [(j.key,) for j in judgments])
            return written

    def judgments(self, judge: str | None = None, kind: str | None = None) -> list[Judgment]:
        where, args = [], []
        for column, value in (("judge", judge), ("kind", kind)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        sql = "SELECT * FROM judgments" + (" WHERE " + " AND ".join(where) if where else "")
        out = []
        for row in self.db.execute(sql + " ORDER BY judge, bench, question_id, turn, model, model_b, sample", args):
            (key, kind_, judge_, prompt, bench, qid, turn, model, model_b, sample, score, winner, text, problem, flags,
             attempts, tin, tout, cost, source, created, request_key, answer_keys) = row
            out.append(Judgment(
                key=key, kind=kind_, judge=judge_, prompt=prompt, bench=bench, question_id=qid, turn=turn, model=model,
                model_b=model_b, sample=sample, score=score, winner=winner, judgment=text, problem=problem,
                flags=tuple(json.loads(flags)), attempts=attempts, usage=Usage(input_tokens=tin, output_tokens=tout),
                cost_usd=cost, source=source, created_at=created, request_key=request_key,
                answer_keys=tuple(tuple(c) for c in json.loads(answer_keys)),
            ))
        return out

    # checks ------------------------------------------------------------------------------------------------

    def checked_keys(self, kind: str) -> set[str]:
        """Answer keys that already have a check of `kind` (`language` or `script-health`)."""
        return {row[0] for row in self.db.execute("SELECT answer_key FROM checks WHERE kind = ?", (kind,))}

    def add_checks(self, results: dict[str, LanguageCheck | ScriptHealth]) -> None:
        """Answer key → its check; a new check of the same kind replaces the old one."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR REPLACE INTO checks VALUES (?, ?, ?)",
                                [(k, CHECK_KINDS[type(v)], v.model_dump_json()) for k, v in results.items()])

    def language_checks(self) -> dict[str, LanguageCheck]:
        return {k: LanguageCheck.model_validate_json(v) for k, v in self.db.execute("SELECT answer_key, result FROM checks WHERE kind = 'language'")}

    def script_health(self) -> dict[str, ScriptHealth]:
        return {k: ScriptHealth.model_validate_json(v) for k, v in self.db.execute("SELECT answer_key, result FROM checks WHERE kind = 'script-health'")}

    def save_token_stats(self, rows: list[TokenRow]) -> None:
        """A new measurement of a (model spec, language) replaces the old one."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR REPLACE INTO token_stats VALUES (?, ?, ?, ?)",
                                [(r.model, r.lang, r.model_dump_json(), now()) for r in rows])

    def token_stats(self) -> list[TokenRow]:
        return [TokenRow.model_validate_json(row[0]) for row in self.db.execute("SELECT result FROM token_stats ORDER BY model, lang")]

    # human ratings -----------------------------------------------------------------------------------------

    def human_items(self) -> dict[str, tuple[str, str, int, str]]:
        """Blind item id → (bench, question id, turn, model)."""
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in self.db.execute("SELECT item_id, bench, question_id, turn, model FROM human_items")}

    def add_human_items(self, items: dict[str, tuple[str, str, int, str]]) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "INSERT OR IGNORE INTO human_items VALUES (?, ?, ?, ?, ?, ?)",
                [(item, b, q, t, m, now()) for item, (b, q, t, m) in items.items()],
            )

    def human_pair_items(self) -> dict[str, tuple[str, str, int, str, str]]:
        """Blind pairwise item id → (bench, question id, turn, model shown as A, model shown as B)."""
        return {r[0]: tuple(r[1:6]) for r in self.db.execute("SELECT item_id, bench, question_id, turn, model_a, model_b FROM human_pair_items")}

    def add_human_pair_items(self, items: dict[str, tuple[str, str, int, str, str]]) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR IGNORE INTO human_pair_items VALUES (?, ?, ?, ?, ?, ?, ?)",
                                [(item, *values, now()) for item, values in items.items()])

    def ratings(self) -> list[Rating]:
        return [
            Rating(annotator=a, bench=b, question_id=q, turn=t, model=m, score=s, comment=c)
            for a, b, q, t, m, s, c in self.db.execute(
                "SELECT annotator, bench, question_id, turn, model, score, comment FROM ratings ORDER BY annotator, bench, question_id, turn, model"
            )
        ]

    def pair_ratings(self) -> list[PairRating]:
        return [
            PairRating(annotator=a, bench=b, question_id=q, turn=t, model_a=ma, model_b=mb, winner=w, comment=c)
            for a, b, q, t, ma, mb, w, c in self.db.execute(
                "SELECT annotator, bench, question_id, turn, model_a, model_b, winner, comment FROM human_pairwise ORDER BY 1, 2, 3, 4, 5, 6"
            )
        ]

    def add_human(self, ratings: list[Rating], pairs: list[PairRating], source_file: str, *, replace: bool = False) -> tuple[int, int]:
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
                [(r.annotator, r.bench, r.question_id, r.turn, r.model, r.score, r.comment, source_file, stamp) for r in ratings],
            )
            self.db.executemany(
                f"{verb} INTO human_pairwise VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(p.annotator, p.bench, p.question_id, p.turn, p.model_a, p.model_b, p.winner, p.comment, source_file, stamp) for p in pairs],
            )
            written = self.db.total_changes - before
            return (len(ratings) + len(pairs) - existing if replace else written), corrected

    def _record_corrections(self, ratings: list[Rating], pairs: list[PairRating], source_file: str, stamp: str) -> tuple[int, int]:
        """Keep the old value of every rating about to be replaced; returns (ratings already stored, ones that change)."""
        rows, existing = [], 0
        for r in ratings:
            old = self.db.execute("SELECT score FROM ratings WHERE annotator = ? AND bench = ? AND question_id = ? AND turn = ? AND model = ?",
                                  (r.annotator, r.bench, r.question_id, r.turn, r.model)).fetchone()
            existing += old is not None
            if old is not None and old[0] != r.score:
                rows.append((r.annotator, r.bench, r.question_id, r.turn, r.model, f"{old[0]:g}", f"{r.score:g}", source_file, stamp))
        for p in pairs:
            old = self.db.execute("SELECT winner FROM human_pairwise WHERE annotator = ? AND bench = ? AND question_id = ? AND turn = ? "
                                  "AND model_a = ? AND model_b = ?", (p.annotator, p.bench, p.question_id, p.turn, p.model_a, p.model_b)).fetchone()
            existing += old is not None
            if old is not None and old[0] != p.winner:
                rows.append((p.annotator, p.bench, p.question_id, p.turn, f"{p.model_a} vs {p.model_b}", old[0], p.winner, source_file, stamp))
        self.db.executemany("INSERT INTO human_corrections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return existing, len(rows)

    def add_imported(self, bench: Bench, answers: list[Answer], judgments: list[Judgment]) -> int:
        """Questions, answers and judgments from another tool's files, in one transaction; returns rows added."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            before = self.db.total_changes
            self.db.executemany("INSERT OR REPLACE INTO questions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", _question_rows(bench))
            self.db.executemany(
                "INSERT OR IGNORE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (a.key, a.bench, a.question_id, a.turn, a.model, a.spec, a.text, a.usage.input_tokens,
                     a.usage.output_tokens, a.latency_s, a.cost_usd, a.finish_reason, a.created_at or now())
                    for a in answers
                ],
            )
            _check_identity(self.db, judgments)
            self.db.executemany(f"INSERT OR IGNORE INTO judgments VALUES ({', '.join('?' * JUDGMENT_COLUMNS)})", [_judgment_row(j) for j in judgments])
            return self.db.total_changes - before - len(bench.questions)


CHECK_KINDS = {LanguageCheck: "language", ScriptHealth: "script-health"}


def _question_rows(bench: Bench) -> list[tuple]:
    return [
        (
            bench.name, q.id, q.lang, q.category, json.dumps(q.turns, ensure_ascii=False),
            json.dumps(q.references, ensure_ascii=False) if q.references else None, q.answer_lang, q.baseline,
        )
        for q in bench.questions
    ]


JUDGMENT_COLUMNS = 23
_IDENTITY = ("kind", "judge", "bench", "question_id", "turn", "model", "model_b", "sample")


def _judgment_row(j: Judgment) -> tuple:
    return (
        j.key, j.kind, j.judge, j.prompt, j.bench, j.question_id, j.turn, j.model, j.model_b, j.sample, j.score,
        j.winner, j.judgment, j.problem, json.dumps(list(j.flags)), j.attempts, j.usage.input_tokens,
        j.usage.output_tokens, j.cost_usd, j.source, j.created_at or now(), j.request_key,
        json.dumps([list(c) for c in j.answer_keys]),
    )


def _check_identity(db: sqlite3.Connection, judgments: list[Judgment]) -> None:
    wanted = {j.key: tuple(getattr(j, f) for f in _IDENTITY) for j in judgments}
    keys = list(wanted)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        sql = f"SELECT key, {', '.join(_IDENTITY)} FROM judgments WHERE key IN ({', '.join('?' * len(chunk))})"
        for key, *stored in db.execute(sql, chunk):
            if tuple(stored) != wanted[key]:
                raise RuntimeError(f"judgment key {key[:12]}… already holds {tuple(stored)}, not {wanted[key]}: a keying bug")


def _answer(row: tuple) -> Answer:
    key, bench, qid, turn, model, spec, text, tin, tout, latency, cost, finish, created = row
    return Answer(
        key=key, bench=bench, question_id=qid, turn=turn, model=model, spec=spec, text=text,
        usage=Usage(input_tokens=tin, output_tokens=tout), latency_s=latency, cost_usd=cost,
        finish_reason=finish, created_at=created,
    )
