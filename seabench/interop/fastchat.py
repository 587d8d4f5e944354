"""FastChat llm_judge folders in and out: question.jsonl, model_answer/, reference_answer/, model_judgment/.

Import keeps FastChat's quirks honest: a score of −1 becomes an unscored judgment (never a number), and repeated
judgments of the same item are kept as separate samples, so means pool every line as FastChat's show_result does.
Export writes the same layout back so FastChat's own scripts can read it.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..bench import load_file
from ..errors import InputError, Problem, SpecError
from ..judging.verdicts import injection_flags
from ..records import Answer, Bench, Judgment, Question, Winner
from ..store import Store, content_key
from ..textio import json_type, read_jsonl

SIDECAR = "seabench.json"


OUTSIDE = "outside 1–10"


def file_name(name: str) -> str:
    """A model or judge name as a file name that every system accepts (`openai:gpt-4o` → `openai_gpt-4o`)."""
    return re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", name)


def file_names(names: Iterable[str]) -> dict[str, str]:
    """Each name's file name, never two alike: names that would share one (`x/y`, `x:y`, `x_y`; `Model` and `model` on
    a case-insensitive disk) each get a short hash of the name, so no export overwrites another model's file."""
    names = sorted(set(names))
    taken = Counter(file_name(n).casefold() for n in names)
    return {
        n: file_name(n)
        if taken[file_name(n).casefold()] == 1
        else f"{file_name(n)}-{hashlib.sha256(n.encode('utf-8')).hexdigest()[:8]}"
        for n in names
    }


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


def export_fastchat(store: Store, folder: Path, bench: str | None = None) -> dict[str, int]:
    """Write question.jsonl, model_answer/, reference_answer/ and model_judgment/ for one bench."""
    questions = store.questions()
    bench = _one_bench(store, questions, bench)
    qs = sorted(((qid, q) for (b, qid), q in questions.items() if b == bench), key=lambda kv: _sort_id(kv[0]))
    folder.mkdir(parents=True, exist_ok=True)
    counts = {"questions": len(qs), "models": _write_answers(store, folder, bench, qs)}
    counts.update(_write_judgments(store, folder, bench, qs))
    return counts


def _one_bench(store: Store, questions: dict[tuple[str, str], Question], bench: str | None) -> str:
    benches = sorted({b for b, _ in questions})
    if bench is None:
        if len(benches) != 1:
            raise SpecError(
                "{path}: the store holds {n} benches ({names}); choose one with {bench}",
                path=store.path,
                n=len(benches),
                names=", ".join(benches),
            )
        bench = benches[0]
    elif bench not in benches:
        raise InputError.at(store.path, None, f"no bench '{bench}' in the store; it has {', '.join(benches) or 'none'}")
    return bench


