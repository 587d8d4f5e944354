"""`seabench.open(...)`: DataFrames with the CSV's columns and numbers, the store untouched."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest

import seabench

from .fakes import FakeServer

ENV = {"OPENAI_API_KEY": "k"}


@pytest.fixture
def db(cli, tmp_path):
    bench = tmp_path / "b.jsonl"
    rows = [
        {
            "question_id": f"q{i}",
            "category": "safety" if i % 2 else "math-reasoning",
            "lang": "th" if i < 3 else "km",
            "turns": [f"คำถาม {i}"],
        }
        for i in range(6)
    ]
    bench.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    path = tmp_path / "s.db"
    with (
        FakeServer("openai") as cand,
        FakeServer(
            "openai",
            reply=lambda b: (
                "[[A]]"
                if "answer A" in b["messages"][1]["content"]
                else f"Rating: [[{3 + len(b['messages'][1]['content']) % 7}]]"
            ),
        ) as judge,
    ):
        for m in ("a", "b"):
            assert (
                cli(
                    "generate",
                    "--model",
                    f"openai:{m}",
                    "--name",
                    m,
                    "--bench",
                    bench,
                    "--db",
                    path,
                    "--base-url",
                    cand.url,
                    env=ENV,
                ).exit_code
                == 0
            )
        assert cli("judge", "--judge", "openai:j", "--db", path, "--judge-base-url", judge.url, env=ENV).exit_code == 0
        assert (
            cli(
                "judge",
                "--judge",
                "openai:j",
                "--mode",
                "pairwise",
                "--all-pairs",
                "--db",
                path,
                "--judge-base-url",
                judge.url,
                env=ENV,
            ).exit_code
            == 0
        )
    return path


def test_the_notebook_api_gives_the_csv_tables_as_dataframes(cli, db):
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    run = seabench.open(db, settings=seabench.Settings(rounds=100))
    scores = run.scores()
    csv_text = cli("report", "--db", db, "--format", "csv", "--rounds", "100").stdout
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert list(scores.columns) == list(rows[0]) and len(scores) == len(rows)
    assert scores["mean"].tolist() == pytest.approx([float(r["mean"]) for r in rows])
    pairwise = run.pairwise()
    pair_csv = list(
        csv.DictReader(
            io.StringIO(cli("report", "--db", db, "--format", "csv", "--table", "pairwise", "--rounds", "100").stdout)
        )
    )
    assert list(pairwise.columns) == list(pair_csv[0]) and len(pairwise) == len(pair_csv)
    overall = pairwise.query("model == 'a' and opponent == 'b' and lang == 'all' and category == 'all'")
    assert overall["n"].item() == 6
    assert len(run.answers()) == 12 and set(run.answers()["model"]) == {"a", "b"}
    judgments = run.judgments()
    assert len(judgments) == 12 + 12 and {"judge", "score", "winner", "input_tokens"} <= set(judgments.columns)
    assert run.agreement().empty  # no human ratings yet: an empty table, not an error
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("table", ["leaderboard", "pairwise", "usage", "language"])
def test_every_report_table_is_reachable_as_csv(cli, db, table):
    result = cli("report", "--db", db, "--format", "csv", "--table", table, "--rounds", "100")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].split(",")[0] in ("model", "name")
    refused = cli("report", "--db", db, "--format", "json", "--table", table)
    assert refused.exit_code == 2 and "--table takes" in refused.stderr


def test_html_header_has_the_run_facts_and_pairwise_has_a_head_to_head_matrix(cli, db, tmp_path):
    out = tmp_path / "r.html"
    assert cli("report", "--db", db, "--format", "html", "--out", out, "--rounds", "100").exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert f"by seabench {seabench.__version__}" in html
    assert "bench <strong>b</strong>: 6 questions, content hash " in html
    assert "judge <strong>openai:j</strong>, prompts: sea-pair-v2, sea-single-v2" in html
    from seabench.judging.native import default_prompts

    assert (
        f"judge <strong>openai:j</strong> = openai:j, prompts from {default_prompts().source} (hash {default_prompts().digest})"
        in html
    )
    assert "model <strong>a</strong> = openai:a (temperature 0, max tokens 1024)" in html
    markdown = cli("report", "--db", db, "--format", "markdown", "--rounds", "100").stdout
    assert "## Head to head — judge: openai:j" in markdown
    row = next(line for line in markdown.splitlines() if line.startswith("| a |") and "(n=" in line)
    assert row.count("(n=6)") == 1  # a vs b: 6 items, judged in both orders
