"""Load and validate benches: the bundled one, Sea-bench v1, SeaBench v2 and MT-bench files (JSONL or CSV), hf: datasets.

Every shape becomes the same `Question` record. Every problem names its file and line, and all of them are
collected before anything is raised, so `seabench bench validate` can list them together.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

from .errors import ConfigError, InputError, Problem
from .languages import CODES, ORDER, lang_sort_key
from .records import SEA_BENCH_CATEGORIES, Bench, BenchCell, Question
from .resources import resource_dir
from .textio import json_type, read_csv, read_jsonl

SEABENCH_V2_TYPES = (
    "safety", "life", "math", "reasoning", "writing", "stem", "extraction", "roleplay", "coding", "humanities",
)
MT_BENCH_CATEGORIES = ("writing", "roleplay", "reasoning", "math", "coding", "extraction", "stem", "humanities")

SHAPES = {
    "sea-bench": ("Sea-bench", SEA_BENCH_CATEGORIES),
    "seabench-v2": ("SeaBench v2", SEABENCH_V2_TYPES),
    "mt-bench": ("MT-bench", MT_BENCH_CATEGORIES),
}
BUNDLED = "seabench-starter"
QUESTION_FILES = ("question.jsonl", "questions.jsonl", "public-questions.jsonl")


def load_bench(source: str | os.PathLike[str] | None = None) -> Bench:
    """Load a bench: None for the bundled one, `hf:OWNER/NAME[/FILE]`, a file, or a folder holding one."""
    if source is None or str(source) == BUNDLED:
        return _load_bundled()
    text = str(source)
    if text.startswith("hf:"):
        return _load_hf(text)
    path = Path(text)
    if path.is_dir():
        found = [path / name for name in QUESTION_FILES if (path / name).is_file()]
        if not found:
            raise InputError.at(path, None, f"no question file in this folder (looked for {', '.join(QUESTION_FILES)})")
        path = found[0]
    return load_file(path)


def load_file(path: Path, *, name: str | None = None, source: str | None = None, any_category: bool = False) -> Bench:
    """Load one JSONL or CSV file, detecting its shape from the records.

    `any_category` accepts categories outside the shape's vocabulary (FastChat folders hold custom benches too).
    """
    notes: list[str] = []
    if path.suffix.lower() == ".csv":
        shape, questions = "csv", _from_csv(path)
    else:
        problems: list[Problem] = []
        records = read_jsonl(path, problems)
        shape = _detect_shape(path, records, problems)
        questions = _from_jsonl(path, shape, records, problems, any_category)
        notes = _ignored_fields(path, shape, records)
        if shape == "mt-bench":
            questions = _attach_mt_bench_references(path, questions)
    # `mt-bench/question.jsonl` is better known by its folder than by its file name.
    default_name = path.resolve().parent.name if path.name in QUESTION_FILES else path.stem
    baseline = BASELINE_FIELD if any(q.baseline for q in questions) else None
    return Bench(name=name or default_name, source=source or str(path), shape=shape, questions=tuple(questions), notes=tuple(notes),
                 baseline_name=baseline)


BASELINE_FIELD = "chatgpt_response"
"""Sea-bench v1 ships ChatGPT's answer to each question's first turn under this field (the SeaLLMs team's baseline)."""


# Fields each JSONL shape reads; anything else is ignored, and said so (never dropped silently).
FIELDS = {
    "sea-bench": {"question_id", "category", "lang", "turns", "chatgpt_response", "references", "reference", "answer_lang"},
    "mt-bench": {"question_id", "category", "turns", "reference"},
}


def _ignored_fields(path: Path, shape: str, records: list[tuple[int, dict[str, Any]]]) -> list[str]:
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
    return [f"{path}:{first[k]}: field '{k}' is not part of the {shape} shape and is ignored ({count[k]} records have it); "
            f"known: {', '.join(sorted(known))}" for k in sorted(first)]


def _load_bundled() -> Bench:
    folder = resource_dir("data") / BUNDLED
    meta = json.loads((folder / "bench.json").read_text(encoding="utf-8"))
    bench = load_file(folder / "questions.jsonl", name=meta["name"], source="bundled")
    return bench.model_copy(update={"description": meta["description"]})


def _load_hf(spec: str) -> Bench:
    """`hf:OWNER/NAME` reads `question.jsonl` from that dataset repo; `hf:OWNER/NAME/FILE` names the file."""
    parts = spec[3:].strip("/").split("/")
    if len(parts) < 2 or not all(parts):
        raise ConfigError(f"{spec}: expected hf:OWNER/NAME or hf:OWNER/NAME/FILE")
    repo_id, filename = "/".join(parts[:2]), "/".join(parts[2:]) or "question.jsonl"
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError, LocalEntryNotFoundError, RepositoryNotFoundError

    try:
        local = hf_hub_download(repo_id=repo_id, filename=filename, repo_type="dataset")
    except LocalEntryNotFoundError:
        local = None  # offline and not cached: explained below
    except (RepositoryNotFoundError, EntryNotFoundError) as e:
        raise ConfigError(f"{spec}: {type(e).__name__}: no file {filename} in dataset {repo_id}") from None
    except Exception:  # DNS failure, proxy, timeout: all end the same way for the user
        local = None
    if local is None:
        raise ConfigError(
            f"{spec}: could not fetch {filename} from the Hugging Face hub (offline or unreachable, and not cached). "
            f"Download it where you have access: `hf download {repo_id} {filename} --repo-type dataset --local-dir .` "
            f"and pass the file: --bench ./{filename}"
        ) from None
    return load_file(Path(local), name=repo_id.split("/")[1], source=spec)


def _detect_shape(path: Path, records: list[tuple[int, dict[str, Any]]], problems: list[Problem]) -> str:
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
            "SeaBench v2 fields (lang, unit_id, type, user_1, reference_1, …) or MT-bench fields (question_id, category, turns)",
        )
    raise InputError(problems or [Problem(str(path), 1, "the file is empty")])


