"""Every validation error names file and line, goes to stderr, exits 2, and shows no traceback."""

from __future__ import annotations

import codecs
import json

import pytest

GOOD = {"question_id": 1, "category": "safety", "lang": "th", "turns": ["ช่วยเขียนโพสต์หน่อย"]}


def jl(*records) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records) + "\n"


def rec(**changes):
    out = {**GOOD, **changes}
    return {k: v for k, v in out.items() if v is not ...}


CASES = [
    ("duplicate", jl(GOOD, rec(question_id=2), GOOD), 3, "duplicate id '1' (first on line 1)"),
    ("missing-turns", jl(GOOD, rec(question_id=2, turns=...)), 2, "missing field 'turns'"),
    ("empty-turns", jl(rec(turns=[])), 1, "'turns' is empty"),
    ("empty-turn", jl(rec(turns=["ok", "  "])), 1, "turn 2 is empty"),
    ("turns-not-list", jl(rec(turns="hello")), 1, "'turns' must be a list of strings, got a string"),
    ("turn-not-string", jl(rec(turns=["ok", 5])), 1, "turn 2 must be a string, got a number"),
    (
        "unknown-lang",
        jl(rec(lang="mm")),
        1,
        "unknown language code 'mm'; valid codes: en, vi, id, ms, tl, th, km, lo, my",
    ),
    ("unknown-category", jl(rec(category="math")), 1, "unknown category 'math' for Sea-bench; valid: task-solving"),
    ("invalid-json", jl(GOOD, '{"question_id": 2, "turns": ['), 2, "invalid JSON:"),
    ("not-object", jl(GOOD, "[1, 2]"), 2, "expected a JSON object, got a list"),
    ("empty-file", "\n\n", 1, "the file is empty"),
    (
        "v2-unknown-type",
        jl({"lang": "vi", "unit_id": "vi-1", "type": "poetry", "user_1": "a", "reference_1": "b"}),
        1,
        "unknown category 'poetry' for SeaBench v2",
    ),
    (
        "v2-empty-turn",
        jl({"lang": "vi", "unit_id": "vi-1", "type": "math", "user_1": "a", "user_2": ""}),
        1,
        "turn 2 is empty",
    ),
    (
        "mt-unknown-category",
        jl({"question_id": 81, "category": "safety", "turns": ["x"]}),
        1,
        "unknown category 'safety' for MT-bench",
    ),
]


@pytest.mark.parametrize("name,content,line,message", CASES, ids=[c[0] for c in CASES])
def test_each_error_names_file_and_line(cli, tmp_path, name, content, line, message):
    path = tmp_path / f"{name}.jsonl"
    path.write_text(content, encoding="utf-8")
    for args in (["bench", "validate", path], ["bench", "stats", "--bench", path]):
        result = cli(*args)
        assert result.exit_code == 2
        assert result.stdout == ""
        first = result.stderr.splitlines()[0]
        assert first.startswith(f"error: {path}:{line}: {message}"), first
        assert "Traceback" not in result.stderr


