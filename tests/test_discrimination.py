"""Where a bench stops telling models apart (#27): ceiling, floor and item discrimination, by hand and in every format."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from scipy.stats import pearsonr

from seabench.aggregate.discrimination import discrimination
from seabench.aggregate.scores import Obs
from seabench.records import Question

# Items × models (a, b, c): an ace, a wash-out, two that order the models, one that orders them backwards.
SCORES = {"q1": (9, 10, 9), "q2": (1, 2, 1), "q3": (3, 5, 7), "q4": (4, 6, 9), "q5": (8, 6, 4)}
CATEGORY = {"q1": "easy", "q2": "hard", "q3": "hard", "q4": "easy", "q5": "hard"}


def _inputs():
    questions = {
        ("b", q): Question(id=q, lang="th", category=CATEGORY[q], turns=("?",), tags=("hard",) if q == "q3" else ())
        for q in SCORES
    }
    obs = [
        Obs(model=m, judge="j", bench="b", question_id=q, turn=1, score=float(s))
        for q, row in SCORES.items()
        for m, s in zip("abc", row)
    ]
    return obs, questions


def test_ceiling_floor_and_item_rest_correlation_by_hand():
    obs, questions = _inputs()
    rows = {(d.kind, d.group): d for d in discrimination(obs, questions, "j", ["a", "b", "c"])}
    whole = rows[("all", "all")]
    assert (whole.items, whole.models, whole.ceiling, whole.floor) == (5, 3, 0.2, 0.2)
    table = np.array(list(SCORES.values()), dtype=float)
    expected = []
    for i in range(len(table)):
        rest = (table.sum(axis=0) - table[i]) / (len(table) - 1)
        expected.append(pearsonr(table[i], rest).statistic)
    assert whole.varied == 5
    assert abs(whole.discrimination - float(np.mean(expected))) < 1e-12
    hard = rows[("category", "hard")]  # q2, q3, q5
    assert hard.items == 3 and hard.floor == 1 / 3 and hard.ceiling == 0
    assert abs(hard.discrimination - float(np.mean([expected[1], expected[2], expected[4]]))) < 1e-12
    assert expected[4] < 0  # q5 orders the models backwards, and pulls its groups down
    assert rows[("tag", "hard")].items == 1


def test_two_models_give_no_correlation_and_an_item_missing_a_model_is_left_out():
    obs, questions = _inputs()
    two = {(d.kind, d.group): d for d in discrimination(obs, questions, "j", ["a", "b"])}
    assert two[("all", "all")].discrimination is None and two[("all", "all")].items == 5
    partial = [o for o in obs if not (o.model == "c" and o.question_id == "q1")]
    assert {d.group: d.items for d in discrimination(partial, questions, "j", ["a", "b", "c"])}["all"] == 4


def test_the_table_is_in_every_report_format(cli, tmp_path):
    from .synthetic import synthetic_store

    db = tmp_path / "s.db"
    synthetic_store(db, models=3, pairwise=False, langs=("th", "vi"))
    data = json.loads(cli("report", "--db", db, "--format", "json", "--rounds", "100").stdout)
    assert {d["kind"] for d in data["discrimination"]} >= {"all", "category"}
    rows = list(csv.DictReader(io.StringIO(cli("report", "--db", db, "--format", "csv", "--table", "discrimination",
                                               "--rounds", "100").stdout)))  # fmt: skip
    assert len(rows) == len(data["discrimination"]) and "ceiling" in rows[0]
    terminal = cli("report", "--db", db, "--section", "category", "--rounds", "100", env={"COLUMNS": "140"}).stdout
    assert "Where the bench separates the models" in terminal
    for suffix in (".md", ".html", ".txt"):
        out = tmp_path / f"r{suffix}"
        args = ("report", "--db", db, "--out", out, "--rounds", "100")
        assert cli(*args, *(("--wide",) if suffix == ".txt" else ())).exit_code == 0
        assert "Where the bench separates the models" in out.read_text(encoding="utf-8"), suffix


def test_on_a_real_run_the_table_is_what_pandas_computes_from_the_judgment_file(cli, shared_data, tmp_path):
    """FastChat's example MT-bench run (four models, GPT-4's 1–10 verdicts): ceiling, floor and item-rest correlation
    per category, recomputed with pandas straight from `gpt-4_single.jsonl` and MT-bench's question file."""
    import pandas as pd

    run = shared_data / "mt-bench-example-run"
    db = tmp_path / "fc.db"
    done = cli("import", "fastchat", run, "--questions", shared_data / "mt-bench" / "question.jsonl", "--db", db)
    assert done.exit_code == 0
    rows = json.loads(cli("report", "--db", db, "--format", "json", "--rounds", "100").stdout)["discrimination"]
    verdicts = pd.read_json(run / "model_judgment" / "gpt-4_single.jsonl", lines=True)
    verdicts = verdicts[verdicts["score"] != -1]  # FastChat's -1: unscored, never a number
    categories = pd.read_json(shared_data / "mt-bench" / "question.jsonl", lines=True).set_index("question_id")
    table = verdicts.groupby(["question_id", "model"])["score"].mean().unstack().dropna()  # items scored for all models
    rest = (table.sum() - table) / (len(table) - 1)
    r = pd.Series({q: np.corrcoef(table.loc[q], rest.loc[q])[0, 1] for q in table.index if table.loc[q].nunique() > 1})
    expected = {"all": table.index}
    expected |= {c: g.index for c, g in table.groupby(categories.loc[table.index, "category"].values)}
    got = {d["group"]: d for d in rows if d["kind"] in ("all", "category")}
    assert set(got) == set(expected)
    for group, items in expected.items():
        sub = table.loc[items]
        assert got[group]["items"] == len(sub) and got[group]["models"] == table.shape[1] == 4
        assert got[group]["ceiling"] == pytest.approx((sub.min(axis=1) >= 9).mean())
        assert got[group]["floor"] == pytest.approx((sub.max(axis=1) <= 2).mean())
        assert got[group]["discrimination"] == pytest.approx(r.loc[r.index.intersection(items)].mean())
