"""Answer length and position bias (#16's first pieces): hand-computed values, scipy's t interval where the
cluster interval reduces to it, and a simulated judge whose position bias is known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from seabench.aggregate import answer_lengths, position_bias
from seabench.records import Answer, Judgment, Question, Usage


def _q(i: int, lang: str = "th", category: str = "safety") -> Question:
    return Question(id=f"q{i}", lang=lang, category=category, turns=("x",))


def _pair(judge: str, i: int, shown: tuple[str, str], winner: str, sample: int = 0) -> Judgment:
    return Judgment(key=f"{judge}{i}{shown}{sample}", kind="pairwise", judge=judge, prompt="p", bench="b", question_id=f"q{i}", turn=1,
                    model=shown[0], model_b=shown[1], sample=sample, winner=winner, judgment="", attempts=1)


def test_a_judge_that_always_picks_the_first_answer_flips_every_time_and_one_that_reads_them_never_does():
    questions = {("b", f"q{i}"): _q(i) for i in range(6)}
    judgments = []
    for i in range(6):
        judgments += [_pair("positional", i, ("x", "y"), "A"), _pair("positional", i, ("y", "x"), "A")]
        judgments += [_pair("reader", i, ("x", "y"), "A"), _pair("reader", i, ("y", "x"), "B")]  # x is better, both orders
    rows = {(r.judge, r.lang): r for r in position_bias(judgments, questions)}
    positional, reader = rows[("positional", "th")], rows[("reader", "th")]
    assert (positional.pairs, positional.flip, positional.decisive, positional.first) == (6, 1.0, 12, 1.0)
    assert (reader.pairs, reader.flip, reader.decisive, reader.first) == (6, 0.0, 12, 0.5)
    assert positional.flip_low is None  # every question alike: no spread, no honest interval
    assert rows[("reader", "all")].pairs == 6


def test_ties_and_one_sided_items_count_where_they_belong():
    questions = {("b", "q0"): _q(0), ("b", "q1"): _q(1), ("b", "q2"): _q(2)}
    judgments = [
        _pair("j", 0, ("x", "y"), "A"), _pair("j", 0, ("y", "x"), "tie"),  # flips (a win became a tie); 1 decisive, first
        _pair("j", 1, ("x", "y"), "B"), _pair("j", 1, ("y", "x"), "A"),    # consistent: y both times; 2 decisive, 1 first
        _pair("j", 2, ("x", "y"), "B"),                                    # one order only: no pair; 1 decisive, not first
    ]
    (row, _all) = position_bias(judgments, questions)
    assert (row.pairs, row.flip, row.decisive) == (2, 0.5, 4)
    assert row.first == pytest.approx(2 / 4)


def test_the_first_position_share_recovers_a_simulated_judges_bias():
    rng = np.random.default_rng(7)
    questions = {("b", f"q{i}"): _q(i, category=["safety", "math-reasoning"][i % 2]) for i in range(300)}
    judgments = []
    for i in range(300):
        for shown in (("x", "y"), ("y", "x")):
            judgments.append(_pair("j", i, shown, "A" if rng.random() < 0.7 else "B"))  # 70% for whatever is shown first
    row = next(r for r in position_bias(judgments, questions) if r.lang == "all")
    assert row.first_low < 0.7 < row.first_high and abs(row.first - 0.7) < 0.05
    assert row.first_high - row.first_low < 0.1


def test_answer_lengths_are_means_over_answers_with_question_intervals():
    questions = {("b", f"q{i}"): _q(i, lang=["th", "km"][i % 2]) for i in range(8)}
    texts = {i: "ก" * (10 * (i + 1)) for i in range(8)}
    answers = [Answer(key=f"a{i}", bench="b", question_id=f"q{i}", turn=1, model="m", spec="openai:m", text=texts[i],
                      usage=Usage(output_tokens=i + 1 if i < 6 else None)) for i in range(8)]
    rows = {r.lang: r for r in answer_lengths(answers, questions)}
    th = [len(texts[i]) for i in range(0, 8, 2)]
    assert rows["th"].chars == pytest.approx(np.mean(th)) and rows["th"].answers == 4 and rows["th"].questions == 4
    low, high = stats.t.interval(0.95, len(th) - 1, loc=np.mean(th), scale=stats.sem(th))
    assert (rows["th"].chars_low, rows["th"].chars_high) == (pytest.approx(low), pytest.approx(high))
    assert rows["all"].chars == pytest.approx(np.mean([len(t) for t in texts.values()]))
    assert rows["all"].tokens == pytest.approx(np.mean(range(1, 7))) and rows["all"].tokens_n == 6
