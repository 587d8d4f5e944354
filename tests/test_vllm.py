"""`vllm:` models: seabench starts `vllm serve` itself and stops it however the command ends. No GPU here, so the
server command is replaced (SEABENCH_VLLM_COMMAND) by tests/fake_vllm.py, which takes the same arguments and speaks
the same HTTP API; the lifecycle — a free port, the health wait, the child's end — is the real one."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from .conftest import ROOT, run_seabench
from .fakes import FakeServer

FAKE = f"{sys.executable} {ROOT / 'tests' / 'fake_vllm.py'}"


@pytest.fixture
def bench(tmp_path):
    path = tmp_path / "b.jsonl"
    rows = [
        {"question_id": f"th-{i}", "category": "natural-question", "lang": "th", "turns": [f"คำถาม {i}", "แล้วไง"]}
        for i in range(3)
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def vllm_env(tmp_path):
    record = tmp_path / "starts.jsonl"
    return record, {"SEABENCH_VLLM_COMMAND": FAKE, "FAKE_VLLM_RECORD": str(record)}


def _starts(record: Path) -> list[dict]:
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # a child of ours that exited but was not reaped yet counts as gone
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:
            pass
        time.sleep(0.05)
    return False


def test_answers_flow_through_a_server_seabench_starts_and_stops(bench, tmp_path, vllm_env):
    record, env = vllm_env
    template = tmp_path / "chat.jinja"
    template.write_text("{% for m in messages %}{{ m.content }}{% endfor %}")
    db = tmp_path / "s.db"
    result = run_seabench(
        "generate",
        "--model",
        "vllm:org/some-model",
        "--bench",
        bench,
        "--db",
        db,
        "--chat-template",
        template,
        "--vllm-args",
        "--tensor-parallel-size 2 --max-model-len 4096",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    (start,) = _starts(record)
    argv = start["argv"]
    assert argv[:2] == ["serve", "org/some-model"] and argv[argv.index("--port") + 1] == str(start["port"])
    assert argv[argv.index("--chat-template") + 1] == str(template) and argv[argv.index("--host") + 1] == "127.0.0.1"
    assert argv[-4:] == ["--tensor-parallel-size", "2", "--max-model-len", "4096"]
    assert _gone(start["pid"])
    assert not list(
        Path(tempfile.gettempdir()).glob(f"seabench-vllm-{start['port']}-*.log")
    )  # the log goes with a server that worked
    rows = sqlite3.connect(db).execute("SELECT spec, text FROM answers ORDER BY question_id, turn").fetchall()
    assert len(rows) == 6 and all(
        spec == "vllm:org/some-model" and text.startswith("[org/some-model] reply to:") for spec, text in rows
    )


@pytest.mark.parametrize(
    "mode, words", [("never", "was not healthy within 2s"), ("exit", "exited with code 3 before it was ready")]
)
def test_a_server_that_never_becomes_healthy_or_dies_is_one_line_with_its_log(bench, tmp_path, vllm_env, mode, words):
    record, env = vllm_env
    result = run_seabench(
        "generate",
        "--model",
        "vllm:org/m",
        "--bench",
        bench,
        "--db",
        tmp_path / "s.db",
        "--vllm-start-timeout",
        "2",
        env={**env, "FAKE_VLLM_MODE": mode},
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    line = result.stderr.strip().splitlines()[0]
    assert line.startswith("error: vllm:org/m: the server") and words in line and "fake vllm: loading org/m" in line
    if mode == "exit":
        assert "CUDA out of memory (fake)" in line
    (start,) = _starts(record)
    assert _gone(start["pid"])
    log = Path(line.split("its log (")[1].split(")")[0])
    assert "fake vllm: loading org/m" in log.read_text()  # the log an error names is kept
    log.unlink()


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL])
def test_the_server_does_not_outlive_seabench(bench, tmp_path, vllm_env, how):
    record, env = vllm_env
    args = [
        sys.executable,
        "-m",
        "seabench",
        "generate",
        "--model",
        "vllm:org/m",
        "--bench",
        str(bench),
        "--db",
        str(tmp_path / "s.db"),
    ]
    child = subprocess.Popen(
        args,
        cwd=ROOT,
        env={**os.environ, **env, "FAKE_VLLM_LATENCY": "30"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not _starts(record):
        time.sleep(0.05)
    time.sleep(1.5)  # healthy by now, and the first requests wait on the slow server
    child.send_signal(how)
    _, stderr = child.communicate(timeout=30)
    (start,) = _starts(record)
    assert _gone(start["pid"]), f"the server outlived seabench ({how.name})"
    if how == signal.SIGINT:
        assert child.returncode == 130 and "Traceback" not in stderr


def test_two_vllm_models_in_one_eval_run_one_after_the_other(bench, tmp_path, vllm_env):
    record, env = vllm_env
    with FakeServer("openai", reply=lambda body: "Rating: [[6]]") as judge:
        result = run_seabench(
            "eval",
            "--model",
            "vllm:org/a",
            "--model",
            "vllm:org/b",
            "--judge",
            "openai:j",
            "--judge-base-url",
            judge.url,
            "--bench",
            bench,
            "--db",
            tmp_path / "s.db",
            "--out",
            tmp_path / "r.html",
            env={**env, "OPENAI_API_KEY": "k"},
        )
    assert result.returncode == 0, result.stderr
    starts = _starts(record)
    assert [s["argv"][1] for s in starts] == ["org/a", "org/b"]
    assert all(_gone(s["pid"]) for s in starts)
    counts = dict(sqlite3.connect(tmp_path / "s.db").execute("SELECT model, COUNT(*) FROM answers GROUP BY model"))
    assert counts == {"vllm:org/a": 6, "vllm:org/b": 6}


def test_a_checkpoint_saved_again_at_the_same_path_never_mixes_with_the_old(bench, tmp_path, vllm_env):
    _, env = vllm_env
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "config.json").write_text('{"model_type": "llama"}')
    weights = ckpt / "model.safetensors"
    weights.write_bytes(b"step-1000")
    db = tmp_path / "s.db"
    base = ["generate", "--model", f"vllm:{ckpt}", "--name", "ckpt", "--bench", bench, "--db", db, "--limit-total", "1"]
    assert run_seabench(*base, env=env).returncode == 0
    first = sqlite3.connect(db).execute("SELECT checkpoint FROM models WHERE name = 'ckpt'").fetchone()[0]
    assert first.startswith("files:")
    weights.write_bytes(b"step-2000")  # trained on, saved to the same place
    os.utime(weights, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    again = run_seabench(*base[:-2], env=env)
    assert again.returncode == 2 and "its files changed since" in again.stderr and "Traceback" not in again.stderr
    renamed = run_seabench(*[("ckpt-2000" if a == "ckpt" else a) for a in base], env=env)
    assert renamed.returncode == 0, renamed.stderr
    rows = sqlite3.connect(db).execute("SELECT model, checkpoint FROM answers ORDER BY model").fetchall()
    assert {m for m, _ in rows} == {"ckpt", "ckpt-2000"} and len({c for _, c in rows}) == 2


def test_tokens_of_a_vllm_model_come_from_its_own_tokenizer(cli, tiny_model, tmp_path):
    # in-process: two fresh processes only re-imported torch and the segmenters, at five seconds each
    via_hf = cli("tokens", "--model", f"hf:{tiny_model}", "--format", "json", "--db", tmp_path / "a.db")
    via_vllm = cli("tokens", "--model", f"vllm:{tiny_model}", "--format", "json", "--db", tmp_path / "b.db")
    assert via_hf.exit_code == 0 and via_vllm.exit_code == 0, via_vllm.stderr
    hf_rows, vllm_rows = json.loads(via_hf.stdout), json.loads(via_vllm.stdout)
    strip = [{k: v for k, v in r.items() if k not in ("model", "spec")} for r in hf_rows]
    assert strip == [{k: v for k, v in r.items() if k not in ("model", "spec")} for r in vllm_rows] and strip


def test_several_servers_of_one_model_share_the_work(bench, tmp_path):
    with FakeServer("openai", latency=0.05) as one, FakeServer("openai", latency=0.05) as two:
        result = run_seabench(
            "generate",
            "--model",
            "openai:m",
            "--base-url",
            f"{one.url},{two.url}",
            "--bench",
            bench,
            "--db",
            tmp_path / "s.db",
            env={"OPENAI_API_KEY": "k"},
        )
        assert result.returncode == 0, result.stderr
        assert len(one.requests) + len(two.requests) == 6 and one.requests and two.requests
