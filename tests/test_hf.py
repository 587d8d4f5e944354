"""Local transformers models through `hf:PATH`: a tiny random model built from a config in a temp dir."""

from __future__ import annotations

import re

import pytest

from seabench.backends import BackendOptions
from seabench.bench import load_bench
from seabench.generate import ModelRun, generate
from seabench.records import GenerationSettings
from seabench.store import Store

from .tiny_hf import CHAT_TEMPLATE, build_model


def _answers(store, name):
    return {(a.question_id, a.turn): a for a in store.answers(model=name)}


def test_batched_and_unbatched_agree_at_temperature_zero(tmp_path, tiny_model):
    bench = load_bench(None)
    # Prompts of very different lengths in every script, so batches really are padded on the left.
    questions = [
        q
        for q in bench.questions
        if q.id in {"en-natq-3", "th-task-2", "km-math-2", "lo-safety-3", "my-instr-4", "vi-math-1", "tl-task-1"}
    ]
    settings = GenerationSettings(max_tokens=12)
    spec = f"hf:{tiny_model}"
    with Store(tmp_path / "s.db") as store:
        for name, batch in (("batched", 4), ("one-by-one", 1)):
            (result,) = generate(
                store,
                bench,
                [ModelRun(name=name, spec=spec, settings=settings)],
                questions,
                BackendOptions(batch_size=batch),
                show_progress=False,
            )
            assert not result.failures
        batched, single = _answers(store, "batched"), _answers(store, "one-by-one")
    assert len(batched) == sum(len(q.turns) for q in questions) == len(single)
    for key in batched:
        assert batched[key].text == single[key].text, key
        assert batched[key].usage == single[key].usage
    assert any(a.text for a in batched.values())


def test_usage_comes_from_the_tokenizer(tmp_path, tiny_model):
    from transformers import AutoTokenizer

    bench = load_bench(None)
    q = next(q for q in bench.questions if q.id == "my-natq-1")
    with Store(tmp_path / "s.db") as store:
        generate(
            store,
            bench,
            [
                ModelRun(
                    name="m", spec=f"hf:{tiny_model}", settings=GenerationSettings(max_tokens=5, system_prompt="ဖြေပါ")
                )
            ],
            [q],
            BackendOptions(batch_size=2),
            show_progress=False,
        )
        (answer,) = store.answers()
    tok = AutoTokenizer.from_pretrained(tiny_model)
    prompt = tok.apply_chat_template(
        [{"role": "system", "content": "ဖြေပါ"}, {"role": "user", "content": q.turns[0]}],
        add_generation_prompt=True,
        tokenize=False,
    )
    assert answer.usage.input_tokens == len(tok(prompt, add_special_tokens=False).input_ids)
    assert 1 <= answer.usage.output_tokens <= 5
    assert answer.finish_reason in ("stop", "length")
    assert (answer.finish_reason == "length") == (answer.usage.output_tokens == 5 and tok.eos_token not in answer.text)


def test_model_without_chat_template_needs_one(tmp_path, cli):
    folder = build_model(tmp_path / "no-template", chat_template=None)
    (folder / "chat_template.jinja").unlink(missing_ok=True)
    args = ["generate", "--model", f"hf:{folder}", "--db", tmp_path / "s.db", "--limit-total", "1", "--max-tokens", "3"]
    result = cli(*args)
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"error: hf:{folder}: the tokenizer has no chat template; pass one with --chat-template FILE (a Jinja template)"
    )
    template = tmp_path / "chat.jinja"
    template.write_text(CHAT_TEMPLATE, encoding="utf-8")
    result = cli(*args, "--chat-template", template)
    assert result.exit_code == 0, result.stderr
    assert "2 answers stored" in result.output  # en-task-1 has two turns


def test_dry_run_counts_with_the_models_tokenizer(tmp_path, tiny_model, cli):
    result = cli("generate", "--model", f"hf:{tiny_model}", "--db", tmp_path / "s.db", "--lang", "km", "--dry-run")
    assert result.exit_code == 0
    assert "the model's tokenizer" in result.output and "no price" in result.output


def test_a_local_model_can_judge_and_its_noise_is_never_a_score(tmp_path, tiny_model, cli):
    from .fakes import FakeServer

    db = tmp_path / "s.db"
    with FakeServer("openai") as cand:
        assert (
            cli(
                "generate",
                "--model",
                "openai:cand",
                "--base-url",
                cand.url,
                "--db",
                db,
                "--lang",
                "km",
                "--limit-total",
                "2",
                env={"OPENAI_API_KEY": "k"},
            ).exit_code
            == 0
        )
    result = cli("judge", "--judge", f"hf:{tiny_model}", "--judge-max-tokens", "16", "--db", db)
    # every judgment stored, and unscored: no result, so the run says so and exits 1 (#25)
    assert result.exit_code == 1 and "not one of its 3 replies had a verdict" in result.stderr, result.stderr
    with Store(db) as store:
        judgments = store.judgments()
    assert len(judgments) == 3  # km-task-1 has two turns, km-task-2 one
    # A random model writes no [[rating]]: every judgment is unscored, re-asked twice, its text kept.
    assert all(j.score is None and j.attempts == 3 and j.problem for j in judgments)


