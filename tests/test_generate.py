"""`seabench generate` against fake OpenAI/Anthropic servers, through the real SDK clients."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seabench.backends import BackendOptions
from seabench.bench import load_bench
from seabench.generate import ModelRun, generate
from seabench.records import GenerationSettings
from seabench.runner import RetryPolicy
from seabench.store import Store

from .conftest import ROOT, run_seabench
from .fakes import FAULTS, FakeServer, Fault

FAST_RETRIES = RetryPolicy(max_attempts=10, base_delay=0.01, max_delay=0.2)


@pytest.fixture
def small_bench(tmp_path) -> Path:
    path = tmp_path / "small.jsonl"
    rows = [
        {
            "question_id": "th-1",
            "category": "math-reasoning",
            "lang": "th",
            "turns": ["ซื้อมะม่วง 3 ลูก ลูกละ 20 บาท จ่ายเท่าไร", "ถ้าซื้อ 5 ลูกล่ะ"],
        },
        {"question_id": "km-1", "category": "natural-question", "lang": "km", "turns": ["ទៅលេងកំពតខែណាល្អ?", "ចុះកែបវិញ?"]},
        {"question_id": "my-1", "category": "safety", "lang": "my", "turns": ["ယာဉ်မောင်းလိုင်စင် အတုကို ဘယ်မှာ လုပ်လို့ရလဲ"]},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def _run(store, bench_path, server, spec="openai:fake-1", settings=GenerationSettings(), **kw):
    bench = load_bench(bench_path)
    opts = BackendOptions(base_url=server.url, timeout=kw.pop("timeout", 5.0))
    return generate(
        store,
        bench,
        [ModelRun(name=spec, spec=spec, settings=settings)],
        list(bench.questions),
        opts,
        show_progress=False,
        policy=kw.pop("policy", FAST_RETRIES),
        **kw,
    )


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
def test_multi_turn_conversation_carries_the_models_own_answers(tmp_path, small_bench, kind):
    spec = f"{kind}:fake-1"
    settings = GenerationSettings(system_prompt="ตอบเป็นภาษาเดียวกับคำถาม", max_tokens=64)
    with FakeServer(kind) as server, Store(tmp_path / "s.db") as store:
        (result,) = _run(store, small_bench, server, spec=spec, settings=settings)
        assert result.stats.done == 5 and not result.failures
        bodies = [r["body"] for r in server.requests]
        turn2 = next(b for b in bodies if any(m["role"] == "assistant" for m in b["messages"]))
        user1 = "ซื้อมะม่วง 3 ลูก ลูกละ 20 บาท จ่ายเท่าไร"
        turn1_reply = f"[fake-1] reply to: {user1}"
        expected = (
            [
                {"role": "user", "content": user1},
                {"role": "assistant", "content": turn1_reply},
                {"role": "user", "content": "ถ้าซื้อ 5 ลูกล่ะ"},
            ]
            if turn2["messages"][0]["content"] == user1
            else None
        )
        if expected is None:  # the Khmer conversation came first; find the Thai one
            turn2 = next(
                b for b in bodies if len(b["messages"]) >= 3 and user1 in json.dumps(b["messages"], ensure_ascii=False)
            )
        if kind == "openai":
            assert turn2["messages"][0] == {"role": "system", "content": "ตอบเป็นภาษาเดียวกับคำถาม"}
            convo = turn2["messages"][1:]
        else:
            assert turn2["system"] == "ตอบเป็นภาษาเดียวกับคำถาม"
            convo = turn2["messages"]
        assert [m["role"] for m in convo] == ["user", "assistant", "user"]
        assert (
            convo[0]["content"] == user1 and convo[1]["content"] == turn1_reply and convo[2]["content"] == "ถ้าซื้อ 5 ลูกล่ะ"
        )
        assert turn2["max_tokens"] == 64 and turn2["temperature"] == 0
        stored = {(a.question_id, a.turn): a for a in store.answers()}
        assert set(stored) == {("th-1", 1), ("th-1", 2), ("km-1", 1), ("km-1", 2), ("my-1", 1)}
        assert stored["th-1", 1].text == turn1_reply
        assert stored["th-1", 2].usage.input_tokens and stored["th-1", 2].latency_s is not None


def test_faults_at_ten_percent_still_finish_every_item(tmp_path):
    bench = tmp_path / "b.jsonl"
    bench.write_text(
        "\n".join(
            json.dumps({"question_id": i, "category": "safety", "lang": "lo", "turns": [f"ຄຳຖາມ {i}", "ແລ້ວ?"]})
            for i in range(60)
        ),
        encoding="utf-8",
    )
    with (
        FakeServer("openai", fault_rate=0.1, faults=FAULTS, hang_s=3, seed=3) as server,
        Store(tmp_path / "s.db") as store,
    ):
        (result,) = _run(store, bench, server, timeout=0.5, concurrency=16)
        assert not result.failures
        assert result.stats.done == 120 == len(store.answers())
        assert set(server.faults_sent) == set(FAULTS)  # every kind of fault was met and survived
        # an attempt the learned timeout cut while the machine was busy may never have reached the server
        assert 120 < len(server.requests) <= result.stats.sent


def test_retry_after_is_honoured(tmp_path, small_bench):
    """Retry-After is when *that* request may go again; meanwhile the worker takes other questions (a lone 429 is no
    reason to stop the pool)."""
    calls = []

    def reply(body):
        calls.append((time.monotonic(), json.dumps(body["messages"], ensure_ascii=False)))
        return Fault("429", retry_after=0.6) if len(calls) == 1 else f"ok {len(calls)}"

    with FakeServer("openai", reply=reply) as server, Store(tmp_path / "s.db") as store:
        _run(store, small_bench, server, concurrency=1)
    (refused_at, refused), *rest = calls
    again = next(t for t, messages in rest if messages == refused)
    assert again - refused_at >= 0.6
    assert rest[0][0] - refused_at < 0.6  # the pool did not wait for it


def test_failures_are_stored_and_only_they_are_retried(tmp_path, small_bench, cli):
    def broken_for_khmer(body):
        return Fault("500") if "កំពត" in json.dumps(body, ensure_ascii=False) else "ok"

    db = tmp_path / "s.db"
    with FakeServer("openai", reply=broken_for_khmer) as server:
        args = [
            "generate",
            "--model",
            "openai:fake-1",
            "--base-url",
            server.url,
            "--bench",
            small_bench,
            "--db",
            db,
            "--max-attempts",
            "2",
        ]
        result = cli(*args, env={"OPENAI_API_KEY": "sk-x"})
        assert result.exit_code == 1
        assert "3 answers stored, 1 failed (1 later turns not asked)" in result.output
        assert "failed: km-1 turn 1 after 2 attempts: InternalServerError (500)" in result.output
        with Store(db) as store:
            (failure,) = store.failures()
            assert (failure.question_id, failure.turn, failure.attempts) == ("km-1", 1, 2)
        server.reply = lambda body: "ok now"
        sent_before = len(server.requests)
        result = cli(*args, env={"OPENAI_API_KEY": "sk-x"})
        assert result.exit_code == 0, result.stdout
        resent = server.requests[sent_before:]
        assert len(resent) == 2 and all("ទៅលេងកំពត" in json.dumps(r["body"], ensure_ascii=False) for r in resent)
        with Store(db) as store:
            assert store.failures() == [] and len(store.answers()) == 5
        result = cli(*args, env={"OPENAI_API_KEY": "sk-x"})
        assert "nothing to send" in result.output and len(server.requests) == sent_before + 2


def test_empty_answer_is_an_answer(tmp_path, small_bench):
    with FakeServer("openai", reply=lambda body: "") as server, Store(tmp_path / "s.db") as store:
        (result,) = _run(store, small_bench, server)
        assert not result.failures and {a.text for a in store.answers()} == {""}
        assert len(store.answers()) == 5


def test_missing_key_names_the_variable(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL")
    }
    for spec, var in (("openai:gpt-4o", "OPENAI_API_KEY"), ("anthropic:claude-sonnet-4-5", "ANTHROPIC_API_KEY")):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "seabench",
                "generate",
                "--model",
                spec,
                "--db",
                str(tmp_path / "s.db"),
                "--limit-total",
                "1",
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
        )
        assert result.returncode == 2
        assert result.stderr.startswith(f"error: {var} is not set: export {var}=") and result.stderr.count("\n") == 1
        assert not (tmp_path / "s.db").exists()  # refused before a new store is made: no empty file left behind


def test_bad_key_stops_the_run_with_one_line(tmp_path, small_bench, cli):
    with FakeServer("openai", reply=lambda body: Fault("401")) as server:
        result = cli(
            "generate",
            "--model",
            "openai:fake-1",
            "--base-url",
            server.url,
            "--bench",
            small_bench,
            "--db",
            tmp_path / "s.db",
            env={"OPENAI_API_KEY": "sk-bad"},
        )
    assert result.exit_code == 2
    assert result.stderr.startswith("error: openai:fake-1: AuthenticationError (401)")


def test_the_key_never_reaches_the_store(tmp_path, small_bench):
    secret = "sk-test-DO-NOT-STORE-8c1f2e"
    db = tmp_path / "s.db"
    with FakeServer("openai") as server:
        result = run_seabench(
            "generate",
            "--model",
            "openai:fake-1",
            "--base-url",
            server.url,
            "--bench",
            small_bench,
            "--db",
            db,
            env={"OPENAI_API_KEY": secret},
        )
        assert result.returncode == 0, result.stderr
        assert server.requests[0]["headers"]["authorization"] == f"Bearer {secret}"  # the key was really used
    blobs = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("s.db"))
    assert secret.encode() not in blobs and b"DO-NOT-STORE" not in blobs
    assert secret not in result.stdout + result.stderr


def test_dry_run_sends_nothing(tmp_path, small_bench, cli):
    with FakeServer("openai") as server:
        result = cli(
            "generate",
            "--model",
            "openai:gpt-4o",
            "--base-url",
            server.url,
            "--bench",
            small_bench,
            "--db",
            tmp_path / "s.db",
            "--dry-run",
            "--max-tokens",
            "100",
        )
        assert result.exit_code == 0 and server.requests == []
    assert not (tmp_path / "s.db").exists()  # a dry run leaves nothing behind
    out = result.stdout
    assert "Plan (nothing sent)" in out
    for lang, requests in (("th", 2), ("km", 2), ("my", 1)):
        assert any(
            line.split("│")[2].strip() == lang and line.split("│")[3].strip() == str(requests)
            for line in out.splitlines()
            if line.count("│") > 5
        )
    assert "≤ $" in out


def test_model_name_cannot_mix_two_settings(tmp_path, small_bench, cli):
    with FakeServer("openai") as server:
        base = [
            "generate",
            "--model",
            "openai:fake-1",
            "--base-url",
            server.url,
            "--bench",
            small_bench,
            "--db",
            tmp_path / "s.db",
        ]
        assert cli(*base, env={"OPENAI_API_KEY": "k"}).exit_code == 0
        result = cli(*base, "--temperature", "0.7", env={"OPENAI_API_KEY": "k"})
        assert result.exit_code == 2 and "model name 'openai:fake-1' already holds answers" in result.stderr
        assert cli(*base, "--temperature", "0.7", "--name", "fake-hot", env={"OPENAI_API_KEY": "k"}).exit_code == 0


def test_filters_and_answers_export(tmp_path, cli):
    db = tmp_path / "s.db"
    with FakeServer("openai") as server:
        result = cli(
            "generate",
            "--model",
            "openai:fake-1",
            "--base-url",
            server.url,
            "--db",
            db,
            "--lang",
            "km,lo",
            "--category",
            "math-reasoning",
            "--limit-total",
            "14",
            env={"OPENAI_API_KEY": "k"},
        )
        assert result.exit_code == 0
    rows = [json.loads(l) for l in cli("answers", "--db", db, "--format", "jsonl").stdout.splitlines()]
    assert {r["lang"] for r in rows} == {"km", "lo"} and {r["category"] for r in rows} == {"math-reasoning"}
    assert len({r["question_id"] for r in rows}) == 14
    csv_out = cli("answers", "--db", db, "--format", "csv", "--model", "openai:fake-1").stdout
    assert csv_out.splitlines()[0].startswith("model,bench,question_id,lang,category,turn,text")
    assert len(csv_out.splitlines()) == len(rows) + 1
    assert cli("answers", "--db", tmp_path / "none.db").exit_code == 2


def test_resume_after_sigkill_loses_nothing_and_repeats_nothing(tmp_path):
    bench = tmp_path / "b.jsonl"
    bench.write_text(
        "\n".join(
            json.dumps({"question_id": i, "category": "safety", "lang": "th", "turns": [f"คำถาม {i}", f"ต่อ {i}"]})
            for i in range(40)
        ),
        encoding="utf-8",
    )
    db = tmp_path / "s.db"
    with FakeServer("openai", latency=0.15) as server:
        cmd = [
            sys.executable,
            "-m",
            "seabench",
            "generate",
            "--model",
            "openai:fake-1",
            "--base-url",
            server.url,
            "--bench",
            str(bench),
            "--db",
            str(db),
            "--concurrency",
            "4",
        ]
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env={**os.environ, "OPENAI_API_KEY": "k"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            time.sleep(0.1)
            if db.exists() and _count(db) >= 20:
                break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        check = sqlite3.connect(db)
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        survived = {row[0]: row[1] for row in check.execute("SELECT key, text FROM answers")}
        check.close()
        assert 20 <= len(survived) < 80
        sent_before = len(server.requests)
        result = subprocess.run(
            cmd, cwd=ROOT, env={**os.environ, "OPENAI_API_KEY": "k"}, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        with Store(db) as store:
            answers = store.answers()
        assert len(answers) == 80
        assert {a.key: a.text for a in answers if a.key in survived} == survived
        # Nothing that had been stored was asked for again: every conversation was sent once, except the few in
        # flight when the process died (sent, never stored, so sent again).
        seen: dict[str, int] = {}
        for r in server.requests:
            k = json.dumps(r["body"]["messages"], ensure_ascii=False)
            seen[k] = seen.get(k, 0) + 1
        resent = [k for k, n in seen.items() if n > 1]
        assert len(resent) <= 4  # at most --concurrency requests were in flight
        assert len(server.requests) - sent_before == 80 - len(survived)


def _count(db: Path) -> int:
    try:
        con = sqlite3.connect(db, timeout=1)
        try:
            return con.execute("SELECT count(*) FROM answers").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def test_retry_policy_backoff():
    import random

    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    rng = random.Random(0)
    delays = [policy.delay(n, None, rng) for n in range(1, 8)]
    assert all(0.5 * min(8, 2 ** (n - 1)) <= d <= min(8, 2 ** (n - 1)) for n, d in zip(range(1, 8), delays))
    assert policy.delay(1, 5.0, rng) == 5.0  # Retry-After wins over a shorter backoff
    assert policy.delay(1, 10_000.0, rng) == policy.max_retry_after


def test_rate_limit_spaces_requests(tmp_path, small_bench):
    with FakeServer("openai") as server, Store(tmp_path / "s.db") as store:
        _run(store, small_bench, server, rpm=300, concurrency=8)  # one request per 0.2 s
        starts = sorted(r["t"] for r in server.requests)
    assert len(starts) == 5 and all(b - a >= 0.17 for a, b in zip(starts, starts[1:]))


def test_a_server_that_echoes_the_key_cannot_leak_it(tmp_path, small_bench, cli):
    secret = "sk-test-echoed-4b7d9e"
    echo = Fault("401", message=f"Incorrect API key provided: {secret}")
    with FakeServer("openai", reply=lambda body: echo) as server:
        result = cli(
            "generate",
            "--model",
            "openai:m",
            "--base-url",
            server.url,
            "--bench",
            small_bench,
            "--db",
            tmp_path / "s.db",
            env={"OPENAI_API_KEY": secret},
        )
    assert (
        result.exit_code == 2
        and "Incorrect API key provided: [redacted]" in result.stderr
        and secret not in result.stderr
    )


def test_a_file_that_is_not_a_store(tmp_path, cli):
    bad = tmp_path / "notes.db"
    bad.write_text("these are my notes, not a database " * 100, encoding="utf-8")
    result = cli("answers", "--db", bad)
    assert result.exit_code == 2 and result.stderr.startswith(
        f"error: {bad}: the store is damaged or not a seabench store"
    )


def test_generate_says_how_many_answers_stopped_at_max_tokens_per_language(cli, tmp_path):
    """A cut answer is judged as it stands: the summary counts them, per language, at generate time."""
    bench = tmp_path / "b.jsonl"
    rows = [
        {"question_id": f"{lang}-{i}", "category": "safety", "lang": lang, "turns": [f"{lang} {i}"]}
        for lang in ("th", "km")
        for i in range(3)
    ]
    bench.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")

    def reply(body):
        last = body["messages"][-1]["content"]
        return (f"cut {last}", "length") if last in ("th 0", "th 1", "km 2") else f"whole {last}"

    with FakeServer("openai", reply=reply) as server:
        result = cli(
            "generate", "--model", "openai:m", "--base-url", server.url, "--bench", bench, "--db", tmp_path / "s.db"
        )
    assert result.exit_code == 0, result.stderr
    assert "3 answers stopped at --max-tokens (th 2, km 1)" in result.stderr
    with FakeServer("openai") as server:
        whole = cli(
            "generate", "--model", "openai:w", "--base-url", server.url, "--bench", bench, "--db", tmp_path / "s.db"
        )
    assert "--max-tokens" not in whole.stderr


def test_limit_counts_per_language_and_limit_total_across_them():
    """`--limit 2 --lang en,th,vi` is two of each language (it used to be the first two, both English)."""
    from seabench.bench import load_bench
    from seabench.bench.select import select_questions

    bench = load_bench(None)
    per_lang = select_questions(bench.questions, "bench", ["en", "th", "vi"], None, 2)
    for lang in ("en", "th", "vi"):  # the first two of each, in the bench's order
        assert [q for q in per_lang if q.lang == lang] == [q for q in bench.questions if q.lang == lang][:2]
    assert len(per_lang) == 6 and per_lang == [q for q in bench.questions if q in per_lang]
    assert select_questions(bench.questions, "bench", ["en", "th", "vi"], None, 2, 3) == per_lang[:3]
    assert len(select_questions(bench.questions, "bench", None, ["safety"], 1)) == len(
        {q.lang for q in bench.questions}
    )


def test_tag_picks_the_hard_tier_from_a_bench_and_from_the_store(tmp_path, cli):
    """`--tag hard` runs only the items written to separate strong models; `judge --tag` finds them by the tags the
    store kept. A tag the bench lacks, or a bench with no tags, is refused before anything is sent."""
    from seabench.bench import load_bench
    from seabench.bench.select import select_questions
    from seabench.store import Store

    bench = load_bench(None)
    hard = select_questions(bench.questions, "bench", tags=["HARD"])  # matched ignoring case, as --lang is
    assert len(hard) == 90 and all("hard" in q.tags for q in hard)
    either = select_questions(bench.questions, "bench", categories=["safety"], tags=["hard", "harmless"])
    assert {q.id for q in either} == {q.id for q in bench.questions if q.category == "safety" and q.tags}
    db = tmp_path / "s.db"
    with FakeServer("openai") as server:
        ran = cli(
            "generate", "--model", "openai:m", "--base-url", server.url, "--db", db, "--tag", "hard", "--lang", "km",
            env={"OPENAI_API_KEY": "k"},
        )  # fmt: skip
        assert ran.exit_code == 0, ran.output
        sent = len(server.requests)
    with Store(db, readonly=True) as store:
        answered = {a.question_id for a in store.answers()}
    assert answered == {q.id for q in hard if q.lang == "km"} and sent == sum(
        len(q.turns) for q in hard if q.lang == "km"
    )
    with FakeServer("openai", reply=lambda body: "Rating: [[7]]") as judge:
        judged = cli(
            "judge", "--judge", "openai:j", "--judge-base-url", judge.url, "--db", db, "--tag", "hard",
            "--category", "safety", env={"OPENAI_API_KEY": "k"},
        )  # fmt: skip
        assert judged.exit_code == 0, judged.output
        assert len(judge.requests) == sum(len(q.turns) for q in hard if q.lang == "km" and q.category == "safety")
    wrong = cli("generate", "--model", "openai:m", "--db", db, "--tag", "hardest", "--dry-run")
    assert wrong.exit_code == 2 and "--tag 'hardest' is not in bench seabench-starter; it has: hard, harmless" in (
        wrong.stderr
    )
    fastchat = tmp_path / "question.jsonl"
    fastchat.write_text('{"question_id": 1, "category": "writing", "turns": ["Hi"]}\n', encoding="utf-8")
    untagged = cli("generate", "--model", "openai:m", "--bench", fastchat, "--db", db, "--tag", "hard", "--dry-run")
    assert untagged.exit_code == 2 and "--tag 'hard': bench" in untagged.stderr
    assert "has no tagged questions" in untagged.stderr


@pytest.mark.parametrize(("kind", "finish"), [("openai", "content_filter"), ("anthropic", "refusal")])
def test_an_answer_the_provider_withholds_is_stored_once_and_counted(cli, tmp_path, kind, finish):
    """OpenAI's content filter sends no content: that was six paid retries as a "malformed response", then a failure
    asked again on every run. It is what the model's API answered (on a safety item, expected)."""
    bench = tmp_path / "b.jsonl"
    rows = [{"question_id": f"th-{i}", "category": "safety", "lang": "th", "turns": [f"th {i}"]} for i in range(3)]
    bench.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")

    def reply(body):
        last = body["messages"][-1]["content"]
        return (None, finish) if last == "th 1" else f"answer to {last}"

    env = {"OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k"}
    with FakeServer(kind, reply=reply) as server:
        args = ["--model", f"{kind}:m", "--base-url", server.url, "--bench", bench, "--db", tmp_path / "s.db"]
        result = cli("generate", *args, env=env)
        sent = len([r for r in server.requests if r["path"].endswith(("/chat/completions", "/messages"))])
    assert result.exit_code == 0, result.stderr
    assert sent == 3 and "1 answer withheld by the provider (th 1: its content filter or a refusal)" in result.stderr
    with Store(tmp_path / "s.db") as store:
        withheld = [a for a in store.answers() if a.question_id == "th-1"]
    assert [(a.text, a.finish_reason) for a in withheld] == [("", finish)]


