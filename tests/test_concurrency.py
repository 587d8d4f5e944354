"""Several processes on one store split the work; a killed process's claims do not block the next run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from .conftest import ROOT
from .fakes import FakeServer


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
                _generate_args(db, server.url, "--limit", "40", "--concurrency", "4"),
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
    assert stored == 50, logs  # 40 questions, 10 of them with two turns
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
    assert judged == 50 and sent <= judged + 2 * 4, [err for _, err in results]


def test_a_killed_process_does_not_block_the_next_run(tmp_path):
    db = tmp_path / "s.db"
    env = {**os.environ, "OPENAI_API_KEY": "k"}
    with FakeServer("openai", latency=5.0) as slow:
        proc = subprocess.Popen(
            _generate_args(db, slow.url, "--limit", "6"),
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
            _generate_args(db, fast.url, "--limit", "6"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        sent = len(fast.requests)
    con = sqlite3.connect(db)
    stored = con.execute("SELECT count(*) FROM answers").fetchone()[0]
    con.close()
    assert sent == stored >= 6  # all of it: the dead process's claims were taken over at once, not after their lease
