"""`seabench tokens`: fertility per language on tokenizers built here, checked against direct counts."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from seabench.bench import load_bench

from .fakes import FakeServer
from .tiny_hf import build_tokenizer


@pytest.fixture(scope="module")
def tokenizers(tmp_path_factory):
    """Two byte-level BPE tokenizers from the same text: a small vocabulary and a large one."""
    pytest.importorskip("tokenizers")
    pytest.importorskip("transformers")  # the `hf` extra: without it these tests skip, they do not fail
    small, large = tmp_path_factory.mktemp("bpe-300"), tmp_path_factory.mktemp("bpe-3000")
    build_tokenizer(small, vocab_size=300)
    build_tokenizer(large, vocab_size=3000)
    return small, large


def _reference(folder, bench):
    """Counted here without seabench: the tokenizers library itself, PyThaiNLP, LaoNLP, regex \\X."""
    import regex
    from laonlp.tokenize import word_tokenize as lao_words
    from pythainlp.tokenize import word_tokenize as thai_words
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    wordish = regex.compile(r"[\p{L}\p{M}\p{N}]")
    counts = defaultdict(lambda: [0, 0, 0])
    for q in bench.questions:
        for text in q.turns:
            if q.lang == "th":
                words = thai_words(text, engine="newmm", keep_whitespace=False)
            elif q.lang == "lo":
                words = lao_words(text)
            elif q.lang in ("km", "my"):
                words = regex.findall(r"\X", text)
            else:
                words = text.split()
            c = counts[q.lang]
            c[0] += len(tok.encode(text, add_special_tokens=False).ids)
            c[1] += sum(1 for w in words if wordish.search(w))
            c[2] += sum(1 for ch in text if not ch.isspace())
    return counts


def test_fertility_matches_direct_counts_for_two_tokenizers(cli, tokenizers, tmp_path):
    small, large = tokenizers
    result = cli(
        "tokens", "--model", f"hf:{small}", "--model", f"hf:{large}", "--db", tmp_path / "s.db", "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    bench = load_bench(None)
    for folder in (small, large):
        ref = _reference(folder, bench)
        mine = {r["lang"]: r for r in rows if r["model"] == f"hf:{folder}"}
        assert set(mine) == {"en", "vi", "id", "ms", "tl", "th", "km", "lo", "my"}
        for lang, (tokens, words, chars) in ref.items():
            r = mine[lang]
            assert (r["tokens"], r["words"], r["characters"]) == (tokens, words, chars), lang
            assert r["tokens_per_word"] == pytest.approx(tokens / words) and r["tokens_per_char"] == pytest.approx(
                tokens / chars
            )
        en = ref["en"][0] / ref["en"][1]
        assert mine["th"]["ratio_to_en"] == pytest.approx((ref["th"][0] / ref["th"][1]) / en)
        assert (
            mine["km"]["ratio_to_en"] is None and "grapheme clusters" in mine["km"]["word_unit"]
        )  # no per-word ratio on clusters
        assert mine["my"]["ratio_to_en_per_text"] > 0 and mine["th"]["word_unit"] == "PyThaiNLP words"
    small_rows = {r["lang"]: r for r in rows if r["model"] == f"hf:{small}"}
    large_rows = {r["lang"]: r for r in rows if r["model"] == f"hf:{large}"}
    assert all(small_rows[l]["tokens"] > large_rows[l]["tokens"] for l in small_rows)  # fewer merges, more tokens


def test_terminal_table_and_a_model_without_an_offline_tokenizer(cli, tokenizers, tmp_path):
    small, _ = tokenizers
    result = cli(
        "tokens", "--model", f"hf:{small}", "--model", "anthropic:claude-sonnet-4-5", "--db", tmp_path / "s.db"
    )
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "Tokens per language" in out and "× en per word" in out
    assert "anthropic publishes no tokenizer that runs offline" in out
    assert "PyThaiNLP words" in out and "LaoNLP words" in out and "grapheme clusters" in out


def test_local_model_path_with_stored_answers_and_report(cli, tiny_model, tmp_path):
    db = tmp_path / "s.db"
    spec = f"hf:{tiny_model}"
    assert (
        cli(
            "generate", "--model", spec, "--db", db, "--lang", "lo", "--max-tokens", "6", "--limit-total", "6"
        ).exit_code
        == 0
    )
    rows = json.loads(cli("tokens", "--model", spec, "--db", db, "--format", "json").stdout)
    lo = next(r for r in rows if r["lang"] == "lo")
    assert lo["answer_tokens"] and lo["answer_tokens"] > 0  # the model's own stored answers, counted with its tokenizer
    assert lo["prompt_cost_usd"] is None and lo["note"] == "no price for this model"
    with FakeServer("openai", reply=lambda b: "Rating: [[6]]") as judge:
        assert (
            cli(
                "judge", "--judge", "openai:j", "--db", db, "--judge-base-url", judge.url, env={"OPENAI_API_KEY": "k"}
            ).exit_code
            == 0
        )
    data = json.loads(cli("report", "--db", db, "--format", "json", "--rounds", "100").stdout)
    assert {r["lang"] for r in data["tokens"]} >= {"lo", "en"}
    cli("report", "--db", db, "--format", "html", "--out", tmp_path / "r.html", "--rounds", "100")
    assert "Tokens per language" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_tokenizer_counts_for_a_model_whose_own_is_not_at_hand(cli, tiny_model, tmp_path):
    """A checkpoint served behind openai: --base-url: --tokenizer names its tokenizer, and the counts are its own."""
    db = tmp_path / "s.db"
    served = json.loads(
        cli("tokens", "--model", "openai:my-ckpt", "--tokenizer", tiny_model, "--db", db, "--format", "json").stdout
    )
    own = json.loads(cli("tokens", "--model", f"hf:{tiny_model}", "--db", db, "--format", "json").stdout)
    assert {r["lang"]: r["tokens"] for r in served} == {r["lang"]: r["tokens"] for r in own}
    assert all(str(tiny_model) in r["tokenizer"] for r in served)
    plan = cli(
        "generate", "--model", "openai:my-ckpt", "--base-url", "http://127.0.0.1:9/v1", "--tokenizer", tiny_model,
        "--lang", "th", "--limit", "2", "--db", db, "--dry-run",
    )  # fmt: skip
    assert plan.exit_code == 0 and "counted by the model's tokenizer" in " ".join(plan.stdout.split())


def test_a_judges_dry_run_counts_with_its_tokenizer_and_bounds_the_reasks(cli, tiny_model, tmp_path):
    from seabench.judging.estimate import estimate
    from seabench.judging.native import default_prompts
    from seabench.judging.plan import plan
    from seabench.records import GenerationSettings, JudgeConfig
    from seabench.store import Store

    db = tmp_path / "s.db"
    generated = cli("generate", "--model", f"hf:{tiny_model}", "--lang", "th", "--limit", "2", "--max-tokens", "4",
                    "--db", db)  # fmt: skip
    assert generated.exit_code == 0
    dry = cli("judge", "--judge", f"hf:{tiny_model}", "--judge-max-tokens", "100", "--db", db, "--dry-run")
    said = " ".join(dry.stdout.split())
    assert dry.exit_code == 0 and "input tokens counted with the judge's tokenizer" in said
    cfg = JudgeConfig(spec=f"hf:{tiny_model}", name="j", settings=GenerationSettings(max_tokens=100))
    with Store(db) as store:
        found = estimate(cfg, plan(store, cfg, default_prompts()))
    n, tin = sum(v[0] for v in found.per_lang.values()), sum(v[1] for v in found.per_lang.values())
    requests, bound_in, bound_out, _ = found.reasked
    assert n > 0 and requests == 3 * n and bound_out == 3 * n * 100  # two re-asks each, every reply at the limit
    assert bound_in > 3 * tin + 3 * n * 100  # re-ask k carries k replies of 100 tokens and k re-ask messages
    assert f"at most {requests} requests, {bound_in:,} input tokens, {bound_out:,} output" in said
    api = cli("judge", "--judge", "openai:gpt-4o", "--db", db, "--dry-run", env={"OPENAI_API_KEY": "k"})
    assert "input tokens counted as UTF-8 bytes ÷ 4" in " ".join(api.stdout.split())
