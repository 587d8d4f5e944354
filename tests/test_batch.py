"""`--batch`: OpenAI's Batch API and Anthropic's Message Batches, faked on 127.0.0.1 and spoken to by the real SDKs.

Waves (turn 2 after turn 1, re-asks after unparseable verdicts), failed and expired requests, the batch ledger that
lets a killed run collect its batches instead of paying twice, per-batch limits, and batch prices.
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from seabench.backends.anthropic import AnthropicBackend
from seabench.backends.openai import OpenAIBackend

from .conftest import ROOT, run_seabench
from .fakes import FakeServer, Fault

ENV = {"OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k"}
POLL = ("--batch", "--batch-poll", "0.02")


@pytest.fixture
def bench(tmp_path):
    path = tmp_path / "b.jsonl"
    rows = [
        {"question_id": f"th-{i}", "category": "natural-question", "lang": "th", "turns": [f"คำถาม {i}", f"แล้ว {i} ล่ะ"]}
        for i in range(3)
    ]
    rows.append({"question_id": "km-1", "category": "safety", "lang": "km", "turns": ["សំណួរ"]})
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def _answers(db):
    return (
        sqlite3.connect(db)
        .execute("SELECT question_id, turn, text, cost_usd FROM answers ORDER BY question_id, turn")
        .fetchall()
    )


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
def test_answers_come_in_waves_and_turn_two_carries_turn_one(cli, bench, tmp_path, kind):
    db = tmp_path / "s.db"
    with FakeServer(kind, batch_polls=4) as server:
        result = cli(
            "generate", "--model", f"{kind}:m", "--base-url", server.url, "--bench", bench, "--db", db, *POLL, env=ENV
        )
        assert result.exit_code == 0, result.stderr
        chat_calls = [r for r in server.requests if r["path"].endswith(("/chat/completions", "/messages"))]
    assert not chat_calls  # nothing went through the synchronous API
    assert len(server.batches) == 2  # turn 1 of all four questions, then turn 2 of the three two-turn ones
    assert [len(b["lines"]) for b in server.batches.values()] == [4, 3]
    rows = _answers(db)
    assert len(rows) == 7
    second = [b for b in server.batch_requests if len(b["messages"]) > 1]
    assert len(second) == 3 and all(
        b["messages"][1] == {"role": "assistant", "content": f"[m] reply to: {b['messages'][0]['content']}"}
        for b in second
    )
    statuses = (
        ["validating", "in_progress", "finalizing", "completed"] if kind == "openai" else ["in_progress", "ended"]
    )
    for status in statuses:  # progress shows each batch's status and counts
        assert f": {status}, " in result.stderr
    assert "7 answers stored" in result.stderr and "in 2 batches at batch prices" in result.stderr
    with FakeServer(kind) as server:  # a re-run sends nothing
        again = cli(
            "generate", "--model", f"{kind}:m", "--base-url", server.url, "--bench", bench, "--db", db, *POLL, env=ENV
        )
    assert "nothing to send" in again.stderr and not server.batches


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
@pytest.mark.parametrize("fault", ["500", "expired"])
def test_failed_and_expired_requests_go_in_the_next_wave(cli, bench, tmp_path, kind, fault):
    db = tmp_path / "s.db"
    seen: dict[str, int] = {}

    def reply(body):
        last = body["messages"][-1]["content"]
        seen[last] = seen.get(last, 0) + 1
        return Fault(fault) if last == "คำถาม 1" and seen[last] == 1 else f"ok {last}"

    with FakeServer(kind, reply=reply) as server:
        result = cli(
            "generate", "--model", f"{kind}:m", "--base-url", server.url, "--bench", bench, "--db", db, *POLL, env=ENV
        )
    assert result.exit_code == 0, result.stderr
    if kind == "openai":
        first = next(iter(server.batches.values()))["object"]
        assert first["error_file_id"] and first["status"] == ("expired" if fault == "expired" else "completed")
    assert seen["คำถาม 1"] == 2 and len(_answers(db)) == 7
    # Wave 2 holds the retried turn 1 beside the other turn 2s; its own turn 2 follows in wave 3.
    assert [len(b["lines"]) for b in server.batches.values()] == [4, 3, 1]


def test_sync_retry_sends_what_the_batch_failed_through_the_plain_api(cli, bench, tmp_path):
    db = tmp_path / "s.db"

    asked = []

    def reply(body):
        asked.append(body["messages"][-1]["content"])
        return Fault("expired") if asked.count("សំណួរ") == 1 and asked[-1] == "សំណួរ" else "ok"

    with FakeServer("openai", reply=reply) as server:
        result = cli(
            "generate",
            "--model",
            "openai:m",
            "--base-url",
            server.url,
            "--bench",
            bench,
            "--db",
            db,
            *POLL,
            "--batch-sync-retry",
            env=ENV,
        )
        chat = [r for r in server.requests if r["path"].endswith("/chat/completions")]
    assert result.exit_code == 0, result.stderr
    assert len(chat) == 1 and chat[0]["body"]["messages"][-1]["content"] == "សំណួរ"
    assert len(_answers(db)) == 7


def test_a_request_that_keeps_failing_is_stored_as_a_failure_and_retried_next_run(cli, bench, tmp_path):
    db = tmp_path / "s.db"
    with FakeServer("openai", reply=lambda body: Fault("500", message="still broken")) as server:
        result = cli(
            "generate",
            "--model",
            "openai:m",
            "--base-url",
            server.url,
            "--bench",
            bench,
            "--db",
            db,
            *POLL,
            "--max-attempts",
            "2",
            env=ENV,
        )
    assert result.exit_code == 1 and "still broken" in result.stderr
    assert len(server.batches) == 2  # two attempts, one wave each
    failures = sqlite3.connect(db).execute("SELECT COUNT(*) FROM failures").fetchone()[0]
    assert failures == 4 and not _answers(db)
    with FakeServer("openai") as server:
        assert (
            cli(
                "generate",
                "--model",
                "openai:m",
                "--base-url",
                server.url,
                "--bench",
                bench,
                "--db",
                db,
                *POLL,
                env=ENV,
            ).exit_code
            == 0
        )
    assert len(_answers(db)) == 7


def test_a_run_killed_after_creating_a_batch_collects_it_on_the_next_run(bench, tmp_path):
    db = tmp_path / "s.db"
    with FakeServer("openai", batch_polls=2) as server:
        args = [
            sys.executable,
            "-m",
            "seabench",
            "generate",
            "--model",
            "openai:m",
            "--base-url",
            server.url,
            "--bench",
            str(bench),
            "--db",
            str(db),
            "--batch",
            "--batch-poll",
            "30",
        ]
        child = subprocess.Popen(
            args, cwd=ROOT, env={**ENV, "PATH": "/usr/bin:/bin"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not server.batches:
            time.sleep(0.05)
        time.sleep(0.3)  # the batch is created; the child now sleeps between polls
        child.send_signal(signal.SIGKILL)
        child.wait()
        stored = sqlite3.connect(db).execute("SELECT id, collected_at FROM batches").fetchall()
        assert stored == [("batch_1", None)]
        result = run_seabench(
            "generate",
            "--model",
            "openai:m",
            "--base-url",
            server.url,
            "--bench",
            bench,
            "--db",
            db,
            "--batch",
            "--batch-poll",
            "0.02",
            env=ENV,
        )
    assert result.returncode == 0, result.stderr
    assert "collecting batch batch_1" in result.stderr
    assert len(server.batches) == 2  # batch_1 collected, not sent again; batch_2 is turn 2
    assert len(server.batch_requests) == 7 and len(_answers(db)) == 7
    assert all(c is not None for (c,) in sqlite3.connect(db).execute("SELECT collected_at FROM batches"))


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
@pytest.mark.parametrize("max_attempts", ["1", "6"])
def test_a_batch_whose_create_reply_was_lost_is_adopted_not_paid_for_twice(cli, bench, tmp_path, max_attempts, kind):
    """The provider made the batch, the reply never came: the retry (6 attempts) finds it in the same run; with no
    retries left the run stops, and the next run finds it. Either way one batch per wave. OpenAI's by the token in its
    metadata; Anthropic's, which carry none, by their size and the time the submission was first intended."""
    db = tmp_path / "s.db"
    args = ["generate", "--model", f"{kind}:m", "--bench", bench, "--db", db, *POLL]
    with FakeServer(kind, lose_batch_creates=1) as server:
        first = cli(*args, "--base-url", server.url, "--max-attempts", max_attempts, env=ENV)
        if max_attempts == "1":
            assert first.exit_code != 0 and len(server.batches) == 1
            again = cli(*args, "--base-url", server.url, env=ENV)
            assert again.exit_code == 0, again.stderr
        else:
            assert first.exit_code == 0, first.stderr
    assert len(server.batches) == 2  # turn 1 of four questions once, then turn 2: not a second turn-1 batch
    assert [len(b["lines"]) for b in server.batches.values()] == [4, 3]
    assert len(server.batch_requests) == 7 and len(_answers(db)) == 7


