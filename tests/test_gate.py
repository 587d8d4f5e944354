"""The regression gate (#26): `compare NEW BASE --fail-on-regression` exits 1 when the new checkpoint is significantly
worse anywhere it looks, names where, and writes a JSON verdict a CI job can keep."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from .fakes import FakeServer

ENV = {"OPENAI_API_KEY": "k"}
THAI_ANSWER = re.compile(r"\[ckpt-new\] reply to: [^\n]*[\u0e00-\u0e7f]")  # the fake candidate echoes the question


def judge_reply(body):
    """7 give or take one by a hash of the question, the same for both checkpoints, which are alike but for the planted
    drop: ckpt-new's Thai answers score 2 to 4 points lower (by a hash of the answer)."""
    text = body["messages"][-1]["content"]
    question = re.sub(r"\[ckpt-\w+\]", "", text)
    score = 6 + int(hashlib.sha256(question.encode()).hexdigest(), 16) % 3
    if THAI_ANSWER.search(text):
        score -= 2 + int(hashlib.sha256(text.encode()).hexdigest(), 16) % 3
    return f"Judged. Rating: [[{score}]]"


def two_checkpoints(db, *scope):
    """ckpt-old and ckpt-new answered and judged by `judge_reply` on `scope` (--lang …) into `db`."""
    from typer.testing import CliRunner

    from seabench.cli import app

    with FakeServer("openai") as cand, FakeServer("openai", reply=judge_reply) as judge:
        result = CliRunner().invoke(
            app,
            ["eval", "--model", "openai:ckpt-old", "--model", "openai:ckpt-new", "--name", "ckpt-old", "--name",
             "ckpt-new", "--judge", "openai:j", "--base-url", cand.url, "--judge-base-url", judge.url, *scope,
             "--db", str(db), "--out", str(db.with_suffix(".json"))],
            env=ENV,
            catch_exceptions=False,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    return db


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return two_checkpoints(tmp_path_factory.mktemp("gate") / "s.db", "--lang", "th,vi,id")


def test_the_gate_fails_naming_the_language_that_regressed(cli, store, tmp_path):
    verdict_file = tmp_path / "verdict.json"
    args = ("compare", "ckpt-new", "ckpt-old", "--db", store, "--fail-on-regression", "--verdict", verdict_file)
    result = cli(*args)
    assert result.exit_code == 1
    assert re.search(r"REGRESSION th / all: [−-]\d\.\d\d", result.stderr), result.stderr
    assert "REGRESSION vi" not in result.stderr and "REGRESSION id" not in result.stderr
    verdict = json.loads(verdict_file.read_text(encoding="utf-8"))
    assert verdict["failed"] is True and verdict["new"] == "ckpt-new" and verdict["by"] == "language"
    regressed = {(c["lang"], c["category"]) for c in verdict["cells"] if c["regressed"]}
    assert ("th", "all") in regressed and not any(lang in ("vi", "id") for lang, _ in regressed)
    looked = {(c["lang"], c["category"]) for c in verdict["cells"]}
    assert looked == {("all", "all"), ("th", "all"), ("vi", "all"), ("id", "all")}
    th = next(c for c in verdict["cells"] if c["lang"] == "th")
    assert -3.5 < th["diff"] < -2.5 and th["ci_high"] < 0  # the planted drop of 3 on average, found


def test_a_margin_larger_than_the_drop_passes_and_the_reverse_comparison_is_no_regression(cli, store):
    assert cli("compare", "ckpt-new", "ckpt-old", "--db", store, "--fail-on-regression", "--margin", "5").exit_code == 0
    better = cli("compare", "ckpt-old", "ckpt-new", "--db", store, "--fail-on-regression")
    assert better.exit_code == 0 and "no significant regression" in better.stderr


def test_the_gate_looks_per_cell_when_asked(cli, store):
    result = cli("compare", "ckpt-new", "ckpt-old", "--db", store, "--fail-on-regression", "--by", "cell")
    assert result.exit_code == 1
    places = re.findall(r"REGRESSION (\w+) / ([\w-]+)", result.stderr)
    assert places and all(lang in ("th", "all") for lang, _ in places), places
    assert cli("compare", "ckpt-new", "ckpt-old", "--db", store, "--by", "region").exit_code == 2