def test_a_reply_cut_inside_a_character_is_stored_without_its_broken_half(tiny_model):
    """The real byte-level tokenizer, cut after every token of Thai and Khmer text: the kept text never ends in U+FFFD
    and is always a prefix of the whole text; an uncut reply is left as decoded."""
    from seabench.backends.hf import decode, load_tokenizer

    tokenizer = load_tokenizer(str(tiny_model))
    text = "สวัสดีครับ ខ្មែរ ມື້ນີ້ မင်္ဂလာပါ"
    ids = tokenizer.encode(text, add_special_tokens=False)
    broken = [n for n in range(1, len(ids)) if tokenizer.decode(ids[:n]).endswith("\ufffd")]
    assert broken  # the tokenizer does split characters: the case is real
    for n in range(1, len(ids) + 1):
        kept = decode(tokenizer, ids[:n], cut=True)
        assert not kept.endswith("\ufffd") and text.startswith(kept)
    assert decode(tokenizer, ids, cut=False) == tokenizer.decode(ids, skip_special_tokens=True)


def test_dtype_and_device_reach_the_loaded_model(tiny_model):
    import torch

    from seabench.backends import make_backend, parse_spec

    backend = make_backend(parse_spec(f"hf:{tiny_model}"), BackendOptions(dtype="bfloat16", device="cpu")).inner
    assert backend.model.dtype == torch.bfloat16
    assert str(backend.device) == "cpu"
    assert make_backend(parse_spec(f"hf:{tiny_model}"), BackendOptions()).inner.model.dtype == torch.float32


def test_a_gguf_is_found_by_file_or_by_its_folder(tmp_path):
    from seabench.backends import checkpoint_identity
    from seabench.backends.hf import locate
    from seabench.errors import ConfigError

    folder = tmp_path / "smol"
    folder.mkdir()
    (folder / "model.Q4_1.gguf").write_bytes(b"GGUF")
    assert locate(str(folder / "model.Q4_1.gguf")) == (str(folder), "model.Q4_1.gguf")
    assert locate(str(folder)) == (str(folder), "model.Q4_1.gguf")
    assert locate(str(tiny_model_like(tmp_path))) == (str(tmp_path / "safetensors"), None)
    assert checkpoint_identity(f"hf:{folder / 'model.Q4_1.gguf'}").startswith("file:")
    (folder / "model.Q8_0.gguf").write_bytes(b"GGUF")
    with pytest.raises(ConfigError, match=r"holds 2 GGUF files .*name one: hf:.*model.Q4_1.gguf"):
        locate(str(folder))


def tiny_model_like(tmp_path):
    """A folder with a config.json: a transformers checkpoint, even if a GGUF lies beside it."""
    folder = tmp_path / "safetensors"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "extra.gguf").write_bytes(b"GGUF")
    return folder


def test_local_progress_counts_answers_batches_and_tokens_per_second(cli, tmp_path, tiny_model):
    from seabench.runner import per_time

    result = cli(
        "generate", "--model", f"hf:{tiny_model}", "--limit-total", "3", "--max-tokens", "6", "--batch-size", "8",
        "--db", tmp_path / "s.db",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    summary = next(line for line in result.stderr.splitlines() if "answers stored" in line)
    # 3 questions of 2 turns: turn 1 of each in one batch, then their turn 2s
    assert "2 forward batches in" in summary and "request" not in summary, summary
    assert re.search(r"\d[\d,]* out \(\d+\.\d tokens/s\)", summary), summary
    assert per_time(0.5) == "0.5/s" and per_time(0.04) == "2.4/min" and per_time(0) == "0.0/s"


def test_a_gguf_file_is_parsed_once_while_a_model_loads(monkeypatch):
    """transformers opens the file three times (tokenizer, config, weights); gguf-py parses the header each time."""
    gguf = pytest.importorskip("gguf")
    from seabench.backends.hf import _gguf_read_once

    made = []
    monkeypatch.setattr(gguf, "GGUFReader", lambda path, *a, **k: made.append(path) or object())
    fake = gguf.GGUFReader
    with _gguf_read_once():
        first = gguf.GGUFReader("m.gguf")
        assert gguf.GGUFReader("m.gguf") is first and gguf.GGUFReader("other.gguf") is not first
    assert made == ["m.gguf", "other.gguf"] and gguf.GGUFReader is fake  # put back afterwards