@pytest.mark.parametrize("backend", [OpenAIBackend, AnthropicBackend])
def test_large_runs_are_split_to_the_providers_limits(cli, bench, tmp_path, monkeypatch, backend):
    kind = "openai" if backend is OpenAIBackend else "anthropic"
    monkeypatch.setattr(backend, "batch_limits", (3, 10_000))  # three requests a batch
    db = tmp_path / "s.db"
    with FakeServer(kind) as server:
        assert (
            cli(
                "generate",
                "--model",
                f"{kind}:m",
                "--base-url",
                server.url,
                "--bench",
                bench,
                "--db",
                db,
                *POLL,
                env=ENV,
            ).exit_code
            == 0
        )
    assert [len(b["lines"]) for b in server.batches.values()] == [3, 1, 3]
    monkeypatch.setattr(backend, "batch_limits", (100, 600))  # now by bytes: each line is ~200-300 bytes
    with FakeServer(kind) as server:
        assert (
            cli(
                "generate",
                "--model",
                f"{kind}:n",
                "--base-url",
                server.url,
                "--bench",
                bench,
                "--db",
                db,
                *POLL,
                env=ENV,
            ).exit_code
            == 0
        )
    assert len(server.batches) > 2 and sum(len(b["lines"]) for b in server.batches.values()) == 7


