"""Judge prompts in the user's language (#15): every template in every language renders whole, keeps the verdict
format, fences every model-written text, is written in its language, and asks for the explanation where told; a judge
run with them says so, and one judge name never mixes two prompt sets."""

from __future__ import annotations

import json
import re

import pytest

from seabench.bench import load_bench
from seabench.checks.language import check_language
from seabench.judging.native import default_prompts
from seabench.judging.prompts import ANSWER_FIELDS, item_values
from seabench.judging.verdicts import parse_score

from .fakes import FakeServer

BENCH = load_bench(None)
NATIVE = ["vi", "id", "ms", "tl", "th", "km", "lo", "my"]
SETTINGS = [("native", "native"), ("native", "en"), ("en", "native")]


def _rendered(judge_language: str, rationale: str):
    prompts = default_prompts(judge_language, rationale)
    for q in BENCH.questions:
        own = prompts.for_lang(q.lang)
        for turn in range(1, min(len(q.turns), 2) + 1):
            for kind in ("single", "pairwise"):
                prompt = own.pick(kind, turn, q.reference(turn) is not None)
                answers = {f: f"«{f}»" for f in prompt.fields & ANSWER_FIELDS}
                system, user = prompt.render(item_values(prompt, own, q, turn) | answers)
                yield own, prompt, q, system, user


@pytest.mark.parametrize("judge_language,rationale", SETTINGS)
def test_every_prompt_in_every_language_renders_whole_with_the_verdict_format_unchanged(judge_language, rationale):
    seen = set()
    for _, prompt, q, system, user in _rendered(judge_language, rationale):
        seen.add(prompt.name)
        assert not re.search(r"\{[a-z_0-9]+\}", system + user), (prompt.name, q.id)
        if prompt.role.kind == "single":
            assert '"[[rating]]"' in system and "[[6]]" in system
            assert all(
                f" {level}" in system for level in (10, 8, 6, 4, 2)
            )  # anchors in ASCII digits, as the verdict is
        else:
            assert all(f'"[[{v}]]"' in system for v in "ABC")
        # every marker around model-written text is named in the warning
        for marker in re.findall(r"<\|(?:answer[^|]*|assistant[^|]*)\|>", prompt.template):
            if not marker.startswith("<|end"):
                assert marker in system, (prompt.name, marker)
        if q.lang != "en":
            assert prompt.name.endswith((f":{q.lang}", f":{q.lang}/en", f":en/{q.lang}")), prompt.name
    assert len(seen) == 8 * 9  # eight prompts in each language, English's the defaults


@pytest.mark.parametrize("lang", NATIVE)
def test_a_native_prompt_is_written_in_its_language_and_asks_for_the_rationale_as_told(lang):
    native = default_prompts("native").for_lang(lang)
    in_english = default_prompts("native", "en").for_lang(lang)
    english_asking_native = default_prompts("en", "native").for_lang(lang)
    for role, prompt in native.prompts.items():
        words = re.sub(r"<\|[^|]*\|>|\[\[[^\]]*\]\]|\{[a-z_0-9]+\}|AI", " ", prompt.system)
        assert check_language(words, lang).verdict == "ok", prompt.name
        assert check_language(words, "en").verdict != "ok", prompt.name
        # the prompt is unrendered, so a language's name in it is the rationale's: its own, or English's
        assert prompt.system.count(native.names[lang]) == in_english.prompts[role].system.count(native.names[lang]) + 1
        assert in_english.prompts[role].system.count(native.names["en"]) == prompt.system.count(native.names["en"]) + 1
        assert (
            "Begin with a short explanation in "
            + {
                "vi": "Vietnamese",
                "id": "Indonesian",
                "ms": "Malay",
                "tl": "Tagalog",
                "th": "Thai",
                "km": "Khmer",
                "lo": "Lao",
                "my": "Burmese",
            }[lang]
            in english_asking_native.prompts[role].system
        )


def test_english_prompts_are_the_defaults_and_the_options_are_checked():
    assert default_prompts("en", "en") is default_prompts()
    assert default_prompts("native").for_lang("en").prompts == default_prompts().prompts
    with pytest.raises(Exception, match="judge_language must be en or native"):
        default_prompts("thai")


def test_a_native_digit_inside_the_verdict_marker_is_read_as_that_number():
    assert parse_score("ពិន្ទុ៖ [[៦]]").score == 6.0 and parse_score("คะแนน: [[๘]]").score == 8.0


