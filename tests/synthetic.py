"""A store filled without any server: the bundled bench, N candidates whose answers are written in each question's own
language and script, two LLM judges (so a panel) scoring every answer, and pairwise verdicts against the first model.

For tests and benchmarks of what reads a store (reports), where thousands of judgments through a fake server would only
measure the fake. Scores are seeded: each model has its own level, each language its own difficulty.
"""

from __future__ import annotations

import random
from pathlib import Path

from seabench.bench import load_bench
from seabench.records import Answer, GenerationSettings, Judgment
from seabench.store import Store, content_key

JUDGES = ("openai:judge-a", "openai:judge-b")


def synthetic_store(
    path: Path,
    models: int = 3,
    *,
    categories: tuple[str, ...] | None = None,
    langs: tuple[str, ...] | None = None,
    pairwise: bool = True,
    seed: int = 0,
    baseline: bool = False,
) -> list[str]:
    """Fill `path`; returns the models' names (`model-1`, …). `baseline`: the bench ships a `chatgpt_response` answer to
    every question's first turn, and the pairwise verdicts are each candidate's against it, as Sea-bench v1 is run."""
    rng = random.Random(seed)
    bench = load_bench(None)
    questions = [
        q
        for q in bench.questions
        if (categories is None or q.category in categories) and (langs is None or q.lang in langs)
    ]
    if baseline:
        questions = [q.model_copy(update={"baseline": f"chatgpt: {q.turns[0]}"}) for q in questions]
    bench = bench.model_copy(
        update={"questions": tuple(questions), **({"baseline_name": "chatgpt_response"} if baseline else {})}
    )
    opponent = "chatgpt_response" if baseline else None
    names = [f"model-{i + 1}" for i in range(models)]
    level = {m: 5.0 + 3.0 * i / max(1, models - 1) for i, m in enumerate(names)}
    answers, judgments = [], []
    for q in questions:
        hard = (sum(map(ord, q.lang)) % 5) / 2
        for m in names:
            for turn, text in enumerate(q.turns, start=1):
                body = f"{text} " * (1 + rng.randrange(4))  # the question's own script, a length of its own
                answers.append(
                    Answer(
                        key=content_key("synthetic", [m, q.id, turn]),
                        bench=bench.name,
                        question_id=q.id,
                        turn=turn,
                        model=m,
                        spec=f"openai:{m}",
                        text=f"{m}: {body.strip()}",
                        created_at="2026-01-01T00:00:00Z",
                    )
                )
                for judge in JUDGES:
                    score = float(min(10, max(1, round(rng.gauss(level[m] - hard, 1.5)))))
                    judgments.append(_judgment("single", judge, bench.name, q.id, turn, m, None, score=score))
                rival = opponent or names[0]
                if pairwise and m != rival and (opponent is None or turn == 1):
                    for judge in JUDGES:
                        for first, second in ((m, rival), (rival, m)):
                            edge = level[m] - (6.0 if opponent else level[rival]) + rng.gauss(0, 2)
                            winner = "tie" if abs(edge) < 0.5 else ("A" if (edge > 0) == (first == m) else "B")
                            judgments.append(
                                _judgment("pairwise", judge, bench.name, q.id, turn, first, second, winner=winner)
                            )
    with Store(path) as store:
        store.save_bench(bench)
        for m in names:
            store.register_model(m, f"openai:{m}", GenerationSettings())
        for judge in JUDGES:
            store.register_judge(judge, judge, GenerationSettings(), "seabench-v2", "0" * 12)
        store.add_imported(bench, answers, judgments)
    return names


def _judgment(
    kind: str,
    judge: str,
    bench: str,
    qid: str,
    turn: int,
    model: str,
    model_b: str | None,
    *,
    score: float | None = None,
    winner: str | None = None,
) -> Judgment:
    verdict = f"Rating: [[{score:g}]]" if score is not None else f"[[{winner}]]"
    return Judgment(
        key=content_key("synthetic-judgment", [kind, judge, qid, turn, model, model_b]),
        kind=kind,
        judge=judge,
        prompt="seabench-v2",
        bench=bench,
        question_id=qid,
        turn=turn,
        model=model,
        model_b=model_b,
        score=score,
        winner=winner,
        judgment=f"The answer is adequate. {verdict}",
        created_at="2026-01-01T00:00:00Z",
    )  # type: ignore[arg-type]