class _Record:
    """Field access on one raw record that files each problem under the record's file and line."""

    def __init__(self, path: Path, line: int, data: dict[str, Any], problems: list[Problem], any_category: bool = False):
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


def _from_jsonl(
    path: Path, shape: str, records: list[tuple[int, dict[str, Any]]], problems: list[Problem], any_category: bool = False
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
        # `references` and `answer_lang` are our additions to the Sea-bench shape (the bundled bench uses them);
        # `reference` is read as an alias, the name MT-bench's files use.
        references=rec.references("references" if "references" in rec.data else "reference", len(turns) if turns else None),
        answer_lang=rec.lang("answer_lang") if "answer_lang" in rec.data else None,
        baseline=rec.text("chatgpt_response", required=False) or None,
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


def _attach_mt_bench_references(path: Path, questions: list[Question]) -> list[Question]:
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
    problems = [Problem(str(ref_file), line, f"unknown question_id '{qid}'") for qid, (line, _) in refs.items() if qid not in known]
    if problems:
        raise InputError(problems)
    return [q.model_copy(update={"references": tuple(refs[q.id][1][: len(q.turns)]) if q.id in refs else None}) for q in questions]


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


def _from_csv(path: Path) -> list[Question]:
    header, rows = read_csv(path)
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise InputError.at(path, 1, f"missing column(s): {', '.join(missing)} (Sea-bench CSV needs {', '.join(CSV_REQUIRED)})")
    unknown = [c for c in header if c not in CSV_REQUIRED and c != "chatgpt_response" and not _NUMBERED.match(c)]
    if unknown:
        raise InputError.at(
            path, 1, f"unknown column(s): {', '.join(unknown)}; expected {', '.join(CSV_REQUIRED)}, turn_N, reference_N, chatgpt_response"
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


def stats(bench: Bench) -> list[BenchCell]:
    """Questions per language × category, with how many have two or more turns and how many have a reference."""
    counts: Counter[tuple[str, str]] = Counter()
    multi: Counter[tuple[str, str]] = Counter()
    refs: Counter[tuple[str, str]] = Counter()
    for q in bench.questions:
        key = (q.lang, q.category)
        counts[key] += 1
        multi[key] += len(q.turns) > 1
        refs[key] += q.has_reference
    order = category_order(bench)
    keys = sorted(counts, key=lambda k: (lang_sort_key(k[0]), order.index(k[1]) if k[1] in order else len(order), k[1]))
    return [BenchCell(lang=l, category=c, questions=counts[l, c], multi_turn=multi[l, c], with_reference=refs[l, c]) for l, c in keys]


def category_order(bench: Bench) -> tuple[str, ...]:
    """The bench shape's categories, in that shape's own order."""
    return SHAPES.get(bench.shape, SHAPES["sea-bench"])[1]


def find_question(bench: Bench, question_id: str) -> Question:
    for q in bench.questions:
        if q.id == question_id:
            return q
    raise ConfigError(f"no question '{question_id}' in {bench.source} ({len(bench.questions)} questions)")
