"""FastChat llm_judge folders in: question.jsonl, model_answer/, reference_answer/, model_judgment/ (out: in
fastchat_export.py).

Import keeps FastChat's quirks honest: a score of −1 becomes an unscored judgment (never a number), and repeated
judgments of the same item are kept as separate samples, so means pool every line as FastChat's show_result does.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..bench import load_file
from ..errors import InputError, Problem, SpecError
from ..judging.verdicts import injection_flags
from ..records import Answer, Bench, Judgment, Winner
from ..store import Store, content_key
from ..textio import json_type, read_jsonl

SIDECAR = "seabench.json"


OUTSIDE = "outside 1–10"


@dataclass
class ImportSummary:
    bench: str
    questions: int
    answers: int
    judgments: int
    unscored: int
    """FastChat's −1 and any score outside 1–10: stored unscored, never a number."""
    out_of_range: int
    """Of those, scores other than −1 outside 1–10."""
    repeated: int
    """Items (judge, question, turn, model or pair) judged more than once: kept as samples, pooled in the mean."""
    new: int


def import_fastchat(store: Store, folder: Path, questions_file: Path | None = None) -> ImportSummary:
    qfile = questions_file or folder / "question.jsonl"
    if not qfile.is_file():
        raise SpecError(
            "{path}: no question file here; give {questions} PATH (e.g. FastChat's data/mt_bench/question.jsonl)",
            path=qfile,
        )
    bench = _with_languages(load_file(qfile, any_category=True), folder)
    known = {q.id for q in bench.questions}
    turns = {q.id: len(q.turns) for q in bench.questions}
    problems: list[Problem] = []
    answers = _answers(folder / "model_answer", bench.name, known, turns, problems)
    texts = {(a.model, a.question_id, a.turn): a.text for a in answers}
    judgments = []
    folder_j = folder / "model_judgment"
    for path in sorted(folder_j.glob("*_single.jsonl")) if folder_j.is_dir() else []:
        judgments += _single(path, bench.name, known, texts, problems)
    for path in sorted(folder_j.glob("*_pair.jsonl")) if folder_j.is_dir() else []:
        judgments += _pairs(path, bench.name, known, texts, problems)
    if problems:
        raise InputError(problems)
    new = store.add_imported(bench, answers, judgments)
    repeated = len(
        {
            (j.judge, j.kind, j.question_id, j.turn, *sorted((j.model, j.model_b or "")))
            for j in judgments
            if j.sample > 0
        }
    )
    out_of_range = sum(j.problem is not None and OUTSIDE in j.problem for j in judgments)
    return ImportSummary(
        bench.name,
        len(bench.questions),
        len(answers),
        len(judgments),
        sum(not j.scored for j in judgments),
        out_of_range,
        repeated,
        new,
    )


def _with_languages(bench: Bench, folder: Path) -> Bench:
    """A seabench export leaves the questions' languages beside the FastChat files, which have no place for them."""
    sidecar = folder / SIDECAR
    if not sidecar.is_file():
        return bench
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    langs = meta.get("languages", {})
    targets = meta.get("answer_languages", {})
    questions = tuple(
        q.model_copy(update={"lang": langs.get(q.id, q.lang), "answer_lang": targets.get(q.id)})
        for q in bench.questions
    )
    return bench.model_copy(update={"name": meta.get("bench", bench.name), "questions": questions})


def _qid(rec: dict, path: Path, line: int, known: set[str], problems: list[Problem]) -> str | None:
    value = rec.get("question_id")
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        problems.append(
            Problem(str(path), line, f"'question_id' must be a string or an integer, got {json_type(value)}")
        )
        return None
    if str(value) not in known:
        problems.append(Problem(str(path), line, f"unknown question_id '{value}'"))
        return None
    return str(value)


def _answers(folder: Path, bench: str, known: set[str], turns: dict[str, int], problems: list[Problem]) -> list[Answer]:
    out = []
    sidecar = folder.parent / SIDECAR  # a seabench export names each file's model (file names cannot hold ':' or '/')
    names = json.loads(sidecar.read_text(encoding="utf-8")).get("model_files", {}) if sidecar.is_file() else {}
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        model = names.get(path.stem, path.stem)  # FastChat keys models by file name, not by model_id
        for line, rec in read_jsonl(path, problems):
            qid = _qid(rec, path, line, known, problems)
            choices = rec.get("choices")
            texts = (
                choices[0].get("turns")
                if isinstance(choices, list) and choices and isinstance(choices[0], dict)
                else None
            )
            if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                problems.append(Problem(str(path), line, "'choices[0].turns' must be a list of strings"))
                continue
            if qid is None:
                continue
            stamp = rec.get("tstamp")
            created = (
                time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(stamp)) if isinstance(stamp, (int, float)) else ""
            )
            for turn, text in enumerate(texts[: turns[qid]], start=1):
                out.append(
                    Answer(
                        key=content_key(
                            "answer/fastchat", {"bench": bench, "q": qid, "model": model, "turn": turn, "text": text}
                        ),
                        bench=bench,
                        question_id=qid,
                        turn=turn,
                        model=model,
                        spec=f"fastchat:{rec.get('model_id') or model}",
                        text=text,
                        created_at=created,
                    )
                )
    return out


