"""FastChat llm_judge folders in and out, checked against the real example run in ../shared/data."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from statistics import mean

from seabench.aggregate import pair_outcomes
from seabench.store import Store

from .fakes import FakeServer


def _fastchat_means(path):
    """What FastChat's show_result.py computes: drop -1, mean per model and turn, and over both turns."""
    per_turn, overall = defaultdict(list), defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["score"] == -1:
            continue
        per_turn[rec["model"], rec["turn"]].append(rec["score"])
        overall[rec["model"]].append(rec["score"])
    return {k: mean(v) for k, v in per_turn.items()}, {k: mean(v) for k, v in overall.items()}


def test_import_example_run_gives_fastchats_means(cli, shared_data, tmp_path):
    run = shared_data / "mt-bench-example-run"
    db = tmp_path / "s.db"
    result = cli("import", "fastchat", run, "--questions", shared_data / "mt-bench" / "question.jsonl", "--db", db)
    assert result.exit_code == 0, result.stderr
    assert "800 judgments" in result.output
    raw = run / "model_judgment" / "gpt-4_single.jsonl"
    unscored_raw = sum(json.loads(l)["score"] == -1 for l in raw.read_text(encoding="utf-8").splitlines())
    with Store(db) as store:
        judgments = store.judgments(judge="gpt-4")
        answers = store.answers()
        questions = store.questions("mt-bench")
    assert len(judgments) == 800 and len(questions) == 80
    assert sum(j.score is None for j in judgments) == unscored_raw
    assert all(j.problem for j in judgments if j.score is None)
    assert {a.model for a in answers} == {
        "mistral-orpo",
        "mistral-orpo-capybara",
        "mistral-orpo-mix",
        "mistral-orpo-trl",
    }
    # mistral-orpo was judged twice: the repeats are kept as samples 0 and 1, not dropped or merged
    assert max(j.sample for j in judgments if j.model == "mistral-orpo") == 1
    per_turn, overall = defaultdict(list), defaultdict(list)
    for j in judgments:
        if j.score is not None:
            per_turn[j.model, j.turn].append(j.score)
            overall[j.model].append(j.score)
    want_turn, want_overall = _fastchat_means(raw)
    assert {k: mean(v) for k, v in per_turn.items()} == want_turn
    assert {k: mean(v) for k, v in overall.items()} == want_overall
    # the references from reference_answer/gpt-4.jsonl beside question.jsonl came along
    assert sum(q.has_reference for q in questions.values()) == 30
    again = cli("import", "fastchat", run, "--questions", shared_data / "mt-bench" / "question.jsonl", "--db", db)
    assert "0 new rows" in again.output


def test_import_needs_questions(cli, shared_data, tmp_path):
    result = cli("import", "fastchat", shared_data / "mt-bench-example-run", "--db", tmp_path / "s.db")
    assert result.exit_code == 2 and "no question file here; give --questions PATH" in result.stderr


def test_import_errors_name_file_and_line(cli, shared_data, tmp_path):
    folder = tmp_path / "fc"
    (folder / "model_judgment").mkdir(parents=True)
    shutil.copy(shared_data / "mt-bench" / "question.jsonl", folder / "question.jsonl")
    bad = folder / "model_judgment" / "gpt-4_single.jsonl"
    bad.write_text(
        json.dumps(
            {"question_id": 81, "model": "m", "judge": ["gpt-4", "single-v1"], "judgment": "ok", "score": 8, "turn": 1}
        )
        + "\n"
        + json.dumps(
            {"question_id": 999, "model": "m", "judge": ["gpt-4", "single-v1"], "judgment": "ok", "score": 8, "turn": 1}
        )
        + "\n"
        + json.dumps({"question_id": 82, "model": "m", "judge": "gpt-4", "judgment": "ok", "score": "8", "turn": 1})
        + "\n",
        encoding="utf-8",
    )
    db = tmp_path / "s.db"
    result = cli("import", "fastchat", folder, "--db", db)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"error: {bad}:2: unknown question_id '999'"
    assert any(l.startswith(f"error: {bad}:3: ") for l in lines)
    with Store(db) as store:
        assert store.judgments() == [] and store.answers() == []  # nothing half-written