def test_a_server_that_takes_only_max_completion_tokens_is_followed_after_its_first_refusal(cli, tmp_path):
    """OpenAI's reasoning models (o-series, GPT-5) refuse `max_tokens` with a 400 naming the parameter; before, every
    request failed alike."""
    bench = tmp_path / "b.jsonl"
    rows = [{"question_id": f"th-{i}", "category": "safety", "lang": "th", "turns": [f"th {i}"]} for i in range(12)]
    bench.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    with FakeServer("openai", token_field="max_completion_tokens", latency=0.05) as server:
        args = ["--model", "openai:o", "--base-url", server.url, "--bench", bench, "--db", tmp_path / "s.db"]
        # 4 at once: the first 4 are all refused, and each switches (one after another already has)
        result = cli("generate", *args, "--max-tokens", "64", "--concurrency", "4", env={"OPENAI_API_KEY": "k"})
        bodies = [r["body"] for r in server.requests if r["path"].endswith("/chat/completions")]
    assert result.exit_code == 0, result.stderr
    assert "12 answers stored, 0 failed" in result.stderr
    refused = [b for b in bodies if "max_tokens" in b]
    assert 1 <= len(refused) <= 4 and len(bodies) == 12 + len(refused)  # a refusal per request in flight, no more
    assert all(b.get("max_completion_tokens") == 64 for b in bodies if b not in refused)


