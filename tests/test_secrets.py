"""No key reaches the store, an export or the terminal, whatever a server echoes back."""

from __future__ import annotations

import json
import sqlite3

import pytest

from seabench.backends.redact import redact

from .fakes import FakeServer

SECRET = "sk-test-Zq8vN3xR7kP2mW9tL4cY6bH1jD5fG0aQ"
OTHER = "sk-ant-api03-AAAABBBBCCCCDDDDEEEEFFFF"  # another provider's key, shaped like one


def _echo(kind: str, status: int, multiline: bool = False):
    def reply(body: dict, headers: dict) -> tuple[int, bytes]:
        seen = headers.get("authorization") or headers.get("x-api-key") or ""
        message = f"proxy: key {seen} not allowed (also {OTHER})"
        if multiline:
            message = f"upstream said:\n{message}\nheaders: {json.dumps(headers)}"
        if status == 200 and kind == "openai":  # a 200 whose answer itself carries the key
            payload = {
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": message}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1},
            }
        elif status == 200:
            payload = {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "text", "text": message}],
                "stop_reason": "end_turn",
                "usage": {"input_tokens": 1, "output_tokens": 1},
            }
        else:
            payload = {"error": {"message": message, "type": "invalid_request_error"}}
        return status, json.dumps(payload).encode()

    return reply


def _malformed_200(body: dict, headers: dict) -> tuple[int, bytes]:
    seen = headers.get("authorization") or headers.get("x-api-key")
    return 200, json.dumps({"error": {"message": f"proxy: key {seen} not allowed"}}).encode()


def _store_text(db) -> str:
    con = sqlite3.connect(db)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(repr(row) for t in tables for row in con.execute(f"SELECT * FROM {t}"))
    finally:
        con.close()


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
@pytest.mark.parametrize(
    "status,multiline", [(200, False), (400, False), (401, False), (500, False), (500, True), ("malformed", False)]
)
def test_an_echoed_key_appears_nowhere(cli, tmp_path, kind, status, multiline):
    bench = tmp_path / "b.jsonl"
    bench.write_text(
        json.dumps({"question_id": "q1", "category": "safety", "lang": "th", "turns": ["สวัสดี"]}, ensure_ascii=False),
        encoding="utf-8",
    )
    db = tmp_path / "s.db"
    env = {"OPENAI_API_KEY": SECRET, "ANTHROPIC_API_KEY": SECRET}
    reply = _malformed_200 if status == "malformed" else _echo(kind, status, multiline)
    with FakeServer(kind, raw_reply=reply) as server:
        result = cli(
            "generate",
            "--model",
            f"{kind}:m",
            "--bench",
            bench,
            "--db",
            db,
            "--base-url",
            server.url,
            "--max-attempts",
            "2",
            env=env,
        )
        sent = [r["headers"].get("authorization", "") + r["headers"].get("x-api-key", "") for r in server.requests]
    assert any(SECRET in s for s in sent)  # the key really was sent, and echoed
    outputs = [result.stdout, result.stderr]
    if db.exists():
        outputs.append(_store_text(db))
        outputs += [
            cli(*args, "--db", db).output for args in (("answers", "--format", "jsonl"), ("report", "--format", "json"))
        ]
    for text in outputs:
        assert SECRET not in text and OTHER not in text
    if status in (200, "malformed"):
        assert "[redacted]" in "".join(outputs)


def test_the_redactor_cuts_the_key_in_use_and_key_shapes():
    text = f"Authorization: Bearer {SECRET}\nx-api-key: {OTHER}\nhf_{'a' * 30} and AIza{'b' * 35}"
    out = redact(text, [SECRET])
    assert SECRET not in out and OTHER not in out and "hf_aaaa" not in out and "AIzabbb" not in out
    assert (
        redact("a short answer with sk- in it and the word bearer", ["k"])
        == "a short answer with sk- in it and the word bearer"
    )


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
@pytest.mark.parametrize("offset", [150, 185, 195, 250, 280, 295])
def test_a_key_straddling_where_errors_are_cut_leaves_no_fragment(cli, tmp_path, kind, offset):
    """Errors are cut to length for the store and the terminal: only after redaction, so no piece of a key survives."""
    bench = tmp_path / "b.jsonl"
    bench.write_text(
        json.dumps({"question_id": "q1", "category": "safety", "lang": "th", "turns": ["ก"]}), encoding="utf-8"
    )

    def reply(body: dict, headers: dict) -> tuple[int, bytes]:
        seen = (headers.get("authorization") or headers.get("x-api-key") or "").removeprefix("Bearer ")
        message = "x" * offset + f" {seen} and {OTHER} " + "y" * 200
        return 500, json.dumps({"error": {"message": message, "type": "server_error"}}).encode()

    db = tmp_path / "s.db"
    with FakeServer(kind, raw_reply=reply) as server:
        result = cli(
            "generate",
            "--model",
            f"{kind}:m",
            "--bench",
            bench,
            "--db",
            db,
            "--base-url",
            server.url,
            "--max-attempts",
            "1",
            env={"OPENAI_API_KEY": SECRET, "ANTHROPIC_API_KEY": SECRET},
        )
    texts = [result.stdout, result.stderr, _store_text(db)]
    for key in (SECRET, OTHER):
        fragments = {key[i : i + 8] for i in range(len(key) - 7)}
        assert not [f for f in fragments for t in texts if f in t], kind
    if offset < 250:  # where the mark itself is within what is kept
        assert "[redacted]" in _store_text(db)
