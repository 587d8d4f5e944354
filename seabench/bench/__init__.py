"""Load and validate benches: the bundled one, files (JSONL or CSV) and hf: datasets, and what to ask of a bench.

Every shape becomes the same `Question` record (`shapes.py` holds how); every problem names its file and line, and all
of them are collected before anything is raised, so `seabench bench validate` can list them together.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from ..errors import ConfigError, InputError, Problem, SpecError
from ..languages import lang_sort_key
from ..records import Bench, BenchCell, Question
from ..resources import resource_dir
from ..textio import read_jsonl
from .shapes import SHAPES, attach_mt_bench_references, detect_shape, from_csv, from_jsonl, ignored_fields

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
        shape, questions = "csv", from_csv(path)
    else:
        problems: list[Problem] = []
        records = read_jsonl(path, problems)
        shape = detect_shape(path, records, problems)
        questions = from_jsonl(path, shape, records, problems, any_category)
        notes = ignored_fields(path, shape, records)
        if shape == "mt-bench":
            questions = attach_mt_bench_references(path, questions)
    if not questions:
        raise InputError.at(path, None, "no questions in this file (a header, or blank lines, only)")
    # `mt-bench/question.jsonl` is better known by its folder than by its file name.
    default_name = path.resolve().parent.name if path.name in QUESTION_FILES else path.stem
    baseline = BASELINE_FIELD if any(q.baseline for q in questions) else None
    return Bench(
        name=name or default_name,
        source=source or str(path),
        shape=shape,
        questions=tuple(questions),
        notes=tuple(notes),
        baseline_name=baseline,
    )


BASELINE_FIELD = "chatgpt_response"
"""Sea-bench v1 ships ChatGPT's answer to each question's first turn under this field (the SeaLLMs team's baseline)."""


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
        raise SpecError(
            "{spec}: could not fetch {file} from the Hugging Face hub (offline or unreachable, and not cached). "
            "Download it "
            "where you have access: `hf download {repo} {file} --repo-type dataset --local-dir .` and pass the file: "
            "{bench} ./{file}",
            spec=spec,
            file=filename,
            repo=repo_id,
        ) from None
    return load_file(Path(local), name=repo_id.split("/")[1], source=spec)


def stats(bench: Bench) -> list[BenchCell]:
    """Questions per language × category, with how many have two or more turns, how many have a reference and how
    many are tagged `hard`."""
    counts: Counter[tuple[str, str]] = Counter()
    multi: Counter[tuple[str, str]] = Counter()
    refs: Counter[tuple[str, str]] = Counter()
    hard: Counter[tuple[str, str]] = Counter()
    for q in bench.questions:
        key = (q.lang, q.category)
        counts[key] += 1
        multi[key] += len(q.turns) > 1
        refs[key] += q.has_reference
        hard[key] += "hard" in q.tags
    order = category_order(bench)
    keys = sorted(counts, key=lambda k: (lang_sort_key(k[0]), order.index(k[1]) if k[1] in order else len(order), k[1]))
    return [
        BenchCell(
            lang=l,
            category=c,
            questions=counts[l, c],
            multi_turn=multi[l, c],
            with_reference=refs[l, c],
            hard=hard[l, c],
        )
        for l, c in keys
    ]


def category_order(bench: Bench) -> tuple[str, ...]:
    """The bench shape's categories, in that shape's own order."""
    return SHAPES.get(bench.shape, SHAPES["sea-bench"])[1]


def find_question(bench: Bench, question_id: str) -> Question:
    for q in bench.questions:
        if q.id == question_id:
            return q
    raise ConfigError(f"no question '{question_id}' in {bench.source} ({len(bench.questions)} questions)")