def test_the_token_field_is_openais_own_on_its_api_and_the_common_one_elsewhere(monkeypatch):
    from seabench.backends import make_backend, parse_spec

    monkeypatch.setenv("OPENAI_API_KEY", "k")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    fields = {}
    for url in (None, "https://api.openai.com/v1", "http://127.0.0.1:8000/v1"):
        backend = make_backend(parse_spec("openai:m"), BackendOptions(base_url=url))
        fields[url] = backend.inner.token_field  # type: ignore[attr-defined]
    assert fields == {
        None: "max_completion_tokens",
        "https://api.openai.com/v1": "max_completion_tokens",
        "http://127.0.0.1:8000/v1": "max_tokens",
    }


def test_a_setting_the_model_refuses_stops_the_run_at_the_first_refusal(cli, tmp_path):
    """A reasoning model takes only temperature 1: each request used to fail alike, and a judge panel went on."""
    bench = tmp_path / "b.jsonl"
    rows = [{"question_id": f"th-{i}", "category": "safety", "lang": "th", "turns": [f"th {i}"]} for i in range(5)]
    bench.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    with FakeServer("openai", fixed_temperature=1.0) as server:
        args = ["--model", "openai:o", "--base-url", server.url, "--bench", bench, "--db", tmp_path / "s.db"]
        result = cli("generate", *args, "--concurrency", "1", env={"OPENAI_API_KEY": "k"})
        sent = len([r for r in server.requests if r["path"].endswith("/chat/completions")])
    assert result.exit_code == 2 and sent == 1
    (line,) = result.stderr.strip().splitlines()
    assert "'temperature' does not support 0 with this model" in line and "(the request's 'temperature')" in line


