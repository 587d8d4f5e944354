"""A training run as a series (#26): five checkpoints with a known upward trend and one planted regression (Thai at the
last step). The report's Checkpoints section finds both in every format, and the gate fails naming Thai."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re

import pytest

from seabench.aggregate.checkpoints import step_of

from .fakes import FakeServer

ENV = {"OPENAI_API_KEY": "k"}
STEPS = (1000, 2000, 3000, 4000, 5000)
ANSWER = re.compile(r"\[ckpt-(\d+)\] reply to: ([^\n]*)")


def _h(text: str, mod: int) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % mod


def judge_reply(body):
    """The trend: 5 at step 1000, half a point more each 1000 steps; ±1 by the question, +0/0.5 by the answer. The
    planted regression: Thai at step 5000 two points below step 4000."""
    text = body["messages"][-1]["content"]
    found = ANSWER.search(text)
    step, question = int(found.group(1)), found.group(2)
    score = 5 + (step - 1000) / 2000 + _h(question, 3) - 1 + _h(text, 2) / 2
    if step == 5000 and re.search(r"[\u0e00-\u0e7f]", question):
        score -= 2.5
    return f"Judged. Rating: [[{score:g}]]"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from typer.testing import CliRunner

    from seabench.cli import app

    db = tmp_path_factory.mktemp("series") / "s.db"
    models = [a for s in STEPS for a in ("--model", f"openai:ckpt-{s}")]
    with FakeServer("openai") as cand, FakeServer("openai", reply=judge_reply) as judge:
        result = CliRunner().invoke(
            app,
            ["eval", *models, "--judge", "openai:j", "--base-url", cand.url, "--judge-base-url", judge.url,
             "--lang", "th,vi,id", "--limit", "16", "--db", str(db), "--out", str(db.with_suffix(".json"))],
            env=ENV,
            catch_exceptions=False,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    return db


@pytest.mark.parametrize(
    ("name", "step"),
    [
        ("ckpt-2000", 2000),
        ("step_2000", 2000),
        ("run@3k", 3000),
        ("checkpoint-12", 12),
        ("gpt-4o", None),
        ("base", None),
    ],
)
def test_a_step_is_read_from_the_end_of_a_name(name, step):
    assert step_of(name) == step


def test_the_series_shows_the_trend_and_the_planted_regression_in_every_format(cli, run, tmp_path):
    data = json.loads(cli("report", "--db", run, "--format", "json", "--checkpoints").stdout)
    overall = {r["step"]: r["mean"] for r in data["checkpoints"] if r["lang"] == "all"}
    assert sorted(overall) == list(STEPS)
    vi = [r["mean"] for r in sorted(data["checkpoints"], key=lambda r: r["step"]) if r["lang"] == "vi"]
    assert all(b > a for a, b in zip(vi, vi[1:]))  # Vietnamese only climbs
    th = {r["step"]: r for r in data["checkpoints"] if r["lang"] == "th"}
    assert th[5000]["ci_high"] < th[4000]["ci_low"]  # the planted drop, outside both intervals
    drops = {(c["lang"], c["step"]) for c in data["checkpoint_changes"] if c["diff"] < 0}
    assert ("th", 5000) in drops and drops <= {("th", 5000), ("all", 5000)}  # Thai pulls the overall mean down too
    assert all(c["p_adj"] < 0.05 for c in data["checkpoint_changes"])
    rows = list(csv.DictReader(io.StringIO(cli("report", "--db", run, "--format", "csv", "--checkpoints",
                                               "--table", "checkpoint-changes").stdout)))  # fmt: skip
    assert {(r["lang"], r["step"]) for r in rows if float(r["diff"]) < 0} == {(lang, str(s)) for lang, s in drops}
    terminal = cli("report", "--db", run, "--checkpoints", "--section", "checkpoints", env={"COLUMNS": "160"}).stdout
    assert "Checkpoints: scores against step" in terminal and "openai:ckpt-5000 (5000)" in terminal
    md = tmp_path / "r.md"
    assert cli("report", "--db", run, "--checkpoints", "--out", md).exit_code == 0
    assert "Checkpoints: significant changes from one to the next" in md.read_text(encoding="utf-8")
    page = tmp_path / "r.html"
    assert cli("report", "--db", run, "--checkpoints", "--out", page).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert 'aria-label="score against step"' in html and "significant drops: th at 5000" in html
    assert "Checkpoints: th got worse at step 5000" in html.split("<h2")[0]  # under the headline, on the first screen
    assert html.count("<polyline") >= 4  # all languages and three more


def test_the_gate_on_the_last_step_names_thai(cli, run):
    result = cli("compare", "openai:ckpt-5000", "openai:ckpt-4000", "--db", run, "--fail-on-regression")
    assert result.exit_code == 1
    assert re.findall(r"REGRESSION (\w+) / all", result.stderr) in (["th"], ["th", "all"], ["all", "th"])


def test_checkpoints_need_names_with_steps(cli, tmp_path):
    with FakeServer("openai") as cand:
        assert cli("generate", "--model", "openai:base", "--base-url", cand.url, "--limit-total", "1",
                   "--db", tmp_path / "s.db", env=ENV).exit_code == 0  # fmt: skip
    result = cli("report", "--db", tmp_path / "s.db", "--checkpoints")
    assert result.exit_code == 2 and "a checkpoint series needs two or more models" in result.stderr