def _judge(rec: dict, path: Path, line: int, problems: list[Problem]) -> tuple[str, str] | None:
    judge = rec.get("judge")
    if not (isinstance(judge, list) and len(judge) >= 2 and all(isinstance(j, str) for j in judge[:2])):
        problems.append(Problem(str(path), line, "'judge' must be a list [judge model, prompt name]"))
        return None
    return judge[0], judge[1]


def _turn(rec: dict, path: Path, line: int, problems: list[Problem]) -> int | None:
    turn = rec.get("turn", 1)
    if not isinstance(turn, int) or isinstance(turn, bool) or turn < 1:
        problems.append(Problem(str(path), line, f"'turn' must be a positive integer, got {turn!r}"))
        return None
    return turn


def _judgment_lines(path: Path, known: set[str], problems: list[Problem]) -> Iterator[tuple[int, dict, tuple | None]]:
    """Each line of a judgment file, with (question id, [judge, prompt], turn) when all three are valid, else None."""
    for line, rec in read_jsonl(path, problems):
        common = (
            _qid(rec, path, line, known, problems),
            _judge(rec, path, line, problems),
            _turn(rec, path, line, problems),
        )
        yield line, rec, None if None in common else common


def _single(path: Path, bench: str, known: set[str], texts: dict, problems: list[Problem]) -> list[Judgment]:
    seen: Counter[tuple] = Counter()
    out = []
    for line, rec, common in _judgment_lines(path, known, problems):
        model, score, text = rec.get("model"), rec.get("score"), rec.get("judgment", "")
        if not isinstance(model, str) or not isinstance(text, str):
            problems.append(Problem(str(path), line, "'model' and 'judgment' must be strings"))
            continue
        if isinstance(score, bool) or not isinstance(score, (int, float)):
            problems.append(Problem(str(path), line, f"'score' must be a number, got {json_type(score)}"))
            continue
        if common is None:
            continue
        qid, judge, turn = common
        item = (judge, qid, turn, model)
        sample = seen[item]
        seen[item] += 1
        unscored = score == -1 or not 1 <= score <= 10
        problem = f"FastChat recorded {score}" + ("" if score == -1 else f", {OUTSIDE}") + ": no usable rating"
        out.append(
            Judgment(
                key=content_key(
                    "judgment/fastchat", {"bench": bench, "item": item, "sample": sample, "score": score, "text": text}
                ),
                kind="single",
                judge=judge[0],
                prompt=judge[1],
                bench=bench,
                question_id=qid,
                turn=turn,
                model=model,
                sample=sample,
                score=None if unscored else float(score),
                judgment=text,
                problem=problem if unscored else None,
                flags=tuple(injection_flags(texts.get((model, qid, turn), ""))),
                source="fastchat",
            )
        )
    return out


def _pairs(path: Path, bench: str, known: set[str], texts: dict, problems: list[Problem]) -> list[Judgment]:
    """Each line holds both games; each becomes a positional judgment (game 2 shows model_2 first)."""
    seen: Counter[tuple] = Counter()
    out = []
    for line, rec, common in _judgment_lines(path, known, problems):
        m1, m2 = rec.get("model_1"), rec.get("model_2")
        if not isinstance(m1, str) or not isinstance(m2, str):
            problems.append(Problem(str(path), line, "'model_1' and 'model_2' must be strings"))
            continue
        if common is None:
            continue
        qid, judge, turn = common
        item = (judge, qid, turn, m1, m2)
        sample = seen[item]
        seen[item] += 1
        for game, (a, b) in (("g1", (m1, m2)), ("g2", (m2, m1))):
            named = rec.get(f"{game}_winner")
            positions: dict[str, Winner] = {a: "A", b: "B", "tie": "tie"}
            chosen = {"model_1": m1, "model_2": m2}.get(named, named) if isinstance(named, str) else None
            winner = positions.get(chosen) if chosen is not None else None
            text = rec.get(f"{game}_judgment") or ""
            out.append(
                Judgment(
                    key=content_key(
                        "judgment/fastchat-pair",
                        {"bench": bench, "item": item, "game": game, "sample": sample, "text": text, "winner": named},
                    ),
                    kind="pairwise",
                    judge=judge[0],
                    prompt=judge[1],
                    bench=bench,
                    question_id=qid,
                    turn=turn,
                    model=a,
                    model_b=b,
                    sample=sample,
                    winner=winner,
                    judgment=str(text),
                    problem=None if winner else f"FastChat recorded '{named}'",
                    flags=tuple(
                        sorted(
                            {
                                f"{p}:{f}"
                                for p, m in (("A", a), ("B", b))
                                for f in injection_flags(texts.get((m, qid, turn), ""))
                            }
                        )
                    ),
                    source="fastchat",
                )
            )
    return out


# -- export -------------------------------------------------------------------------------------------------------
