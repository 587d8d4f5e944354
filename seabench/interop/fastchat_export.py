"""`seabench export fastchat DIR`: one bench of the store as a FastChat llm_judge folder (question.jsonl,
model_answer/, reference_answer/, model_judgment/), with a sidecar naming each file's model; it imports back whole."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError, SpecError
from ..records import Judgment, Question
from ..store import Store, content_key
from .fastchat import SIDECAR


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
