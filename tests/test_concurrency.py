"""Several processes on one store split the work; a killed process's claims do not block the next run."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from .conftest import ROOT
from .fakes import FakeServer


def _turns(limit_total: int) -> int:
    """Answers the first `limit_total` questions of the bundled bench make: one per turn."""
    from seabench.bench import load_bench
    from seabench.bench.select import select_questions

    return sum(len(q.turns) for q in select_questions(load_bench(None).questions, "", limit_total=limit_total))


def _generate_args(db, url, *extra):
    return [
        sys.executable,
        "-m",
        "seabench",
        "generate",
        "--model",
        "openai:m",
        "--db",
        str(db),
        "--base-url",
        url,
        *extra,
    ]


def test_three_processes_on_a_new_store_split_the_work(tmp_path):
    db = tmp_path / "shared.db"
    env = {**os.environ, "OPENAI_API_KEY": "k"}
    with FakeServer("openai", latency=0.05) as server:
        procs = [
            subprocess.Popen(
                _generate_args(db, server.url, "--limit-total", "40", "--concurrency", "4"),
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        results = [p.communicate(timeout=120) for p in procs]
        bodies = [str(r["body"]["messages"]) for r in server.requests]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in results]
    con = sqlite3.connect(db)
    stored = con.execute("SELECT count(*) FROM answers").fetchone()[0]
    claims = con.execute("SELECT count(*) FROM claims").fetchone()[0]
    con.close()
    logs = [err for _, err in results]
    assert stored == _turns(40), logs
    assert len(bodies) == len(set(bodies)) and len(bodies) <= stored + 2 * 4, logs  # no request sent twice
    assert claims == 0, logs  # every process gave its claims back
    # two judges on the same store split theirs the same way
    with FakeServer("openai", latency=0.05, reply=lambda body: "Rating: [[6]]") as judge:
        args = [
            sys.executable,
            "-m",
            "seabench",
            "judge",
            "--judge",
            "openai:j",
            "--db",
            str(db),
            "--judge-base-url",
            judge.url,
            "--concurrency",
            "4",
        ]
        procs = [
            subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        results = [p.communicate(timeout=120) for p in procs]
        sent = len(judge.requests)
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in results]
    con = sqlite3.connect(db)
    judged = con.execute("SELECT count(*) FROM judgments").fetchone()[0]
    con.close()
    assert judged == _turns(40) and sent <= judged + 2 * 4, [err for _, err in results]


def test_a_killed_process_does_not_block_the_next_run(tmp_path):
    db = tmp_path / "s.db"
    env = {**os.environ, "OPENAI_API_KEY": "k"}
    with FakeServer("openai", latency=5.0) as slow:
        proc = subprocess.Popen(
            _generate_args(db, slow.url, "--limit-total", "6"),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 30
        while len(slow.requests) < 6 and time.time() < deadline:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)  # its claims stay in the store, with a lease of many minutes
        proc.wait()
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM claims").fetchone()[0] == 6
    con.close()
    with FakeServer("openai") as fast:
        result = subprocess.run(
            _generate_args(db, fast.url, "--limit-total", "6"),
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        sent = len(fast.requests)
    con = sqlite3.connect(db)
    stored = con.execute("SELECT count(*) FROM answers").fetchone()[0]
    con.close()
    assert sent == stored >= 6  # all of it: the dead process's claims were taken over at once, not after their lease


def _claims(db) -> int:
    try:
        con = sqlite3.connect(db, timeout=5)
        try:
            return con.execute("SELECT COUNT(*) FROM claims").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


@contextlib.contextmanager
def _hanging_peer(db, url: str, scope: tuple[str, ...], holds: int):
    """A `generate` process on `db` that claims `holds` requests and hangs on them (its server answers after 60 s)."""
    peer = subprocess.Popen(
        _generate_args(db, url, *scope, "--concurrency", str(holds)),
        cwd=ROOT,
        env={**os.environ, "OPENAI_API_KEY": "k"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while _claims(db) < holds and time.monotonic() < deadline:
            time.sleep(0.1)
        yield peer
    finally:
        peer.kill()
        peer.wait()


def _generate_here(cli, db, url: str, scope: tuple[str, ...]):
    return cli("generate", "--model", "openai:m", "--db", db, "--base-url", url, *scope, env={"OPENAI_API_KEY": "k"})


@pytest.mark.timeout(120)
def test_a_peer_killed_mid_run_leaves_no_work_undone(cli, tmp_path, monkeypatch):
    """A peer claims part of the work and hangs; it is killed while this run waits. This run takes its work over
    and ends with everything stored (before, it exited 0 with the peer's share never done)."""
    import threading

    from seabench import evaluate

    monkeypatch.setattr(evaluate, "PEER_POLL_S", 0.3)
    db = tmp_path / "s.db"
    scope = ("--lang", "th", "--category", "safety", "--limit-total", "6")
    with FakeServer("openai", latency=60) as slow, FakeServer("openai") as fast:
        with _hanging_peer(db, slow.url, scope, holds=3) as peer:
            assert _claims(db) >= 3

            def kill_and_reap() -> None:  # reaped, as a shell reaps a killed job: a zombie's pid still looks alive
                os.kill(peer.pid, signal.SIGKILL)
                peer.wait()

            threading.Timer(2.0, kill_and_reap).start()
            result = _generate_here(cli, db, fast.url, scope)
        taken = len(fast.requests)
    assert result.exit_code == 0, result.stderr
    con = sqlite3.connect(db)
    stored = con.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
    con.close()
    assert stored >= 6 and taken >= 6  # its own share, and the dead peer's, sent by this run


@pytest.mark.timeout(120)
def test_a_peer_that_holds_its_claims_past_the_wait_is_reported_and_exits_1(cli, tmp_path, monkeypatch):
    from seabench import evaluate
    from seabench.runner import RetryPolicy

    monkeypatch.setattr(evaluate, "PEER_POLL_S", 0.2)
    monkeypatch.setattr(RetryPolicy, "lease", lambda self, timeout: 1.0)  # a short wait; the peer's claim is long
    db = tmp_path / "s.db"
    scope = ("--lang", "th", "--category", "safety", "--limit-total", "4")
    with FakeServer("openai", latency=60) as slow, FakeServer("openai") as fast:
        with _hanging_peer(db, slow.url, scope, holds=2):
            result = _generate_here(cli, db, fast.url, scope)
    assert result.exit_code == 1 and "not stored: another process on this store claimed them" in result.stderr


def test_two_processes_naming_the_same_new_model_do_not_read_as_a_damaged_store(tmp_path):
    """The race behind a false "the store is damaged": both look for the model, find none, both insert. Here the other
    process holds its insert in an open transaction while this one registers the same model; this one must wait, see
    the row, and agree (before: UNIQUE constraint failed: models.name)."""
    import threading

    from seabench.records import GenerationSettings
    from seabench.store import Store

    db = tmp_path / "s.db"
    opened, go = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def register() -> None:
        try:
            with Store(db) as mine:  # a connection of its own, as another process has, open before the race
                opened.set()
                go.wait(10)
                mine.register_model("m", "openai:m", GenerationSettings())
        except BaseException as e:  # noqa: BLE001 - the thread reports whatever went wrong
            errors.append(e)

    worker = threading.Thread(target=register)
    worker.start()
    assert opened.wait(10)
    with Store(db) as other:
        other.db.execute("BEGIN IMMEDIATE")
        other.db.execute(
            "INSERT INTO models (name, spec, settings) VALUES (?, ?, ?)",
            ("m", "openai:m", GenerationSettings().model_dump_json()),
        )
        go.set()
        time.sleep(0.3)  # the worker now waits for the lock (or, before the fix, has read "no such model")
        other.db.execute("COMMIT")
        worker.join(timeout=15)
        assert not worker.is_alive() and errors == []
        assert other.models() == {"m": ("openai:m", GenerationSettings())}
