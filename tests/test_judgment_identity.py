"""A judgment's key holds everything that makes it a different judgment: two models that answer alike get one each."""

from __future__ import annotations

import json
import re
import sqlite3

from seabench.aggregate import pair_outcomes
from seabench.store import Store
from seabench.store.answers import ANSWER_COLUMNS
from seabench.store.migrations import MIGRATIONS, _statements

from .fakes import FakeServer

ENV = {"OPENAI_API_KEY": "k"}


def _bench(tmp_path):
    path = tmp_path / "b.jsonl"
    rows = [
        {
            "question_id": "th-1",
            "category": "math-reasoning",
            "lang": "th",
            "turns": ["3 + 4 เท่ากับเท่าไร", "แล้วคูณ 2 ล่ะ"],
        },
        {"question_id": "th-2", "category": "safety", "lang": "th", "turns": ["ขอวิธีเจาะระบบธนาคาร"]},
        {"question_id": "th-3", "category": "natural-question", "lang": "th", "turns": ["ทำไมท้องฟ้าเป็นสีฟ้า"]},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def _two_checkpoints_answering_alike(cli, tmp_path):
    """The issue's repro: one spec stored under two names, so every answer is word for word the same."""
    db, bench = tmp_path / "s.db", _bench(tmp_path)
    with FakeServer("openai") as cand:
        for name in ("ckpt-1000", "ckpt-2000"):
            result = cli(
                "generate",
                "--model",
                "openai:x",
                "--name",
                name,
                "--bench",
                bench,
                "--db",
                db,
                "--base-url",
                cand.url,
                env=ENV,
            )
            assert result.exit_code == 0, result.stderr
    with Store(db) as store:
        texts = {(a.question_id, a.turn): set() for a in store.answers()}
        for a in store.answers():
            texts[a.question_id, a.turn].add(a.text)
    assert all(len(t) == 1 for t in texts.values())  # identical answers: the case that used to collide
    return db


def _judge_reply(body):
    return "Fine. Rating: [[7]]" if "<|answer|>" in body["messages"][1]["content"] else "Same. [[C]]"


def test_identical_answers_of_two_models_each_get_their_judgment(cli, tmp_path):
    db = _two_checkpoints_answering_alike(cli, tmp_path)
    with FakeServer("openai", reply=_judge_reply) as judge:
        base = ("judge", "--judge", "openai:j", "--judge-base-url", judge.url, "--db", db)
        first = cli(*base, env=ENV)
        assert "8 judgments stored" in first.output, first.stdout
        again = cli(*base, env=ENV)
        assert "nothing to send, all 8 judgments are already stored" in again.output
        assert len(judge.requests) == 8
    with Store(db) as store:
        judgments = store.judgments()
    assert len(judgments) == 8
    assert {(j.model, j.question_id, j.turn) for j in judgments} == {
        (m, q, t) for m in ("ckpt-1000", "ckpt-2000") for q, t in (("th-1", 1), ("th-1", 2), ("th-2", 1), ("th-3", 1))
    }
    # the two rows of one item share the request (what was sent) but not the key (what was judged)
    by_item: dict[tuple, list] = {}
    for j in judgments:
        by_item.setdefault((j.question_id, j.turn), []).append(j)
    for pair in by_item.values():
        assert len({j.request_key for j in pair}) == 1 and len({j.key for j in pair}) == 2
        assert all(len(j.answer_keys) == 1 and len(j.answer_keys[0]) == j.turn for j in pair)


def test_identical_answers_in_pairwise_keep_both_orders(cli, tmp_path):
    db = _two_checkpoints_answering_alike(cli, tmp_path)
    with FakeServer("openai", reply=_judge_reply) as judge:
        result = cli(
            "judge",
            "--judge",
            "openai:j",
            "--mode",
            "pairwise",
            "--all-pairs",
            "--judge-base-url",
            judge.url,
            "--db",
            db,
            env=ENV,
        )
        assert "8 judgments stored" in result.output, result.stdout  # 4 items × 2 orders
    with Store(db) as store:
        judgments = store.judgments(kind="pairwise")
    assert {(j.model, j.model_b) for j in judgments} == {("ckpt-1000", "ckpt-2000"), ("ckpt-2000", "ckpt-1000")}
    outcomes = pair_outcomes(judgments)
    assert len(outcomes) == 4 and all(o.winner == "tie" and not o.inconsistent for o in outcomes)


def _old_store(new_db, old_db):
    """What the code before m005 left: the same answers, judgments keyed by the request alone, collisions dropped."""
    old = sqlite3.connect(old_db, isolation_level=None)
    old.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, sql in MIGRATIONS[:4]:
        for statement in _statements(sql):
            old.execute(statement)
        old.execute("INSERT INTO _migrations VALUES (?, '2026-11-01')", (name,))
    new = sqlite3.connect(new_db)
    # The old schema's columns only (later migrations added some).
    old_columns = {
        "questions": "bench, id, lang, category, turns, refs, answer_lang, baseline",
        "models": "name, spec, settings",
        "answers": ANSWER_COLUMNS.removesuffix(", checkpoint"),
    }
    for table in ("questions", "models", "answers"):
        rows = new.execute(f"SELECT {old_columns[table]} FROM {table}").fetchall()
        old.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
    rows = new.execute(
        "SELECT request_key, "
        + ", ".join(
            "kind judge prompt bench question_id turn model model_b sample score winner judgment problem flags attempts "
            "input_tokens output_tokens cost_usd source created_at".split()
        )
        + " FROM judgments ORDER BY created_at, rowid"
    ).fetchall()
    old.executemany(f"INSERT OR IGNORE INTO judgments VALUES ({', '.join('?' * 21)})", rows)
    kept = old.execute("SELECT count(*) FROM judgments").fetchone()[0]
    old.close()
    new.close()
    return kept


def test_a_store_made_by_the_old_code_is_repaired_without_sending_anything_twice(cli, tmp_path):
    db = _two_checkpoints_answering_alike(cli, tmp_path)
    with FakeServer("openai", reply=_judge_reply) as judge:
        assert cli("judge", "--judge", "openai:j", "--judge-base-url", judge.url, "--db", db, env=ENV).exit_code == 0
        assert (
            cli(
                "judge",
                "--judge",
                "openai:j",
                "--mode",
                "pairwise",
                "--all-pairs",
                "--judge-base-url",
                judge.url,
                "--db",
                db,
                env=ENV,
            ).exit_code
            == 0
        )
    old_db = tmp_path / "old.db"
    kept = _old_store(db, old_db)
    assert kept == 8  # 16 judgments made, 8 lost to the old key (4 single, and one order of each pairwise item)
    with FakeServer("openai", reply=_judge_reply) as judge:
        single = cli("judge", "--judge", "openai:j", "--judge-base-url", judge.url, "--db", old_db, env=ENV)
        assert "4 judgments stored" in single.output, single.stdout
        pair = cli(
            "judge",
            "--judge",
            "openai:j",
            "--mode",
            "pairwise",
            "--all-pairs",
            "--judge-base-url",
            judge.url,
            "--db",
            old_db,
            env=ENV,
        )
        assert "4 judgments stored" in pair.output, pair.stdout
        assert len(judge.requests) == 8  # exactly the lost ones
    with Store(old_db) as repaired, Store(db) as fresh:
        assert {j.key for j in repaired.judgments()} == {j.key for j in fresh.judgments()}


def test_a_key_that_would_hold_two_different_judgments_stops_the_write(tmp_path):
    import pytest

    from seabench.records import Judgment

    with Store(tmp_path / "s.db") as store:
        j = Judgment(
            key="k", kind="single", judge="j", prompt="p", bench="b", question_id="q", turn=1, model="a", judgment="x"
        )
        assert store.add_judgments([j]) == 1
        assert store.add_judgments([j]) == 0
        with pytest.raises(RuntimeError, match="keying bug"):
            store.add_judgments([j.model_copy(update={"model": "b"})])


def test_every_single_judgment_of_the_31_mt_bench_models_is_stored(cli, shared_data, tmp_path):
    """91 of these 4,960 would collide on the old key (q107 turn 1 alone: 15 models share one answer)."""
    mt = shared_data / "mt-bench"
    db = tmp_path / "mt.db"
    folder = tmp_path / "mt"
    folder.mkdir()
    (folder / "model_answer").symlink_to(mt / "model_answer")
    result = cli("import", "fastchat", folder, "--questions", mt / "question.jsonl", "--db", db)
    assert result.exit_code == 0, result.stderr
    with Store(db) as store:
        models = {a.model for a in store.answers()}
    assert len(models) == 31
    with FakeServer("openai", reply=lambda body: "Rating: [[5]]") as judge:
        result = cli(
            "judge",
            "--judge",
            "openai:j",
            "--prompts",
            mt / "judge_prompts.jsonl",
            "--judge-base-url",
            judge.url,
            "--db",
            db,
            "--concurrency",
            "64",
            env=ENV,
        )
        assert result.exit_code == 0, result.stderr
        assert "4960 judgments stored" in result.output, result.stdout
        # One request per judgment; a straggler's hedged copy (counted in the summary, at most a few) is the only extra.
        hedged = re.search(r"(\d+) hedged", result.output)
        copies = int(hedged.group(1)) if hedged else 0
        assert len(judge.requests) == 4960 + copies and copies <= 50
    with Store(db) as store:
        judgments = store.judgments()
    assert len(judgments) == 4960
    assert len({j.request_key for j in judgments}) < 4960  # alike answers really were there