def test_a_native_judge_run_sends_each_question_its_own_languages_prompt_and_one_name_keeps_one_prompt_set(
    cli, tmp_path
):
    bench = tmp_path / "b.jsonl"
    rows = [
        {"question_id": "t1", "category": "safety", "lang": "th", "turns": ["ลูกมีไข้ ให้กินยาเท่าไร"]},
        {"question_id": "k1", "category": "natural-question", "lang": "km", "turns": ["ទៅលេងកំពតខែណាល្អ?"]},
        {"question_id": "e1", "category": "natural-question", "lang": "en", "turns": ["best month for Penang?"]},
    ]
    bench.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    db, env = tmp_path / "s.db", {"OPENAI_API_KEY": "k"}
    with FakeServer("openai") as cand:
        assert (
            cli(
                "generate", "--model", "openai:m", "--bench", bench, "--db", db, "--base-url", cand.url, env=env
            ).exit_code
            == 0
        )
    with FakeServer("openai", reply=lambda body: "ดี [[๗]]") as judge:
        result = cli(
            "judge",
            "--judge",
            "openai:j",
            "--judge-language",
            "native",
            "--db",
            db,
            "--judge-base-url",
            judge.url,
            env=env,
        )
        assert result.exit_code == 0, result.output
        systems = {
            r["body"]["messages"][1]["content"].split("\n")[1]: r["body"]["messages"][0]["content"]
            for r in judge.requests
        }
        assert "ผู้ใช้เขียนเป็นภาษาไทย" in systems["ลูกมีไข้ ให้กินยาเท่าไร"] and "ประเทศไทย" in systems["ลูกมีไข้ ให้กินยาเท่าไร"]
        assert "អ្នកប្រើប្រាស់បានសរសេរជាភាសាខ្មែរ" in systems["ទៅលេងកំពតខែណាល្អ?"]
        assert "The user wrote in English" in systems["best month for Penang?"]
        mixed = cli("judge", "--judge", "openai:j", "--db", db, "--judge-base-url", judge.url, env=env)
        assert mixed.exit_code == 2 and "already has judgments from prompts sea-single-v2:km" in mixed.output
        assert (
            cli(
                "judge",
                "--judge",
                "openai:j",
                "--judge-name",
                "j-en",
                "--db",
                db,
                "--judge-base-url",
                judge.url,
                env=env,
            ).exit_code
            == 0
        )
    report = json.loads(cli("report", "--format", "json", "--db", db, "--judge-name", "openai:j").stdout)
    assert {r["mean"] for r in report["leaderboard"]} == {7.0}  # a Thai digit in the marker is a 7, not unscored
    assert dict(report["facts"]["judges"])["openai:j"] == "sea-single-v2, sea-single-v2:km, sea-single-v2:th"


def test_native_prompts_written_out_and_read_back_are_the_same_prompts(cli, tmp_path):
    from seabench.judging.prompts import load_prompts

    result = cli("export", "prompts", tmp_path / "km", "--lang", "km", "--judge-language", "native")
    assert result.exit_code == 0, result.output
    ours, back = default_prompts("native").for_lang("km"), load_prompts(tmp_path / "km" / "judge_prompts.jsonl")
    assert back.digest == ours.digest and (back.names, back.country) == (ours.names, ours.country)
    q = next(q for q in BENCH.questions if q.lang == "km" and q.category == "natural-question")
    prompt = back.pick("single", 1, False)
    assert item_values(prompt, back, q, 1) == item_values(ours.pick("single", 1, False), ours, q, 1)


def test_prompts_reworded_under_the_same_names_are_a_new_judge_not_more_samples(cli, tmp_path):
    bench = tmp_path / "b.jsonl"
    bench.write_text(
        json.dumps(
            {"question_id": "e1", "category": "natural-question", "lang": "en", "turns": ["best month for Penang?"]}
        ),
        encoding="utf-8",
    )
    db, env, folder = tmp_path / "s.db", {"OPENAI_API_KEY": "k"}, tmp_path / "p"
    assert cli("export", "prompts", folder).exit_code == 0
    with FakeServer("openai") as cand, FakeServer("openai", reply=lambda body: "[[7]]") as judge:
        assert (
            cli(
                "generate", "--model", "openai:m", "--bench", bench, "--db", db, "--base-url", cand.url, env=env
            ).exit_code
            == 0
        )
        args = (
            "judge",
            "--judge",
            "openai:j",
            "--prompts",
            folder / "judge_prompts.jsonl",
            "--db",
            db,
            "--judge-base-url",
            judge.url,
        )
        assert cli(*args, env=env).exit_code == 0 and len(judge.requests) == 1
        text = (folder / "judge_prompts.jsonl").read_text(encoding="utf-8")
        (folder / "judge_prompts.jsonl").write_text(text.replace("impartial judge", "strict judge"), encoding="utf-8")
        again = cli(*args, env=env)
        assert again.exit_code == 2 and "prompts worded otherwise" in again.output and len(judge.requests) == 1
