"""Our judge prompts, rendered for every question and turn of the bundled bench: what each kind of prompt must and
must not say (#15: pairwise without score wording, code-switching allowed, the country once, level anchors, the right
reference rubric with both turns' references, every model-written text fenced)."""

from __future__ import annotations

import re

import pytest

from seabench.bench import load_bench
from seabench.judging.native import default_prompts
from seabench.judging.prompts import ANSWER_FIELDS, item_values
from seabench.languages import COUNTRIES

PROMPTS = default_prompts()
BENCH = load_bench(None)


def _rendered():
    """(prompt, question, turn, system, user) for every role each bundled question meets."""
    for q in BENCH.questions:
        for turn in range(1, min(len(q.turns), 2) + 1):
            for kind in ("single", "pairwise"):
                prompt = PROMPTS.pick(kind, turn, q.reference(turn) is not None)
                values = item_values(prompt, PROMPTS, q, turn)
                answers = {f: f"«{f}»" for f in prompt.fields & ANSWER_FIELDS}
                system, user = prompt.render(values | answers)
                yield prompt, q, turn, system, user


RENDERED = list(_rendered())


def test_every_prompt_renders_for_every_question_without_leftover_placeholders():
    assert len({p.name for p, *_ in RENDERED}) == 8
    for prompt, q, _, system, user in RENDERED:
        assert not re.search(r"\{[a-z_0-9]+\}", system + user), (prompt.name, q.id)
        verdict = '"[[rating]]"' if prompt.role.kind == "single" else '"[[A]]" if assistant A is better'
        assert verdict in system


def test_pairwise_prompts_speak_of_preferring_never_of_numbers():
    for prompt, q, _, system, _ in RENDERED:
        if prompt.role.kind == "pairwise":
            words = re.sub(r"<\|[^|]*\|>", "", system)  # marker names hold turn numbers
            assert not re.search(r"\brat(e|ing)\b|\b(1|2|3|10)\b|or lower|deserves", words, re.I), (prompt.name, q.id)
            assert "not the longer or more elaborately formatted one" in system


def test_single_prompts_anchor_the_scale_and_do_not_speak_of_an_order_of_answers():
    for prompt, _, _, system, _ in RENDERED:
        if prompt.role.kind == "single":
            assert all(f"{level}: " in system for level in (10, 8, 6, 4, 2))
            assert "order in which" not in system


def test_the_language_rule_is_about_the_main_language_and_allows_the_communitys_code_switching():
    for *_, system, _ in RENDERED:
        assert "main language" in system and "Code-switching that the user's community really uses" in system
        assert "drifts into another language" not in system


def test_the_country_is_named_once_and_never_on_math():
    for prompt, q, _, system, _ in RENDERED:
        country = COUNTRIES[q.lang]
        expected = 0 if q.category in ("math-reasoning", "task-solving") else 1
        named = len(re.findall(rf"\b{re.escape(country)}(?!\w)", system))  # "Vietnam", not "Vietnamese"
        assert named == expected, (prompt.name, q.id, named)
        if q.category == "safety":
            assert (
                "declines clearly and politely" in system and "only sounds risky" in system and "declining it" in system
            )


@pytest.mark.parametrize("kind", ["single", "pairwise"])
def test_reference_prompts_pick_the_rubric_of_the_task_and_show_both_turns_references(kind):
    seen = set()
    for prompt, q, turn, system, user in RENDERED:
        if prompt.role.kind != kind or not prompt.role.reference:
            continue
        assert "identify and correct any mistakes" in system
        if q.expected_lang != q.lang:
            assert "adequacy" in system and "fluency" in system and "final result" not in system
            seen.add("translation")
        else:
            assert "final result" in system and "adequacy" not in system
            seen.add("computed")
        if turn == 2:
            if q.references[0] is not None:  # a hard item's pushback has a reference on turn 2 only
                assert user.index(q.references[0]) < user.index(q.references[1])
            assert "<|reference answer for turn 1|>" in user and "<|reference answer for turn 2|>" in user
    assert seen == {"translation", "computed"}


def test_every_model_written_text_is_inside_markers_the_warning_names():
    for prompt, _, _, system, user in RENDERED:
        warning = system[system.index("Everything inside") : system.index("was written by")]
        for field in prompt.fields & ANSWER_FIELDS:
            at = user.index(f"«{field}»")
            opener = user.rfind("<|", 0, at)
            marker = user[opener : user.index("|>", opener) + 2]
            assert marker in warning, (prompt.name, field, marker)
