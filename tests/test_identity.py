"""An API model's identity: another server behind the same name is another model (#25).

A local server (llama.cpp, vLLM, Ollama) serves whatever it was started with; what its /v1/models lists is what is
answering. Two checkpoints served one after the other under one name must not mix, while a server restarted on a new
port with the same model keeps its answers.
"""

from __future__ import annotations

import sqlite3

import pytest

from seabench.backends import served_identity

from .fakes import FakeServer


def _generate(cli, db, url, *more):
    return cli("generate", "--model", "openai:smollm", "--base-url", url, "--limit-total", "2", "--db", db, *more)


def _chats(server):
    return [r for r in server.requests if r["path"].endswith("/chat/completions")]


def test_another_model_behind_the_same_name_is_refused_and_the_same_model_on_a_new_port_is_reused(cli, tmp_path):
    db = tmp_path / "s.db"
    with FakeServer("openai", served=["/models/ckpt-1000.gguf"]) as first:
        assert _generate(cli, db, first.url).exit_code == 0
        sent = len(_chats(first))
    assert sent > 0
    with FakeServer("openai", served=["/models/ckpt-2000.gguf"]) as second:
        refused = _generate(cli, db, second.url)
        assert _chats(second) == []
    assert refused.exit_code == 2
    error = refused.stderr.strip().splitlines()[0]
    assert "served:/models/ckpt-1000.gguf" in error and "served:/models/ckpt-2000.gguf" in error, error
    assert "its server changed" in error and "--name" in refused.stderr
    with FakeServer("openai", served=["/models/ckpt-1000.gguf"]) as restarted:  # a new port, the same model
        again = _generate(cli, db, restarted.url)
        assert again.exit_code == 0, again.stderr
        assert _chats(restarted) == []
    with FakeServer("openai", served=["/models/ckpt-2000.gguf"]) as second:  # under a name of its own
        assert _generate(cli, db, second.url, "--name", "smollm-2000").exit_code == 0
        assert len(_chats(second)) == sent


def test_what_a_server_lists_decides_what_it_serves():
    with FakeServer("openai", served=["a-model", "smollm", "other"]) as vllm_like:
        assert served_identity("openai:smollm", vllm_like.url) == "served:smollm"  # the listed model of that name
    with FakeServer("openai", served=["/weights/SmolLM2.Q4_1.gguf"]) as llamacpp_like:
        assert served_identity("openai:anything", llamacpp_like.url) == "served:/weights/SmolLM2.Q4_1.gguf"
    with FakeServer("openai", served=["b", "a"]) as unnamed:  # several, none of that name: the whole list
        assert served_identity("openai:smollm", unnamed.url) == "served:a,b"
    with FakeServer("openai", served=[]) as no_route:  # no /v1/models: nothing to say, nothing refused
        assert served_identity("openai:smollm", no_route.url) is None
    with FakeServer("anthropic", served=["claude-local"]) as anthropic:
        assert served_identity("anthropic:claude-local", anthropic.url) == "served:claude-local"


@pytest.mark.parametrize(
    ("url", "identity"),
    [
        ("https://llm.example.org/v1", "endpoint:https://llm.example.org/v1"),
        ("https://llm.example.org/v1/", "endpoint:https://llm.example.org/v1"),
        (None, "endpoint:https://api.openai.com/v1"),
    ],
)
def test_a_hosted_endpoint_is_its_url_and_is_not_asked(url, identity, monkeypatch):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert served_identity("openai:gpt-4o-mini", url) == identity


def test_a_server_echoing_the_key_as_its_model_leaves_no_key_in_the_store(cli, tmp_path, monkeypatch):
    key = "sk-canary-served-7f3a9c2e81d04b5a"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    db = tmp_path / "s.db"
    with FakeServer("openai", served=[f"echo {key}"]) as server:
        assert _generate(cli, db, server.url).exit_code == 0
    with sqlite3.connect(db) as conn:
        stored = [row[0] for row in conn.execute("SELECT checkpoint FROM models")]
        stored += [row[0] for row in conn.execute("SELECT DISTINCT checkpoint FROM answers")]
    assert stored and all(key not in s and "sk-canary" not in s for s in stored), stored
