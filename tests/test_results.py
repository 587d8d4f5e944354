"""`export results`: every number of a store in one versioned file that `compare` and `site` read back (#26)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import seabench
from seabench.export import schema

from .test_gate import two_checkpoints

SHIPPED = Path(seabench.__file__).parent / "schemas" / "results-v1.schema.json"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return two_checkpoints(tmp_path_factory.mktemp("results") / "s.db", "--lang", "th,vi", "--limit", "4")


def test_the_shipped_schema_is_the_records_own():
    assert json.loads(SHIPPED.read_text(encoding="utf-8")) == schema()


def test_a_results_file_validates_and_compares_as_the_store_does(cli, store, tmp_path):
    import jsonschema

    out = tmp_path / "results.json"
    done = cli("export", "results", out, "--db", store, "--rounds", "100")
    assert done.exit_code == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads(SHIPPED.read_text(encoding="utf-8")))
    assert data["format"] == "seabench-results" and data["version"] == 1
    assert {m["name"] for m in data["models"]} == {"ckpt-old", "ckpt-new"}
    assert len(data["observations"]) == len([o for o in data["observations"] if o["judge"] == "openai:j"]) > 0
    from_store = cli("compare", "ckpt-new", "ckpt-old", "--db", store, "--format", "json")
    from_file = cli("compare", "ckpt-new", "ckpt-old", "--results", out, "--format", "json")
    assert from_file.exit_code == 0 and json.loads(from_file.stdout) == json.loads(from_store.stdout)
    gate = cli("compare", "ckpt-new", "ckpt-old", "--results", out, "--fail-on-regression")
    # th here is four task-solving questions: compare tests that margin once, as its one cell, and the gate looks there
    assert gate.exit_code == 1 and "REGRESSION th / task-solving" in gate.stderr
    site = cli("site", out, "--out", tmp_path / "site")
    assert site.exit_code == 0 and "2 rows in 1 bench × judge groups" in site.stderr
    assert "ckpt-new" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("{not json", "not JSON"),
        ('{"format": "something-else"}', "not a seabench results file"),
        ('{"format": "seabench-results", "version": 99}', "results version 99 is newer"),
    ],
)
def test_a_file_that_is_not_readable_results_is_one_line(cli, tmp_path, content, said):
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = cli("compare", "a", "b", "--results", bad)
    assert result.exit_code == 2 and said in result.stderr and result.stderr.count("\n") == 1
