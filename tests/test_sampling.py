"""--sampling KEY=VALUE: a server's or transformers' own sampling options, sent as given and part of the model's
identity (#25: llama.cpp's default repeat_penalty 1.1 made "temperature 0" mean something else than hf:'s)."""

from __future__ import annotations

import pytest

from seabench.browse import run_facts
from seabench.records import GenerationSettings
from seabench.store import Store

from .fakes import FakeServer


def _generate(cli, db, url, *more):
    return cli("generate", "--model", "openai:local", "--base-url", url, "--limit-total", "2", "--db", db, *more)


def test_sampling_options_reach_the_server_and_belong_to_the_models_identity(cli, tmp_path):
    db = tmp_path / "s.db"
    with FakeServer("openai") as server:
        done = _generate(cli, db, server.url, "--sampling", "repeat_penalty=1.0", "--sampling", "top_k=1")
        assert done.exit_code == 0, done.stderr
        bodies = [r["body"] for r in server.requests if r["path"].endswith("/chat/completions")]
        assert bodies and all(b["repeat_penalty"] == 1.0 and b["top_k"] == 1 for b in bodies)
        assert all(b["temperature"] == 0 for b in bodies)
        # the same name without them is another model: refused, nothing sent
        before = len(server.requests)
        plain = _generate(cli, db, server.url)
        assert plain.exit_code == 2 and "already holds answers" in plain.stderr
        assert len(server.requests) == before
    with Store(db, create=False) as store:
        ((_, settings),) = store.models().values()
        facts = run_facts(store, {}, [])
    assert settings.sampling == (("repeat_penalty", 1.0), ("top_k", 1))
    assert "repeat_penalty=1.0, top_k=1" in facts.models[0][2]  # the report header says so


def test_settings_without_sampling_dump_and_key_as_before():
    """Every store written before --sampling keeps its answer keys and its models' settings."""
    assert GenerationSettings().model_dump() == {"temperature": 0.0, "max_tokens": 1024, "system_prompt": None}


@pytest.mark.parametrize(
    ("given", "error"),
    [
        ("temperature=1", "temperature is a setting of its own"),
        ("repeat_penalty", "--sampling takes KEY=VALUE"),
    ],
)
def test_a_sampling_option_that_cannot_be_sent_is_refused_up_front(cli, tmp_path, given, error):
    result = cli("generate", "--model", "openai:x", "--sampling", given, "--db", tmp_path / "s.db", "--dry-run")
    assert result.exit_code == 2
    assert error in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_hf_takes_transformers_names_and_stops_on_another_servers(cli, tmp_path, tiny_model):
    db = tmp_path / "s.db"
    args = ("generate", "--model", f"hf:{tiny_model}", "--limit-total", "1", "--max-tokens", "4", "--db", db)
    wrong = cli(*args, "--sampling", "repeat_penalty=1.0")
    assert wrong.exit_code == 2
    assert "no option repeat_penalty (did you mean repetition_penalty?)" in wrong.stderr
    with Store(db, create=False) as store:
        assert store.models() == {}  # refused before the name was taken: the next run may use it
    assert cli(*args, "--sampling", "repetition_penalty=1.3").exit_code == 0