def test_batch_prices_are_half_in_the_dry_run_and_the_store(cli, bench, tmp_path):
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"openai:m": [2.0, 8.0]}))
    db = tmp_path / "s.db"
    base = [
        "generate",
        "--model",
        "openai:m",
        "--bench",
        bench,
        "--db",
        db,
        "--prices",
        prices,
        "--base-url",
        "http://127.0.0.1:9/v1",
    ]
    full = cli(*base, "--dry-run", env=ENV).stdout
    half = cli(*base, "--dry-run", "--batch", env=ENV).stdout

    def total(text):
        line = next(line for line in text.splitlines() if line.strip("│ ").startswith("all "))
        return float(re.search(r"\$([0-9.,]+)", line).group(1).replace(",", ""))

    assert total(half) == pytest.approx(total(full) / 2, rel=5e-3) and "batch prices" in half  # shown to 4 decimals
    with FakeServer("openai") as server:
        base[-1] = server.url
        assert cli(*base, *POLL, env=ENV).exit_code == 0
    rows = sqlite3.connect(db).execute("SELECT input_tokens, output_tokens, cost_usd FROM answers").fetchall()
    assert all(cost == pytest.approx((tin * 2.0 + tout * 8.0) / 1e6 / 2) for tin, tout, cost in rows)


def test_judge_in_batches_reasks_an_unparseable_verdict_in_the_next_wave(cli, bench, tmp_path):
    db = tmp_path / "s.db"
    with FakeServer("openai") as cand:
        assert (
            cli(
                "generate", "--model", "openai:c", "--base-url", cand.url, "--bench", bench, "--db", db, env=ENV
            ).exit_code
            == 0
        )
    asked: dict[str, int] = {}

    def judge(body):
        item = body["messages"][1]["content"]
        asked[item] = asked.get(item, 0) + 1
        return "no verdict here" if "คำถาม 0" in item and asked[item] == 1 else "Fine. Rating: [[6]]"

    with FakeServer("openai", reply=judge) as server:
        result = cli("judge", "--judge", "openai:j", "--judge-base-url", server.url, "--db", db, *POLL, env=ENV)
    assert result.exit_code == 0, result.stderr
    assert len(server.batches) == 2 and [len(b["lines"]) for b in server.batches.values()] == [7, 2]
    scores = (
        sqlite3.connect(db)
        .execute("SELECT question_id, score, attempts FROM judgments ORDER BY question_id, turn")
        .fetchall()
    )
    assert len(scores) == 7 and all(s == 6.0 for _, s, _ in scores)
    assert [a for q, _, a in scores if q == "th-0"] == [2, 2]  # both turns of th-0 mention คำถาม 0, both re-asked


def test_batch_needs_a_provider_with_a_batch_api(cli, bench, tmp_path, tiny_model):
    result = cli(
        "generate",
        "--model",
        f"hf:{tiny_model}",
        "--bench",
        bench,
        "--db",
        tmp_path / "s.db",
        "--batch",
        "--limit-total",
        "1",
    )
    assert result.exit_code == 2 and "--batch needs a provider with a batch API" in result.stderr


def test_a_price_table_may_give_its_own_batch_prices(tmp_path):
    from seabench.pricing import PriceTable

    path = tmp_path / "p.json"
    path.write_text(json.dumps({"openai:a": [2.0, 8.0], "openai:b": [2.0, 8.0, 1.5, 6.0]}))
    table = PriceTable(path)
    assert table.lookup("openai:a").at_batch().cost_of(10**6, 10**6) == 5.0  # half of 10
    assert table.lookup("openai:b").at_batch().cost_of(10**6, 10**6) == 7.5


def test_eval_runs_answers_and_judgments_through_batches(cli, bench, tmp_path):
    db = tmp_path / "s.db"
    with FakeServer("openai") as cand, FakeServer("openai", reply=lambda body: "Good. Rating: [[7]]") as judge:
        result = cli(
            "eval",
            "--model",
            "openai:c",
            "--base-url",
            cand.url,
            "--judge",
            "openai:j",
            "--judge-base-url",
            judge.url,
            "--bench",
            bench,
            "--db",
            db,
            "--out",
            tmp_path / "r.html",
            *POLL,
            env=ENV,
        )
        synchronous = [r for r in cand.requests + judge.requests if r["path"].endswith("/chat/completions")]
    assert result.exit_code == 0, result.stderr
    assert not synchronous and len(cand.batches) == 2 and len(judge.batches) == 1
    assert sqlite3.connect(db).execute("SELECT COUNT(*), MIN(score), MAX(score) FROM judgments").fetchone() == (
        7,
        7.0,
        7.0,
    )
