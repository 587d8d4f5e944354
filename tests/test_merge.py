"""Work split across machines (#26): `--shard I/N` slices the questions, `merge` puts the stores together, and the
result is the run one process would have made on one store."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

from seabench.bench import load_bench
from seabench.bench.select import in_shard

from .conftest import ROOT
from .fakes import FakeServer

SCOPE = ("--lang", "th,vi,km", "--limit", "4")


def judge_reply(body):
    """A score that depends only on what is judged, so any process judging it gives the same verdict."""
    text = body["messages"][-1]["content"]
    return f"Fine. Rating: [[{int(hashlib.sha256(text.encode()).hexdigest(), 16) % 10 + 1}]]"


def _eval_args(cand, judge, db, *more):
    return [
        "eval", "--model", "openai:a", "--model", "openai:b", "--judge", "openai:j", "--base-url", cand.url,
        "--judge-base-url", judge.url, *SCOPE, "--db", db, "--out", db.with_suffix(".json"), *more,
    ]  # fmt: skip


def _report(cli, db):
    result = cli("report", "--db", db, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    data["facts"].pop("created_at")
    return data


def test_every_question_lands_in_exactly_one_shard_whatever_the_order():
    questions = load_bench(None).questions
    shards = [in_shard(questions, f"{i}/3") for i in (1, 2, 3)]
    assert sorted(q.id for s in shards for q in s) == sorted(q.id for q in questions)
    assert all(len(s) > len(questions) / 5 for s in shards)  # roughly even
    assert in_shard(list(reversed(questions)), "2/3") == list(reversed(shards[1]))


def test_three_shards_merged_equal_one_store(cli, tmp_path):
    env = {**os.environ, "OPENAI_API_KEY": "k"}
    one, merged = tmp_path / "one.db", tmp_path / "merged.db"
    shards = [tmp_path / f"shard-{i}.db" for i in (1, 2, 3)]
    with FakeServer("openai") as cand, FakeServer("openai", reply=judge_reply) as judge:
        assert cli(*_eval_args(cand, judge, one), env={"OPENAI_API_KEY": "k"}).exit_code == 0
        single = len(cand.requests) + len(judge.requests)
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "seabench", *map(str, _eval_args(cand, judge, db, "--shard", f"{i}/3"))],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            for i, db in enumerate(shards, start=1)
        ]
        for p in procs:
            assert p.wait(timeout=120) == 0, p.stderr.read()  # type: ignore[union-attr]
        assert len(cand.requests) + len(judge.requests) == 2 * single  # the shards sent what one run sent, once
    done = cli("merge", *shards, "--into", merged)
    assert done.exit_code == 0 and "30 answers, 30 judgments" in done.stderr, done.stderr
    assert _report(cli, merged) == _report(cli, one)
    again = cli("merge", *shards, "--into", merged)
    assert again.exit_code == 0 and "nothing new" in again.stderr
    assert _report(cli, merged) == _report(cli, one)


def test_two_models_under_one_name_are_not_merged(cli, tmp_path):
    cold, hot, into = tmp_path / "cold.db", tmp_path / "hot.db", tmp_path / "into.db"
    with FakeServer("openai") as cand:
        for db, temperature in ((cold, "0"), (hot, "0.7")):
            args = ("generate", "--model", "openai:a", "--base-url", cand.url, "--limit-total", "2")
            assert cli(*args, "--temperature", temperature, "--db", db, env={"OPENAI_API_KEY": "k"}).exit_code == 0
    refused = cli("merge", cold, hot, "--into", into)
    assert refused.exit_code == 2
    assert refused.stderr.count("\n") == 1 and "model name 'openai:a'" in refused.stderr
    assert "two models under one name are not merged" in refused.stderr
    assert not into.exists()  # nothing half-written: not even an empty store


@pytest.mark.parametrize("bad", ["0/3", "4/3", "x"])
def test_a_shard_outside_its_count_is_refused(cli, bad):
    result = cli("generate", "--model", "openai:a", "--shard", bad, "--dry-run")
    assert result.exit_code == 2 and "--shard" in result.stderr
