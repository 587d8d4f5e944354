"""`seabench site`: a static leaderboard over many stores (#26), opened in headless Chromium as a reader would."""

from __future__ import annotations

import json
import shutil

import pytest

from .chromium import measure
from .fakes import FakeServer

ENV = {"OPENAI_API_KEY": "k"}
HOSTILE = 'm3<img src=x onerror="document.title=1">'


def _rating(score):
    return lambda body: f"Fine. Rating: [[{score(body)}]]"


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """A and B: the bundled bench judged by the same judge (one group); C: another bench (a group of its own)."""
    from typer.testing import CliRunner

    from seabench.cli import app

    tmp = tmp_path_factory.mktemp("site")
    other = tmp / "other.jsonl"
    other.write_text(
        "\n".join(
            json.dumps({"question_id": f"q{i}", "category": "natural-question", "lang": "th", "turns": [f"คำถาม {i}"]})
            for i in range(6)
        ),
        encoding="utf-8",
    )
    plans = {
        "a": (["--model", "openai:m1", "--model", "openai:m2", "--name", "m1", "--name", "m2"], None),
        "b": (["--model", "openai:m3", "--name", HOSTILE], None),
        "c": (["--model", "openai:m4", "--name", "m4"], other),
    }
    scores = {"m1": 8, "m2": 4, "m3": 6, "m4": 7}

    def score(body):
        text = body["messages"][-1]["content"]
        return next(s for m, s in scores.items() if f"[{m}]" in text)

    paths = {}
    with FakeServer("openai") as cand, FakeServer("openai", reply=_rating(score)) as judge:
        for key, (models, bench) in plans.items():
            db = tmp / f"{key}.db"
            scope = ["--bench", str(bench)] if bench is not None else ["--lang", "th,vi", "--limit", "3"]
            args = ["eval", *models, "--judge", "openai:j", "--base-url", cand.url, "--judge-base-url", judge.url,
                    *scope, "--db", str(db), "--out", str(tmp / f"{key}.json")]  # fmt: skip
            result = CliRunner().invoke(app, args, env=ENV, catch_exceptions=False)
            assert result.exit_code == 0, result.output
            paths[key] = db
    return paths


def test_the_site_ranks_within_bench_and_judge_and_links_every_report(cli, stores, tmp_path):
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed")
    out = tmp_path / "site"
    result = cli("site", stores["a"], stores["b"], stores["c"], "--out", out, "--rounds", "100")
    assert result.exit_code == 0, result.stderr
    assert "4 rows in 2 bench × judge groups" in result.stderr
    probe = (
        "JSON.stringify({title: document.title, groups: Array.from(document.querySelectorAll('section')).map(s => "
        "({bench: s.querySelector('h2').textContent, rows: Array.from(s.querySelectorAll('tbody tr')).map(tr => "
        "[tr.cells[0].textContent, tr.cells[1].textContent, tr.querySelector('a').getAttribute('href')])}))})"
    )
    seen = measure(out / "index.html", 1440, tmp_path / "profile", probe=probe)
    assert seen["errors"] == [] and seen["scroll_width"] <= seen["client_width"]
    page = json.loads(seen["probe"])
    assert page["title"] == "seabench leaderboard"  # the hostile name ran nothing
    groups = {g["bench"].split(" (")[0]: g["rows"] for g in page["groups"]}
    assert set(groups) == {"seabench-starter", "other"}
    starter = groups["seabench-starter"]
    assert [(rank, model) for rank, model, _ in starter] == [("1", "m1"), ("2", HOSTILE), ("3", "m2")]
    assert [model for _, model, _ in groups["other"]] == ["m4"]  # another bench: never ranked with the others
    for _, _, href in starter + groups["other"]:
        assert (out / href).is_file()
    report = measure(out / "b" / "report.html", 1440, tmp_path / "profile2")
    assert report["errors"] == []
    narrow = measure(out / "index.html", 390, tmp_path / "profile3")
    assert narrow["errors"] == [] and narrow["scroll_width"] <= narrow["client_width"]
