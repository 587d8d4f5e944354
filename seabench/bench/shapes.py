"""How each file shape becomes `Question` records: Sea-bench v1, SeaBench v2 and MT-bench JSONL, and Sea-bench CSV.

Every problem names its file and line, and all of them are collected before anything is raised.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..languages import CODES, ORDER
from ..records import SEA_BENCH_CATEGORIES, Question
from ..textio import json_type, read_csv, read_jsonl

SEABENCH_V2_TYPES = (
    "safety",
    "life",
    "math",
    "reasoning",
    "writing",
    "stem",
    "extraction",
    "roleplay",
    "coding",
    "humanities",
)
MT_BENCH_CATEGORIES = ("writing", "roleplay", "reasoning", "math", "coding", "extraction", "stem", "humanities")

SHAPES = {
    "sea-bench": ("Sea-bench", SEA_BENCH_CATEGORIES),
    "seabench-v2": ("SeaBench v2", SEABENCH_V2_TYPES),
    "mt-bench": ("MT-bench", MT_BENCH_CATEGORIES),
}


# Fields each JSONL shape reads; anything else is ignored, and said so (never dropped silently).
FIELDS = {
    "sea-bench": {
        "question_id",
        "category",
        "lang",
        "turns",
        "chatgpt_response",
        "references",
        "reference",
        "answer_lang",
        "tags",
    },
    "mt-bench": {"question_id", "category", "turns", "reference"},
}


def ignored_fields(path: Path, shape: str, records: list[tuple[int, dict[str, Any]]]) -> list[str]:
    known = FIELDS.get(shape)
    if known is None:
        return []
    first: dict[str, int] = {}
    count: dict[str, int] = {}
    for line, rec in records:
        for key in rec:
            if key not in known:
                first.setdefault(key, line)
                count[key] = count.get(key, 0) + 1
    return [
        f"{path}:{first[k]}: field '{k}' is not part of the {shape} shape and is ignored ({count[k]} records have it); "
        f"known: {', '.join(sorted(known))}"
        for k in sorted(first)
    ]


def detect_shape(path: Path, records: list[tuple[int, dict[str, Any]]], problems: list[Problem]) -> str:
    for line, rec in records:
        if "user_1" in rec or "unit_id" in rec:
            return "seabench-v2"
        if "lang" in rec:
            return "sea-bench"
        if "turns" in rec:
            return "mt-bench"
        raise InputError.at(
            path,
            line,
            "cannot tell the bench shape: expected Sea-bench fields (question_id, category, lang, turns), "
            "SeaBench v2 fields (lang, unit_id, type, user_1, reference_1, …) or MT-bench fields (question_id, "
            "category, turns)",
        )
    raise InputError(problems or [Problem(str(path), 1, "the file is empty")])


class _Record:
    """Field access on one raw record that files each problem under the record's file and line."""

    def __init__(
        self, path: Path, line: int, data: dict[str, Any], problems: list[Problem], any_category: bool = False
    ):
        self.path, self.line, self.data, self.problems = path, line, data, problems
        self.any_category = any_category

    def fail(self, message: str) -> None:
        self.problems.append(Problem(str(self.path), self.line, message))

    def id(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            self.fail(f"missing field '{key}'")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.fail(f"'{key}' must be a string or an integer, got {json_type(value)}")
            return None
        if isinstance(value, str) and not value.strip():
            self.fail(f"'{key}' is empty")
            return None
        return str(value).strip()

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(f"missing field '{key}'")
            return None
        if not isinstance(value, str):
            self.fail(f"'{key}' must be a string, got {json_type(value)}")
            return None
        return value

    def lang(self, key: str = "lang") -> str | None:
        value = self.text(key)
        if value is None:
            return None
        if value not in CODES:
            self.fail(f"unknown language code '{value}'; valid codes: {', '.join(ORDER)} (my = Burmese, ms = Malay)")
            return None
        return value

    def category(self, key: str, shape: str) -> str | None:
        value = self.text(key)
        if value is None:
            return None
        label, valid = SHAPES[shape]
        if not value.strip():
            self.fail(f"'{key}' is empty")
            return None
        if value not in valid and not self.any_category:
            self.fail(f"unknown category '{value}' for {label}; valid: {', '.join(valid)}")
            return None
        return value

    def turns(self, key: str = "turns") -> tuple[str, ...] | None:
        value = self.data.get(key)
        if value is None:
            self.fail(f"missing field '{key}'")
            return None
        if not isinstance(value, list):
            self.fail(f"'{key}' must be a list of strings, got {json_type(value)}")
            return None
        if not value:
            self.fail(f"'{key}' is empty: a question needs at least one turn")
            return None
        ok = True
        for i, turn in enumerate(value, start=1):
            if not isinstance(turn, str):
                self.fail(f"turn {i} must be a string, got {json_type(turn)}")
                ok = False
            elif not turn.strip():
                self.fail(f"turn {i} is empty")
                ok = False
        return tuple(value) if ok else None

    def tags(self, key: str = "tags") -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(f"'{key}' must be a list of non-empty strings, such as [\"harmless\"]")
            return ()
        return tuple(v.strip() for v in value)

    def references(self, key: str, n_turns: int | None) -> tuple[str | None, ...] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(v is None or isinstance(v, str) for v in value):
            self.fail(f"'{key}' must be a list of strings (or nulls), one per turn")
            return None
        if n_turns is not None and len(value) > n_turns:
            self.fail(f"'{key}' has {len(value)} entries but the question has {n_turns} turns")
            return None
        refs = tuple(v if v and v.strip() else None for v in value)
        return refs if any(refs) else None


def from_jsonl(
    path: Path,
    shape: str,
    records: list[tuple[int, dict[str, Any]]],
    problems: list[Problem],
    any_category: bool = False,
) -> list[Question]:
    questions: list[tuple[int, Question]] = []
    for line, data in records:
        rec = _Record(path, line, data, problems, any_category)
        before = len(problems)
        fields = _PARSERS[shape](rec)
        if len(problems) == before:
            questions.append((line, Question(**fields)))
    problems += _duplicates(path, questions)
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    return [q for _, q in questions]


def _sea_bench(rec: _Record) -> dict[str, Any]:
    turns = rec.turns()
    return dict(
        id=rec.id("question_id"),
        lang=rec.lang(),
        category=rec.category("category", "sea-bench"),
        turns=turns,
        # `references`, `answer_lang` and `tags` are our additions to the Sea-bench shape (the bundled bench uses them);
        # `reference` is read as an alias, the name MT-bench's files use.
        references=rec.references(
            "references" if "references" in rec.data else "reference", len(turns) if turns else None
        ),
        answer_lang=rec.lang("answer_lang") if "answer_lang" in rec.data else None,
        baseline=rec.text("chatgpt_response", required=False) or None,
        tags=rec.tags(),
    )


def _seabench_v2(rec: _Record) -> dict[str, Any]:
    turns, refs = [], []
    for i in range(1, 100):
        if f"user_{i}" not in rec.data:
            break
        text = rec.text(f"user_{i}")
        if text is not None and not text.strip():
            rec.fail(f"turn {i} is empty ('user_{i}')")
        turns.append(text)
        refs.append(rec.text(f"reference_{i}", required=False) or None)
    if not turns:
        rec.fail("missing field 'user_1'")
    return dict(
        id=rec.id("unit_id"),
        lang=rec.lang(),
        category=rec.category("type", "seabench-v2"),
        turns=tuple(turns),
        references=tuple(refs) if any(refs) else None,
    )


def _mt_bench(rec: _Record) -> dict[str, Any]:
    turns = rec.turns()
    return dict(
        id=rec.id("question_id"),
        lang="en",
        category=rec.category("category", "mt-bench"),
        turns=turns,
        references=rec.references("reference", len(turns) if turns else None),
    )


_PARSERS = {"sea-bench": _sea_bench, "seabench-v2": _seabench_v2, "mt-bench": _mt_bench}


def _duplicates(path: Path, questions: list[tuple[int, Question]]) -> list[Problem]:
    first: dict[str, int] = {}
    problems = []
    for line, q in questions:
        if q.id in first:
            problems.append(Problem(str(path), line, f"duplicate id '{q.id}' (first on line {first[q.id]})"))
        else:
            first[q.id] = line
    return problems


def attach_mt_bench_references(path: Path, questions: list[Question]) -> list[Question]:
    """FastChat keeps reference answers in `reference_answer/<judge>.jsonl` beside the questions, as answer records.

    As in FastChat's judge, when that file exists it is the only source of references (the questions' own
    `reference` field is used only without it); gpt-4.jsonl is preferred when there are several.
    """
    folder = path.parent / "reference_answer"
    files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    if not files:
        return questions
    ref_file = next((f for f in files if f.stem == "gpt-4"), files[0])
    refs = read_answer_turns(ref_file)
    known = {q.id for q in questions}
    problems = [
        Problem(str(ref_file), line, f"unknown question_id '{qid}'")
        for qid, (line, _) in refs.items()
        if qid not in known
    ]
    if problems:
        raise InputError(problems)
    return [
        q.model_copy(update={"references": tuple(refs[q.id][1][: len(q.turns)]) if q.id in refs else None})
        for q in questions
    ]


def read_answer_turns(path: Path) -> dict[str, tuple[int, list[str]]]:
    """FastChat answer records (`question_id`, `choices[0].turns`) by question id, with their line numbers."""
    problems: list[Problem] = []
    out: dict[str, tuple[int, list[str]]] = {}
    for line, data in read_jsonl(path):
        rec = _Record(path, line, data, problems)
        qid = rec.id("question_id")
        choices = data.get("choices")
        if not (isinstance(choices, list) and choices and isinstance(choices[0], dict)):
            rec.fail("'choices' must be a non-empty list of objects with 'turns'")
            continue
        turns = choices[0].get("turns")
        if not isinstance(turns, list) or not all(isinstance(t, str) for t in turns):
            rec.fail("'choices[0].turns' must be a list of strings")
            continue
        if qid is not None:
            out[qid] = (line, turns)
    if problems:
        raise InputError(problems)
    return out


CSV_REQUIRED = ("question_id", "category", "lang", "turn_1")
_NUMBERED = re.compile(r"^(turn|reference)_[1-9][0-9]*$")


def from_csv(path: Path) -> list[Question]:
    header, rows = read_csv(path)
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise InputError.at(
            path, 1, f"missing column(s): {', '.join(missing)} (Sea-bench CSV needs {', '.join(CSV_REQUIRED)})"
        )
    unknown = [c for c in header if c not in CSV_REQUIRED and c != "chatgpt_response" and not _NUMBERED.match(c)]
    if unknown:
        raise InputError.at(
            path,
            1,
            f"unknown column(s): {', '.join(unknown)}; expected {', '.join(CSV_REQUIRED)}, turn_N, reference_N, "
            f"chatgpt_response",
        )
    turn_cols = sorted((c for c in header if c.startswith("turn_")), key=lambda c: int(c[5:]))
    problems: list[Problem] = []
    questions: list[tuple[int, Question]] = []
    for line, row in rows:
        values = [row[c] for c in turn_cols]
        while len(values) > 1 and not values[-1].strip():  # shorter conversations leave trailing turn columns blank
            values.pop()
        data: dict[str, Any] = {k: row[k].strip() for k in ("question_id", "category", "lang")}
        data["turns"] = values
        data["references"] = [row.get(f"reference_{i}") or None for i in range(1, len(values) + 1)]
        data["chatgpt_response"] = row.get("chatgpt_response") or None
        rec = _Record(path, line, data, problems)
        before = len(problems)
        fields = _sea_bench(rec)
        if len(problems) == before:
            questions.append((line, Question(**fields)))
    problems += _duplicates(path, questions)
    if problems:
        raise InputError(problems)
    return [q for _, q in questions]