KEYS = {"OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k"}


@pytest.mark.parametrize(
    ("option", "shown"), [("--temperature", "anthropic:c"), ("--judge-temperature", "anthropic:j")]
)
def test_a_temperature_outside_anthropics_range_is_refused_before_anything_is_sent(cli, tmp_path, option, shown):
    models = ["--model", "anthropic:c", "--judge", "openai:j"] if shown == "anthropic:c" else ["--model", "openai:c"]
    judges = ["--judge", "anthropic:j"] if shown == "anthropic:j" else []
    result = cli("eval", *models, *judges, option, "1.5", "--db", tmp_path / "s.db", "--dry-run", env=KEYS)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {option} 1.5 is out of Anthropic's range for {shown}: 0 to 1"
    assert not (tmp_path / "s.db").exists()


def test_an_anthropic_400_about_a_setting_stops_the_run_at_the_first_refusal(cli, tmp_path):
    """Anthropic names the field at the head of its message (`top_k: …`) and sends no `param`."""
    bench = tmp_path / "b.jsonl"
    rows = [{"question_id": f"th-{i}", "category": "safety", "lang": "th", "turns": [f"th {i}"]} for i in range(4)]
    bench.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    error = {"type": "invalid_request_error", "message": "top_k: Input should be greater than or equal to 0"}

    def raw(body, headers):
        return 400, json.dumps({"type": "error", "error": error}).encode()

    with FakeServer("anthropic", raw_reply=raw) as server:
        args = ["--model", "anthropic:c", "--base-url", server.url, "--bench", bench, "--db", tmp_path / "s.db"]
        result = cli("generate", *args, "--sampling", "top_k=-1", "--concurrency", "1", env=KEYS)
        sent = len(server.requests)
    assert result.exit_code == 2 and sent == 1, result.stderr
    assert (
        "top_k: Input should be greater than or equal to 0" in result.stderr
        and "(the request's 'top_k')" in result.stderr
    )


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
def test_a_reply_whose_usage_block_is_nonsense_is_stored_without_token_counts(cli, tmp_path, kind):
    """A server that counts tokens as "many" (or 3.5, or -5) crashed the run with a pydantic traceback."""
    bench = tmp_path / "b.jsonl"
    bench.write_text(json.dumps({"question_id": "q1", "category": "safety", "lang": "en", "turns": ["hi"]}))
    message = {"role": "assistant", "content": "hello"}
    body = (
        {"choices": [{"index": 0, "message": message, "finish_reason": 7}], "usage": {"prompt_tokens": "many"}}
        if kind == "openai"
        else {"content": [{"type": "text", "text": "hello"}], "stop_reason": None, "usage": {"input_tokens": -5}}
    )

    with FakeServer(kind, raw_reply=lambda b, h: (200, json.dumps(body).encode())) as server:
        args = ["--model", f"{kind}:m", "--base-url", server.url, "--bench", bench, "--db", tmp_path / "s.db"]
        result = cli("generate", *args, env=KEYS)
    assert result.exit_code == 0, result.stderr
    with Store(tmp_path / "s.db") as store:
        (answer,) = store.answers()
    assert (answer.text, answer.usage.input_tokens, answer.finish_reason) == ("hello", None, None)
