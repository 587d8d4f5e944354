"""A store that is damaged, read-only or from a newer seabench: one line naming it, exit 2, the file untouched."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from seabench.errors import StoreReadOnly
from seabench.records import Answer
from seabench.store import Store

from .fakes import FakeServer

ENV = {"OPENAI_API_KEY": "k"}


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """A store holding the bundled bench's answers, across many pages."""
    from typer.testing import CliRunner

    from seabench.cli import app

    folder = tmp_path_factory.mktemp("filled")
    db = folder / "s.db"
    with FakeServer("openai") as server:
        result = CliRunner().invoke(
            app, ["generate", "--model", "openai:m", "--db", str(db), "--base-url", server.url], env=ENV
        )
        assert result.exit_code == 0, result.output
    return db


def _corrupt_answers(src, dst):
    """Overwrite the answers table's root page with noise; the header and the schema stay intact."""
    dst.write_bytes(src.read_bytes())
    con = sqlite3.connect(dst)
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'answers'").fetchone()[0]
    con.close()
    data = bytearray(dst.read_bytes())
    start = (root - 1) * page_size
    data[start : start + page_size] = bytes((i * 37 + 11) % 256 for i in range(page_size))
    dst.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "args",
    [
        ("answers",),
        ("report",),
        ("check",),
        ("generate", "--model", "openai:m"),
        ("judge", "--judge", "openai:j"),
        ("export", "fastchat", "out"),
    ],
)
def test_a_damaged_store_is_one_line_and_left_untouched(cli, filled, tmp_path, args):
    db = tmp_path / "damaged.db"
    _corrupt_answers(filled, db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with FakeServer("openai") as server:
        args = tuple(str(tmp_path / a) if a == "out" else a for a in args)
        result = cli(*args, "--db", db, *(("--base-url", server.url) if args[0] == "generate" else ()), env=ENV)
        assert server.requests == []
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: {db}: the store is damaged") and lines[1].startswith(
        "hint: nothing was changed"
    )
    assert "Traceback" not in result.output
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_a_store_from_a_newer_seabench_is_refused_by_name(cli, filled, tmp_path):
    db = tmp_path / "newer.db"
    db.write_bytes(filled.read_bytes())
    con = sqlite3.connect(db)
    con.execute("INSERT INTO _migrations VALUES ('m099_from_the_future', '2027-01-01')")
    con.commit()
    con.close()
    for args in (("report",), ("check",), ("answers",)):
        result = cli(*args, "--db", db)
        assert (
            result.exit_code == 2
            and "written by a newer seabench (it has migration m099_from_the_future)" in result.stderr
        )


def test_writing_through_a_read_only_store_is_one_clear_error(filled, tmp_path):
    """As root a chmod cannot stop a write, so the store is opened read-only, as a read-only file would force."""
    db = tmp_path / "ro.db"
    db.write_bytes(filled.read_bytes())
    answer = Answer(key="x", bench="b", question_id="q", turn=1, model="m", spec="openai:m", text="t")
    with pytest.raises(StoreReadOnly, match="cannot write to this store"):
        with Store(db, readonly=True) as store:
            store.add_answer(answer)


def test_a_corrupt_store_never_leaks_a_traceback_from_a_dry_run(cli, filled, tmp_path):
    db = tmp_path / "damaged.db"
    _corrupt_answers(filled, db)
    result = cli("generate", "--model", "openai:m", "--db", db, "--dry-run", env=ENV)
    assert result.exit_code == 2 and "the store is damaged" in result.stderr
    assert json.dumps(result.stderr).count("\\n") <= 2


def test_an_empty_store_file_is_not_a_store_yet(cli, tmp_path):
    db = tmp_path / "s.db"
    db.write_bytes(b"")  # what a Ctrl-C during the first run's creation can leave
    for args in (("report",), ("answers",), ("agreement",)):
        result = cli(*args, "--db", db)
        assert result.exit_code == 2 and "not a seabench store yet" in result.stderr, (args, result.stderr)


def test_a_store_in_a_folder_this_user_cannot_write_is_still_read(tmp_path):
    """As another user, a store in a read-only folder: SQLite cannot make the WAL's -shm file there."""
    import os
    import shutil
    import subprocess
    import sys

    from .synthetic import synthetic_store

    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root and setpriv to act as another user")
    drop = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    if subprocess.run([*drop, sys.executable, "-c", "import seabench"], capture_output=True).returncode != 0:
        pytest.skip("the nobody user cannot run this interpreter here")
    import tempfile

    base = Path(tempfile.mkdtemp(dir="/tmp"))  # pytest's own tmp folders are closed to other users
    base.chmod(0o755)
    folder = base / "ro"
    folder.mkdir()
    synthetic_store(folder / "s.db", 2, categories=("safety",), langs=("th",))
    (folder / "s.db").chmod(0o444)
    folder.chmod(0o555)
    for args in (("report", "--format", "json"), ("answers", "--format", "jsonl")):
        result = subprocess.run(
            [*drop, sys.executable, "-m", "seabench", *args, "--db", str(folder / "s.db")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, (args, result.stderr)
        assert result.stdout.strip()
    folder.chmod(0o755)
    shutil.rmtree(base)


def test_a_full_disk_says_so_on_reading_commands_too(tmp_path, monkeypatch):
    """Reading a WAL store needs its -shm file; on a full disk SQLite says only "disk I/O error" (#24)."""
    import shutil
    import sqlite3
    from collections import namedtuple

    from seabench.store import database_error

    usage = namedtuple("usage", "total used free")
    db = tmp_path / "s.db"
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10 << 30, 10 << 30, 0))
    said = str(database_error(db, sqlite3.OperationalError("disk I/O error")))
    assert said.startswith(f"{db}: no space left on device")
    assert "no space left" in str(database_error(db, sqlite3.OperationalError("database or disk is full")))
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10 << 30, 1 << 30, 9 << 30))
    assert "no space left" not in str(database_error(db, sqlite3.OperationalError("disk I/O error")))