def _write_answers(store: Store, folder: Path, bench: str, qs: list[tuple[str, Question]]) -> int:
    """question.jsonl, the sidecar, and one model_answer file per model; returns the number of models."""
    _write(
        folder / "question.jsonl",
        [
            {"question_id": _fc_id(qid), "category": q.category, "turns": list(q.turns)}
            | ({"reference": [r or "" for r in q.references]} if q.references else {})
            for qid, q in qs
        ],
    )
    answers = store.latest_answers()
    per_model: dict[str, dict[str, dict[int, str]]] = defaultdict(lambda: defaultdict(dict))
    for (model, b, qid, turn), a in answers.items():
        if b == bench:
            per_model[model][qid][turn] = a.text
    model_files = file_names(per_model)
    (folder / SIDECAR).write_text(
        json.dumps(
            {
                "bench": bench,
                "languages": {qid: q.lang for qid, q in qs},
                "answer_languages": {qid: q.answer_lang for qid, q in qs if q.answer_lang},
                "model_files": {f: m for m, f in model_files.items()},
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    for model, by_q in per_model.items():
        _write(
            folder / "model_answer" / f"{model_files[model]}.jsonl",
            [
                {
                    "question_id": _fc_id(qid),
                    "answer_id": content_key("fc-answer", [model, qid])[:22],
                    "model_id": model,
                    "choices": [{"index": 0, "turns": [t[k] for k in sorted(t)]}],
                    "tstamp": time.time(),
                }
                for qid, t in sorted(by_q.items(), key=lambda kv: _sort_id(kv[0]))
            ],
        )
    return len(per_model)


def _write_judgments(store: Store, folder: Path, bench: str, qs: list[tuple[str, Question]]) -> dict[str, int]:
    """reference_answer/ under each judge's name, and model_judgment/ single and pairwise files."""
    counts = {}
    judgments = [j for j in store.judgments() if j.bench == bench]
    judges = sorted({j.judge for j in judgments}) or ["gpt-4"]
    judge_files = file_names(judges)
    refs = [
        {
            "question_id": _fc_id(qid),
            "model_id": "reference",
            "choices": [{"index": 0, "turns": [r or "" for r in q.references]}],
            "tstamp": 0,
        }
        for qid, q in qs
        if q.references
    ]
    for judge in judges:  # FastChat looks references up under the judge's name
        if refs:
            _write(folder / "reference_answer" / f"{judge_files[judge]}.jsonl", refs)
    singles = defaultdict(list)
    for j in judgments:
        if j.kind == "single":
            singles[j.judge].append(
                {
                    "question_id": _fc_id(j.question_id),
                    "model": j.model,
                    "judge": [j.judge, j.prompt],
                    "user_prompt": "",
                    "judgment": j.judgment,
                    "score": j.score if j.score is not None else -1,
                    "turn": j.turn,
                    "tstamp": time.time(),
                }
            )
    for judge, rows in singles.items():
        _write(folder / "model_judgment" / f"{judge_files[judge]}_single.jsonl", rows)
    counts["single_judgments"] = sum(len(r) for r in singles.values())
    pairs = _pair_rows([j for j in judgments if j.kind == "pairwise"])
    for judge, rows in pairs.items():
        _write(folder / "model_judgment" / f"{judge_files[judge]}_pair.jsonl", rows)
    counts["pairwise_judgments"] = sum(len(r) for r in pairs.values())
    return counts


def _pair_rows(judgments: list[Judgment]) -> dict[str, list[dict]]:
    games: dict[tuple, dict[tuple[str, str | None], Judgment]] = defaultdict(dict)
    for j in judgments:
        m1, m2 = sorted((j.model, j.model_b or ""))
        games[(j.judge, j.prompt, j.question_id, j.turn, m1, m2, j.sample)][(j.model, j.model_b)] = j
    out: dict[str, list[dict]] = defaultdict(list)
    for (judge, prompt, qid, turn, m1, m2, _), both in sorted(games.items()):
        g1, g2 = both.get((m1, m2)), both.get((m2, m1))
        out[judge].append(
            {
                "question_id": _fc_id(qid),
                "model_1": m1,
                "model_2": m2,
                "g1_winner": _named(g1, m1),
                "g2_winner": _named(g2, m1),
                "judge": [judge, prompt],
                "g1_user_prompt": "",
                "g1_judgment": g1.judgment if g1 else "",
                "g2_user_prompt": "",
                "g2_judgment": g2.judgment if g2 else "",
                "turn": turn,
                "tstamp": time.time(),
            }
        )
    return out


def _named(game: Judgment | None, model_1: str) -> str:
    """A game's positional winner in FastChat's words: model_1, model_2, tie, or error when it has none."""
    if game is None or game.winner is None:
        return "error"
    if game.winner == "tie":
        return "tie"
    winner = game.model if game.winner == "A" else game.model_b
    return "model_1" if winner == model_1 else "model_2"


def _fc_id(qid: str) -> int | str:
    return int(qid) if qid.isdigit() else qid


def _sort_id(qid: str) -> tuple[int, int | str]:
    return (0, int(qid)) if qid.isdigit() else (1, qid)


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