def test_pairwise_file_import_and_export_round_trip(cli, tmp_path):
    """Judge pairwise here, export to FastChat's layout, import that into a fresh store: the same outcomes."""
    bench = tmp_path / "b.jsonl"
    bench.write_text(
        "\n".join(
            json.dumps(
                {"question_id": f"q{i}", "category": "safety", "lang": "th", "turns": [f"คำถาม {i}", "ต่อ"]},
                ensure_ascii=False,
            )
            for i in range(3)
        ),
        encoding="utf-8",
    )
    db = tmp_path / "s.db"
    env = {"OPENAI_API_KEY": "k"}
    with FakeServer("openai") as cand:
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
                    db,
                    "--base-url",
                    cand.url,
                    env=env,
                ).exit_code
                == 0
            )

    def judge_reply(body):
        user = body["messages"][1]["content"]
        first = user[user.index("<|answer A|>") : user.index("<|end of answer A|>")]
        return "[[A]]" if "[a]" in first else "[[B]]"  # a always wins, in both orders

    with FakeServer("openai", reply=lambda body: "Rating: [[6]]") as judge:
        assert (
            cli(
                "judge", "--judge", "openai:j", "--judge-name", "j", "--db", db, "--judge-base-url", judge.url, env=env
            ).exit_code
            == 0
        )
    with FakeServer("openai", reply=judge_reply) as judge:
        assert (
            cli(
                "judge",
                "--judge",
                "openai:j",
                "--judge-name",
                "j",
                "--mode",
                "pairwise",
                "--all-pairs",
                "--db",
                db,
                "--judge-base-url",
                judge.url,
                env=env,
            ).exit_code
            == 0
        )
    out = tmp_path / "export"
    result = cli("export", "fastchat", out, "--db", db)
    assert result.exit_code == 0, result.stderr
    assert (out / "model_answer" / "a.jsonl").exists() and (out / "model_judgment" / "j_pair.jsonl").exists()
    pair_lines = [
        json.loads(l) for l in (out / "model_judgment" / "j_pair.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(pair_lines) == 6 and all(
        p["g1_winner"] == p["g2_winner"] == "model_1" and p["model_1"] == "a" for p in pair_lines
    )
    singles = [
        json.loads(l) for l in (out / "model_judgment" / "j_single.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(singles) == 12 and {s["score"] for s in singles} == {6.0}
    db2 = tmp_path / "s2.db"
    result = cli("import", "fastchat", out, "--db", db2)
    assert result.exit_code == 0, result.stderr
    with Store(db) as one, Store(db2) as two:
        first = [
            (o.question_id, o.turn, o.model_a, o.model_b, o.winner, o.inconsistent)
            for o in pair_outcomes(one.judgments(kind="pairwise"))
        ]
        second = [
            (o.question_id, o.turn, o.model_a, o.model_b, o.winner, o.inconsistent)
            for o in pair_outcomes(two.judgments(kind="pairwise"))
        ]
        assert first == second and all(w == "A" for *_, w, _ in first)
        assert {q.lang for q in two.questions().values()} == {"th"}  # languages survive the trip
        assert sorted(a.text for a in one.answers()) == sorted(a.text for a in two.answers())


def test_scores_outside_1_to_10_are_unscored_and_repeats_are_reported(cli, tmp_path):
    folder = tmp_path / "run"
    (folder / "model_answer").mkdir(parents=True)
    (folder / "model_judgment").mkdir()
    (folder / "question.jsonl").write_text(
        "\n".join(json.dumps({"question_id": i, "category": "writing", "turns": [f"q{i}"]}) for i in (1, 2, 3))
    )
    (folder / "model_answer" / "m.jsonl").write_text(
        "\n".join(
            json.dumps({"question_id": i, "model_id": "m", "choices": [{"index": 0, "turns": [f"a{i}"]}]})
            for i in (1, 2, 3)
        )
    )
    lines = [(1, 11), (2, -1), (3, 7), (3, 8), (1, 0)]  # 11 and 0 are out of range; q3 was judged twice
    (folder / "model_judgment" / "gpt-4_single.jsonl").write_text(
        "\n".join(
            json.dumps(
                {
                    "question_id": q,
                    "model": "m",
                    "judge": ["gpt-4", "single-v1"],
                    "turn": 1,
                    "score": s,
                    "judgment": f"Rating: [[{s}]]",
                }
            )
            for q, s in lines
        )
    )
    db = tmp_path / "s.db"
    result = cli("import", "fastchat", folder, "--db", db)
    assert result.exit_code == 0, result.stderr
    assert "5 judgments (3 unscored: FastChat's -1, and 2 scores outside 1–10)" in result.output
    assert "2 items were judged more than once" in result.output  # q1 (11, then 0) and q3 (7, then 8)
    with Store(db) as store:
        scores = sorted(j.score for j in store.judgments() if j.score is not None)
    assert scores == [7.0, 8.0]
    report = json.loads(cli("report", "--db", db, "--format", "json").stdout)
    overall = next(c for c in report["cells"] if c["lang"] == "all" and c["category"] == "all" and c["turn"] == "all")
    assert (overall["n"], overall["unscored"], overall["mean"]) == (2, 3, 7.5)


def test_names_that_share_a_file_name_each_keep_their_own_file_and_round_trip(cli, tmp_path):
    from .fakes import FakeServer

    bench = tmp_path / "b.jsonl"
    bench.write_text(
        "\n".join(
            json.dumps({"question_id": f"q{i}", "category": "safety", "lang": "th", "turns": [f"ข้อ {i}"]})
            for i in range(4)
        ),
        encoding="utf-8",
    )
    db = tmp_path / "s.db"
    names = ["x/y", "x:y", "x_y"]
    with FakeServer("openai", reply=lambda body: f"{body['model']} says {body['messages'][-1]['content']}") as server:
        for i, name in enumerate(names):
            result = cli(
                "generate",
                "--model",
                f"openai:m{i}",
                "--name",
                name,
                "--bench",
                bench,
                "--db",
                db,
                "--base-url",
                server.url,
                env={"OPENAI_API_KEY": "k"},
            )
            assert result.exit_code == 0, result.stderr
    out = tmp_path / "fc"
    assert cli("export", "fastchat", out, "--db", db).exit_code == 0
    files = sorted((out / "model_answer").glob("*.jsonl"))
    assert len(files) == 3  # none overwrote another
    again = tmp_path / "again.db"
    assert cli("import", "fastchat", out, "--db", again).exit_code == 0
    with Store(db) as a, Store(again) as b:
        before = sorted((x.model, x.question_id, x.text) for x in a.answers())
        after = sorted((x.model, x.question_id, x.text) for x in b.answers())
    assert len(before) == 12 and after == before