def test_non_utf8_bytes(cli, tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(
        jl(GOOD).encode() + json.dumps(rec(question_id=2, turns=["café"]), ensure_ascii=False).encode("latin-1") + b"\n"
    )
    result = cli("bench", "validate", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}:2: not valid UTF-8 (byte 0xe9")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_is_refused(cli, tmp_path, encoding):
    path = tmp_path / "wide.jsonl"
    path.write_bytes(jl(GOOD).encode(encoding))
    result = cli("bench", "validate", path)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {path}:1: the file is UTF-16 encoded; save it as UTF-8"


def test_bom_crlf_and_blank_lines_are_valid(cli, tmp_path):
    path = tmp_path / "windows.jsonl"
    body = jl(GOOD, "", rec(question_id=2, lang="my", turns=["မင်္ဂလာပါ"])).replace("\n", "\r\n")
    path.write_bytes(codecs.BOM_UTF8 + body.encode("utf-8") + b"\r\n\r\n")
    result = cli("bench", "validate", path)
    assert result.exit_code == 0, result.stderr
    assert "2 questions" in result.output


def test_validate_lists_every_error(cli, tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_text(
        jl(GOOD, rec(question_id=2, lang="xx"), "nope", rec(question_id=4, turns=[""]), GOOD), encoding="utf-8"
    )
    result = cli("bench", "validate", path)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert [l.split(": ")[1] for l in lines] == [f"{path}:{n}" for n in (2, 3, 4, 5)]
    assert "invalid JSON" in lines[1] and "turn 1 is empty" in lines[2] and "duplicate id '1'" in lines[3]


def test_error_list_is_capped(cli, tmp_path):
    path = tmp_path / "huge.jsonl"
    path.write_text("".join("{bad\n" for _ in range(80)), encoding="utf-8")
    lines = cli("bench", "validate", path).stderr.strip().splitlines()
    assert len(lines) == 51 and lines[-1] == "error: … and 30 more problems"


def test_missing_file(cli, tmp_path):
    result = cli("bench", "validate", tmp_path / "nope.jsonl")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'nope.jsonl'}: no such file"


def test_csv_errors(cli, tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("question_id,category,lang\nq1,safety,th\n", encoding="utf-8")
    assert cli("bench", "validate", path).stderr.startswith(f"error: {path}:1: missing column(s): turn_1")
    path.write_text("question_id,category,lang,turn_1\nq1,safety,th,hello\nq2,safety,th\n", encoding="utf-8")
    assert cli("bench", "validate", path).stderr.startswith(f"error: {path}:3: row has 3 fields, the header has 4")
    path.write_text(
        'question_id,category,lang,turn_1,turn_2\nq1,safety,th,"multi\nline",x\nq2,safety,zz,hi,\n', encoding="utf-8"
    )
    assert cli("bench", "validate", path).stderr.startswith(f"error: {path}:4: unknown language code 'zz'")
    path.write_text("question_id,category,lang,turn_1,turn_2\nq1,safety,th,,second\n", encoding="utf-8")
    assert cli("bench", "validate", path).stderr.startswith(f"error: {path}:2: turn 1 is empty")
    path.write_text("question_id,category,lang,turn_1,notes\nq1,safety,th,hi,x\n", encoding="utf-8")
    assert cli("bench", "validate", path).stderr.startswith(f"error: {path}:1: unknown column(s): notes")


def test_mt_bench_reference_file_errors(cli, tmp_path):
    (tmp_path / "question.jsonl").write_text(
        jl({"question_id": 81, "category": "math", "turns": ["1+1?"]}), encoding="utf-8"
    )
    (tmp_path / "reference_answer").mkdir()
    ref = tmp_path / "reference_answer" / "gpt-4.jsonl"
    ref.write_text(jl({"question_id": 99, "choices": [{"turns": ["2"]}]}), encoding="utf-8")
    result = cli("bench", "validate", tmp_path)
    assert result.exit_code == 2 and result.stderr.startswith(f"error: {ref}:1: unknown question_id '99'")


def test_a_singular_reference_is_read_and_unknown_fields_are_named(cli, tmp_path):
    import json

    path = tmp_path / "b.jsonl"
    rows = [
        {
            "question_id": 1,
            "category": "math-reasoning",
            "lang": "th",
            "turns": ["1+1"],
            "reference": ["2"],
            "difficulty": "easy",
        },
        {"question_id": 2, "category": "safety", "lang": "th", "turns": ["x"], "difficulty": "hard"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = cli("bench", "show", "1", "--bench", path)
    assert result.exit_code == 0 and "reference answer" in result.stdout
    assert (
        f"warning: {path}:1: field 'difficulty' is not part of the sea-bench shape and is ignored (2 records have it)"
        in result.stderr
    )


@pytest.mark.parametrize(
    "line,message",
    [
        ("[" * 10_000 + "]" * 10_000, "nested deeper than 32"),
        (
            '{"question_id": "q1", "category": "safety", "lang": "th", "turns": ["\\ud800"]}',
            "lone surrogate escape (\\ud800)",
        ),
        (
            '{"question_id": "q1", "category": "safety", "lang": "th", "turns": ["x"], "w": Infinity}',
            "Infinity is not a number",
        ),
        ('{"question_id": "q1", "category": "safety", "lang": "th", "turns": ["x"], "w": NaN}', "NaN is not a number"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "generate"])
def test_hostile_lines_are_one_line_each_before_anything_runs(cli, tmp_path, line, message, command):
    bench = tmp_path / "b.jsonl"
    bench.write_text(line + "\n", encoding="utf-8")
    args = (
        ("bench", "validate", bench)
        if command == "validate"
        else ("generate", "--model", "openai:m", "--bench", bench, "--db", tmp_path / "s.db")
    )
    result = cli(*args, env={"OPENAI_API_KEY": "k"})
    assert result.exit_code == 2 and f"{bench}:1: " in result.stderr and message in result.stderr, result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "s.db").exists()


def test_a_csv_bench_with_a_header_only_is_refused(cli, tmp_path):
    bench = tmp_path / "b.csv"
    bench.write_text("question_id,category,lang,turn_1\n", encoding="utf-8")
    result = cli(
        "generate", "--model", "openai:m", "--bench", bench, "--db", tmp_path / "s.db", env={"OPENAI_API_KEY": "k"}
    )
    assert result.exit_code == 2 and "no questions in this file" in result.stderr
