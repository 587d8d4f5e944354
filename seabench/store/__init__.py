"""The one SQLite store every stage reads and writes. WAL on; each result committed as it completes.

Every write transaction begins IMMEDIATE: one that read first and upgraded later would fail at once with "database
is locked" when another process committed in between (SQLite does not wait in that case), which is exactly what
several processes on one store do."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from ..errors import ConfigError, NameTaken, NoStore, OldStore, StoreDamaged, StoreReadOnly
from ..records import (
    Answer,
    Bench,
    GenerationSettings,
    JudgeRun,
    Judgment,
    Question,
)
from .answers import INSERT_ANSWER, Answers, answer_row
from .batches import Batches
from .checks import Checks
from .claims import Claims, claim_owner
from .human import HumanRatings
from .judgments import JUDGMENT_COLUMNS, Judgments, check_identity, judgment_row
from .keys import answer_key, content_key, judgment_key, now
from .migrations import NewerStore, check_version, migrate

__all__ = ["Store", "claim_owner", "default_db_path", "answer_key", "content_key", "judgment_key"]


def database_error(path: Path, error: sqlite3.Error) -> ConfigError:
    """Any SQLite error as one line naming the store (the CLI adds what to do about it)."""
    text = str(error)
    if "disk is full" in text or ("disk I/O error" in text and _disk_full(path)):
        # SQLite says "disk I/O error" when it cannot grow its -shm or -wal file, which on a full disk is all it means
        return ConfigError(f"{path}: no space left on device (SQLite: {text}); free some space and run it again")
    if "readonly" in text or "read-only" in text:
        return StoreReadOnly(f"{path}: cannot write to this store ({text})")
    if (
        isinstance(error, sqlite3.DatabaseError)
        and not isinstance(error, sqlite3.OperationalError)
        or "malformed" in text
    ):
        return StoreDamaged(f"{path}: the store is damaged or not a seabench store ({text})")
    return ConfigError(f"{path}: {text}")


def _disk_full(path: Path) -> bool:
    import shutil

    try:
        return shutil.disk_usage(path.resolve().parent).free < 1 << 20
    except OSError:
        return False


def _refuse_another(name: str, spec: str, wanted: str, checkpoint: str | None, row: tuple) -> None:
    """NameTaken when the stored model `row` (spec, settings, checkpoint) is not this one."""
    if (row[0], row[1]) != (spec, wanted):
        raise NameTaken(
            f"model name '{name}' already holds answers from {row[0]} with settings {row[1]}; "
            f"this run is {spec} with {wanted}"
        )
    if checkpoint and row[2] and row[2] != checkpoint:
        changed = "its files changed since" if checkpoint.startswith(("file", "hub:")) else "its server changed"
        raise NameTaken(
            f"model name '{name}' holds answers from the checkpoint {row[2]}, and {spec} is now {checkpoint} "
            f"({changed})"
        )


def default_db_path() -> Path:
    return Path(os.environ.get("SEABENCH_DB") or "seabench.db")


class Store(Answers, HumanRatings, Claims, Batches, Judgments, Checks):
    """The store: one SQLite file. Human ratings and work claims are mixed in from their own modules."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, create: bool = True, readonly: bool = False):
        """`readonly`: for everything that only reads (reports, exports, comparisons): SQLite opens the file read-only,
        so reading can never change a store, and a store shared read-only works."""
        self.path = Path(path) if path else default_db_path()
        try:
            found = self.path.exists()
        except OSError as e:  # a folder on the way this user may not enter
            raise ConfigError(f"{self.path}: cannot read it ({e.strerror})") from None
        if (readonly or not create) and not found:
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
            raise ConfigError(
                f"{self.path}: written by a newer seabench (it has migration {e}); upgrade seabench to use it"
            ) from None
        except sqlite3.Error as e:
            raise database_error(self.path, e) from None

    def _open_readonly(self) -> None:
        try:
            empty = self.path.is_file() and self.path.stat().st_size == 0  # a Ctrl-C while the first run created it
        except OSError as e:
            raise ConfigError(f"{self.path}: cannot read it ({e.strerror})") from None
        if empty:
            raise NoStore(f"{self.path}: not a seabench store yet (an empty file)")
        try:
            try:
                self.db = self._connect_readonly("mode=ro")
                missing = check_version(self.db)
            except sqlite3.OperationalError as e:
                if "readonly" not in str(e) and "unable to open" not in str(e):
                    raise
                # A WAL store in a folder this user cannot write: SQLite cannot make its -shm file. Nobody can write
                # the store through such a folder either, so reading it as immutable is safe.
                self.db = self._connect_readonly("mode=ro&immutable=1")
                missing = check_version(self.db)
        except NewerStore as e:
            raise ConfigError(
                f"{self.path}: written by a newer seabench (it has migration {e}); upgrade seabench to use it"
            ) from None
        except sqlite3.Error as e:
            raise database_error(self.path, e) from None
        if missing:
            raise OldStore(
                f"{self.path}: written by an older seabench (it lacks {', '.join(missing)}) and opened read-only"
            )

    def _connect_readonly(self, flags: str) -> sqlite3.Connection:
        db = sqlite3.connect(f"{self.path.resolve().as_uri()}?{flags}", uri=True, isolation_level=None)
        db.execute("PRAGMA busy_timeout=10000")
        return db

    @classmethod
    def existing(cls, path: str | os.PathLike[str] | None = None) -> Store | None:
        """The store at `path` if there is one; None, without creating a file, if not (dry runs)."""
        resolved = Path(path) if path else default_db_path()
        return cls(resolved) if resolved.exists() else None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: object) -> None:
        self.close()
        if isinstance(error, sqlite3.Error):
            raise database_error(self.path, error) from None

    # questions -------------------------------------------------------------------------------------------

    def save_bench(self, bench: Bench) -> None:
        """The questions, and the baseline answers the bench ships (stored as the answers of a model named after their
        field, with the spec `bench:NAME` that marks it as the bench's baseline)."""
        baseline = _baseline_answers(bench)
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "INSERT OR REPLACE INTO questions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", _question_rows(bench)
            )
            if baseline:
                self.db.execute(
                    "INSERT OR IGNORE INTO models (name, spec, settings) VALUES (?, ?, ?)",
                    (bench.baseline_name, f"{BASELINE_SPEC}{bench.name}", GenerationSettings().model_dump_json()),
                )
                self.db.executemany(INSERT_ANSWER, [answer_row(a) for a in baseline])

    def baselines(self) -> set[str]:
        """Models whose answers a bench shipped (its baseline), not a candidate's."""
        return {
            name for name, spec in self.db.execute("SELECT name, spec FROM models") if spec.startswith(BASELINE_SPEC)
        }

    def questions(self, bench: str | None = None) -> dict[tuple[str, str], Question]:
        args: tuple[str, ...] = ()
        sql = "SELECT bench, id, lang, category, turns, refs, answer_lang, baseline, tags FROM questions"
        if bench:
            sql, args = sql + " WHERE bench = ?", (bench,)
        out = {}
        for row in self.db.execute(sql, args):
            b, qid, lang, cat, turns, refs, answer_lang, baseline, tags = row
            out[b, qid] = Question(
                id=qid,
                lang=lang,
                category=cat,
                turns=tuple(json.loads(turns)),
                references=tuple(json.loads(refs)) if refs else None,
                answer_lang=answer_lang,
                baseline=baseline,
                tags=tuple(json.loads(tags)) if tags else (),
            )
        return out

    # models ----------------------------------------------------------------------------------------------

    def register_model(self, name: str, spec: str, settings: GenerationSettings, checkpoint: str | None = None) -> None:
        """Tie a report name to one spec, one set of settings and one checkpoint, so two different runs never mix under
        one name (a checkpoint retrained in place is a different model)."""
        wanted = settings.model_dump_json()
        with self.db:
            # Read and write in one IMMEDIATE transaction: two processes starting on a new store would otherwise both
            # find no row and both insert, and the second's UNIQUE failure read as a damaged store.
            self.db.execute("BEGIN IMMEDIATE")
            row = self.db.execute("SELECT spec, settings, checkpoint FROM models WHERE name = ?", (name,)).fetchone()
            if row is None:
                self.db.execute(
                    "INSERT INTO models (name, spec, settings, checkpoint) VALUES (?, ?, ?, ?)",
                    (name, spec, wanted, checkpoint),
                )
                return
            if not self._answered(name):
                # Nothing stored under the name but failures (a mistyped URL, a model that never answered): no answers
                # to mix, so the name follows this run, and the old identity's failures go with it.
                self.db.execute(
                    "UPDATE models SET spec = ?, settings = ?, checkpoint = ? WHERE name = ?",
                    (spec, wanted, checkpoint, name),
                )
                self.db.execute("DELETE FROM failures WHERE model = ?", (name,))
                return
            _refuse_another(name, spec, wanted, checkpoint, row)
            if checkpoint and not row[2]:
                self.db.execute("UPDATE models SET checkpoint = ? WHERE name = ?", (checkpoint, name))

    def check_model(self, name: str, spec: str, settings: GenerationSettings, checkpoint: str | None = None) -> None:
        """What `register_model` would refuse, refused without writing: a run checks every model before its first
        request, so the second model's changed settings are not found after the first model's answers are paid for."""
        row = self.db.execute("SELECT spec, settings, checkpoint FROM models WHERE name = ?", (name,)).fetchone()
        if row is not None and self._answered(name):
            _refuse_another(name, spec, settings.model_dump_json(), checkpoint, row)

    def _answered(self, name: str) -> bool:
        """Whether any answer is stored under this model name (what a changed identity would mix with)."""
        return self.db.execute("SELECT 1 FROM answers WHERE model = ? LIMIT 1", (name,)).fetchone() is not None

    def register_judge(
        self, name: str, spec: str, settings: GenerationSettings, prompts: str, prompts_hash: str
    ) -> None:
        """Record a judge run's identity (what a report's header shows): name, spec, settings and which prompts."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT OR REPLACE INTO judges VALUES (?, ?, ?, ?, ?, ?)",
                (name, spec, settings.model_dump_json(), prompts, prompts_hash, now()),
            )

    def judges(self) -> list[JudgeRun]:
        """Every judge run recorded, oldest first."""
        return [
            JudgeRun(name=n, spec=s, prompts=p, prompts_hash=h)
            for n, s, p, h in self.db.execute("SELECT name, spec, prompts, prompts_hash FROM judges ORDER BY last_run")
        ]

    def models(self) -> dict[str, tuple[str, GenerationSettings]]:
        return {
            name: (spec, GenerationSettings.model_validate_json(settings))
            for name, spec, settings in self.db.execute("SELECT name, spec, settings FROM models ORDER BY name")
        }

    def add_imported(self, bench: Bench, answers: list[Answer], judgments: list[Judgment]) -> int:
        """Questions, answers and judgments from another tool's files, in one transaction; returns rows added."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            before = self.db.total_changes
            self.db.executemany(
                "INSERT OR REPLACE INTO questions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", _question_rows(bench)
            )
            self.db.executemany(INSERT_ANSWER, [answer_row(a) for a in answers])
            check_identity(self.db, judgments)
            self.db.executemany(
                f"INSERT OR IGNORE INTO judgments VALUES ({', '.join('?' * JUDGMENT_COLUMNS)})",
                [judgment_row(j) for j in judgments],
            )
            return self.db.total_changes - before - len(bench.questions)


BASELINE_SPEC = "bench:"


def _baseline_answers(bench: Bench) -> list[Answer]:
    if not bench.baseline_name:
        return []
    return [
        Answer(
            key=content_key("answer/baseline", {"bench": bench.name, "question": q.id, "text": q.baseline}),
            bench=bench.name,
            question_id=q.id,
            turn=1,
            model=bench.baseline_name,
            spec=f"{BASELINE_SPEC}{bench.name}",
            text=q.baseline,
            created_at=now(),
        )
        for q in bench.questions
        if q.baseline
    ]


def _question_rows(bench: Bench) -> list[tuple]:
    return [
        (
            bench.name,
            q.id,
            q.lang,
            q.category,
            json.dumps(q.turns, ensure_ascii=False),
            json.dumps(q.references, ensure_ascii=False) if q.references else None,
            q.answer_lang,
            q.baseline,
            json.dumps(q.tags, ensure_ascii=False) if q.tags else None,
        )
        for q in bench.questions
    ]
