"""One CLI contract: the same option means the same thing everywhere, formats are checked, results go to stdout."""

from __future__ import annotations

import json
import re

import pytest

from seabench.cli import app
from seabench.store import Store

from .fakes import FakeServer

ENV = {"OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k"}


def _bench(tmp_path):
    path = tmp_path / "b.jsonl"
    rows = [{"question_id": f"q{i}", "category": "safety", "lang": "th", "turns": [f"คำถาม {i}"]} for i in range(3)]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def _commands():
    import typer.main

    out = []

    def walk(cmd, path):
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, [*path, name])
        else:
            out.append((" ".join(path), cmd))

    walk(typer.main.get_command(app), [])
    return out


def test_help_metavars_are_readable_and_options_mean_one_thing():
    meanings: dict[str, set[str]] = {}
    for name, cmd in _commands():
        for param in cmd.params:
            if getattr(param, "param_type_name", "") != "option":
                continue
            text = " ".join(param.get_help_record(cmd.make_context(name, ["--help"], resilient_parsing=True)) or ())
            assert not re.search(r"<[a-z\[\] ]+>", text), (name, text)  # no <list[str]>, <int range>
            for opt in param.opts:
                meanings.setdefault(opt, set()).add(param.metavar or "flag")
    assert meanings["--judge"] == {"SPEC"}
    assert meanings["--judge-name"] == {"NAME"}
    assert "--models" not in meanings and "--json" not in meanings
    assert meanings["--format"] == {"FORMAT"}


def test_version(cli):
    from seabench import __version__

    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"seabench {__version__}"


@pytest.mark.parametrize(
    "args",
    [
        ("compare", "a", "b", "--format", "html"),
        ("report", "--format", "xml"),
        ("answers", "--format", "table"),
        ("agreement", "--format", "markdown"),
        ("bench", "stats", "--format", "csv"),
    ],
)
def test_every_format_option_is_checked(cli, tmp_path, args):
    result = cli(*args, "--db", tmp_path / "none.db") if args[0] != "bench" else cli(*args)
    assert result.exit_code == 2 and "--format must be one of" in result.stderr


def test_a_missing_store_gets_the_cli_hint_not_the_library(cli, tmp_path):
    result = cli("report", "--db", tmp_path / "none.db")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"error: {tmp_path / 'none.db'}: no seabench store here yet"
    assert lines[1].startswith("hint: run `seabench generate`")


def test_status_goes_to_stderr_and_results_to_stdout(cli, tmp_path):
    db = tmp_path / "s.db"
    with FakeServer("openai") as cand, FakeServer("openai", reply=lambda body: "Rating: [[7]]") as judge:
        gen = cli(
            "generate",
            "--model",
            "openai:a",
            "--model",
            "openai:b",
            "--name",
            "a",
            "--name",
            "b",
            "--bench",
            _bench(tmp_path),
            "--db",
            db,
            "--base-url",
            cand.url,
            env=ENV,
        )
        assert gen.exit_code == 0 and gen.stdout == "" and "a: 3 answers stored" in gen.stderr
        judged = cli(
            "judge", "--judge", "openai:j", "--judge-name", "j", "--judge-base-url", judge.url, "--db", db, env=ENV
        )
        assert judged.stdout == "" and "j: 6 judgments stored" in judged.stderr
    csv_out = cli("report", "--db", db, "--format", "csv", "--rounds", "100")
    assert csv_out.stdout.startswith("model,judge,lang,category,turn,n,mean,ci_low,ci_high,") and csv_out.stderr == ""
    assert (
        cli("report", "--db", db, "--judge-name", "j", "--model", "a", "--format", "json", "--rounds", "100").exit_code
        == 0
    )
    out = tmp_path / "r.txt"
    written = cli("report", "--db", db, "--format", "terminal", "--out", out, "--rounds", "100")
    assert (
        written.stdout == ""
        and f"wrote {out}" in written.stderr
        and "Headline — judge: j" in out.read_text(encoding="utf-8")
    )


def test_eval_takes_the_same_options_and_refuses_a_pairwise_plan_without_pairs(cli, tmp_path):
    bench = _bench(tmp_path)
    result = cli(
        "eval",
        "--model",
        "openai:a",
        "--model",
        "openai:b",
        "--judge",
        "openai:j",
        "--mode",
        "pairwise",
        "--bench",
        bench,
        "--db",
        tmp_path / "s.db",
        "--dry-run",
        env=ENV,
    )
    assert result.exit_code == 2 and "exactly one of --baseline or --all-pairs" in result.stderr
    with FakeServer("openai") as cand, FakeServer("openai", reply=lambda body: "[[A]]") as judge:
        result = cli(
            "eval",
            "--model",
            "openai:a",
            "--model",
            "openai:b",
            "--name",
            "ckpt-1",
            "--name",
            "ckpt-2",
            "--judge",
            "openai:j",
            "--judge-name",
            "jj",
            "--mode",
            "pairwise",
            "--all-pairs",
            "--samples",
            "2",
            "--system-prompt",
            "ตอบสั้น ๆ",
            "--temperature",
            "0.5",
            "--max-tokens",
            "64",
            "--max-attempts",
            "2",
            "--bench",
            bench,
            "--db",
            tmp_path / "s.db",
            "--out",
            tmp_path / "r.html",
            "--base-url",
            cand.url,
            "--judge-base-url",
            judge.url,
            env=ENV,
        )
        assert result.exit_code == 0, result.output
        bodies = [r["body"] for r in cand.requests]
    assert {b["messages"][0]["content"] for b in bodies} == {"ตอบสั้น ๆ"} and {b["temperature"] for b in bodies} == {0.5}
    assert len(judge.requests) == 3 * 2 * 2  # 3 items × both orders × 2 samples
    report = json.loads(cli("report", "--db", tmp_path / "s.db", "--format", "json", "--rounds", "100").stdout)
    assert {p["model"] for p in report["pairs"]} == {"ckpt-1", "ckpt-2"} and report["judges"] == ["jj"]


def test_an_anthropic_base_url_may_end_in_v1(cli, tmp_path):
    with FakeServer("anthropic") as server:
        result = cli(
            "generate",
            "--model",
            "anthropic:claude-x",
            "--bench",
            _bench(tmp_path),
            "--db",
            tmp_path / "s.db",
            "--base-url",
            server.url.rstrip("/") + "/v1",
            env=ENV,
        )
        assert result.exit_code == 0, result.output
        assert len(server.requests) == 3


@pytest.mark.parametrize(
    "option,value,shown",
    [
        ("--lang", "xx", "'xx' is not in"),
        ("--lang", "th,xx", "'xx' is not in"),
        ("--category", "bogus", "'bogus' is not in"),
        ("--lang", "", "needs a value from"),
    ],
)
def test_unknown_languages_and_categories_are_refused_with_the_valid_ones(cli, tmp_path, option, value, shown):
    result = cli("generate", "--model", "openai:m", option, value, "--db", tmp_path / "s.db", "--dry-run", env=ENV)
    assert result.exit_code == 2 and shown in result.stderr
    assert ("it has: en, id, km, lo, ms, my, th, tl, vi" if option == "--lang" else "safety") in result.stderr


def test_language_codes_match_ignoring_case(cli, tmp_path):
    result = cli("generate", "--model", "openai:m", "--lang", "TH", "--db", tmp_path / "s.db", "--dry-run", env=ENV)
    assert result.exit_code == 0 and "│ th " in result.stdout


def test_unknown_model_names_are_refused_with_the_stored_ones(cli, tmp_path):
    db = tmp_path / "s.db"
    with FakeServer("openai") as cand:
        assert (
            cli(
                "generate",
                "--model",
                "openai:a",
                "--bench",
                _bench(tmp_path),
                "--db",
                db,
                "--base-url",
                cand.url,
                env=ENV,
            ).exit_code
            == 0
        )
    for args in (("answers", "--model", "nosuch"), ("report", "--model", "openai:a,nosuch")):
        result = cli(*args, "--db", db)
        assert (
            result.exit_code == 2 and "no model named nosuch" in result.stderr and "stored: openai:a" in result.stderr
        )
    result = cli("compare", "openai:a", "openai:a", "--db", db)
    assert result.exit_code == 2 and "two different models" in result.stderr


def test_eval_refuses_a_pairwise_plan_with_one_model_before_generating(cli, tmp_path):
    with FakeServer("openai") as cand:
        result = cli(
            "eval",
            "--model",
            "openai:a",
            "--judge",
            "openai:j",
            "--mode",
            "pairwise",
            "--all-pairs",
            "--bench",
            _bench(tmp_path),
            "--db",
            tmp_path / "s.db",
            "--base-url",
            cand.url,
            env=ENV,
        )
        assert result.exit_code == 2 and "needs two models" in result.stderr
        assert cand.requests == []


def test_ctrl_c_at_any_moment_is_one_line_and_exit_130(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from .conftest import ROOT

    # Counted from when the interpreter itself has started (measured now, under whatever load the machine has):
    # before that no program can catch a signal it has not yet seen.
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    startup = time.perf_counter() - started
    for delay in (startup * 1.5 + extra for extra in (0.0, 0.03, 0.06, 0.1, 0.15, 0.25)):
        proc = subprocess.Popen(
            [sys.executable, "-m", "seabench", "report", "--db", str(tmp_path / "none.db")],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ},
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        assert "Traceback" not in err, (delay, err)
        # 2, or killed while shutting down: it had finished first (there is no such store)
        assert proc.returncode in (130, 2, -signal.SIGINT), (delay, proc.returncode, err)


def _generate_at(cli, tmp_path, kind: str, url: str):
    args = ["--model", f"{kind}:m", "--bench", _bench(tmp_path), "--db", tmp_path / "s.db", "--base-url", url]
    return cli("generate", *args, env=ENV)


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
def test_a_closed_port_says_connection_refused(cli, tmp_path, kind):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = _generate_at(cli, tmp_path, kind, f"http://127.0.0.1:{port}")
    assert result.exit_code == 2 and f"connection refused by 127.0.0.1:{port}" in result.stderr
    assert "timed out" not in result.stderr


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
def test_a_host_name_that_does_not_resolve_stops_the_run_at_once(cli, tmp_path, kind, monkeypatch):
    """Before, a mistyped host was six "Request timed out." per request (the SDK calls a failed lookup a timeout)."""
    import socket

    real = socket.getaddrinfo

    def lookup(host, *args, **kw):  # the resolver's answer for a name that does not exist, without asking the network
        if host == "locahost.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kw)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    result = _generate_at(cli, tmp_path, kind, "http://locahost.invalid:8000/v1")
    assert result.exit_code == 2, result.stderr
    assert "no such host locahost.invalid: its name does not resolve" in result.stderr
    assert "timed out" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("localhost:8000/v1", "needs http:// or https:// and a host (did you mean http://localhost:8000/v1?)"),
        ("notaurl", "(did you mean http://notaurl?)"),
        ("http://", "needs http:// or https:// and a host"),
        ("ftp://host/v1", "needs http:// or https:// and a host"),
        ("http://exa mple.com/v1", "needs http:// or https:// and a host"),
        ("http://h:port/v1", "is not a url (port could not be cast"),
        ("http://a:8000,b:8001", "its server 'b:8001' needs http://"),
    ],
)
def test_a_url_that_is_not_one_is_refused_before_anything_is_stored(cli, tmp_path, url, said):
    for option in ("--base-url", "--judge-base-url"):
        args = ["--model", "openai:m", "--judge", "openai:j", option, url]
        result = cli("eval", *args, "--bench", _bench(tmp_path), "--db", tmp_path / "s.db", "--dry-run", env=ENV)
        assert result.exit_code == 2, (option, result.stdout)
        assert result.stderr.startswith(f"error: {option}: ") and said in result.stderr, result.stderr
    assert not (tmp_path / "s.db").exists()
    config = tmp_path / "eval.toml"
    config.write_text(f'[judge]\nspec = "openai:j"\n\n[[models]]\nspec = "openai:m"\nbase_url = "{url}"\n')
    result = cli(
        "eval", "--config", config, "--bench", _bench(tmp_path), "--db", tmp_path / "s.db", "--dry-run", env=ENV
    )
    assert result.exit_code == 2 and result.stderr.startswith(f"error: {config}:6: ") and said in result.stderr


def test_a_name_that_holds_only_failures_follows_the_corrected_endpoint(cli, tmp_path):
    """A first run against a wrong server stored failures only; the run against the right one was refused with
    "model name … holds answers from the checkpoint endpoint:…" though it held none."""
    with FakeServer("openai", fault_rate=1.0, faults=("500",), served=["another-model"]) as wrong:
        first = cli(
            "generate", "--model", "openai:m", "--bench", _bench(tmp_path), "--db", tmp_path / "s.db",
            "--base-url", wrong.url, "--max-attempts", "1", env=ENV,
        )  # fmt: skip
    assert first.exit_code == 1 and "0 answers stored" in first.stderr
    with FakeServer("openai") as right:
        second = cli(
            "generate", "--model", "openai:m", "--bench", _bench(tmp_path), "--db", tmp_path / "s.db",
            "--base-url", right.url, env=ENV,
        )  # fmt: skip
        assert second.exit_code == 0, second.stderr
    with Store(tmp_path / "s.db") as store:
        assert store.db.execute("SELECT COUNT(*) FROM failures").fetchone()[0] == 0
    # once it holds answers, the name is bound: other settings under it are refused, as before
    with FakeServer("openai") as other:
        third = cli(
            "generate", "--model", "openai:m", "--bench", _bench(tmp_path), "--db", tmp_path / "s.db",
            "--base-url", other.url, "--temperature", "0.5", env=ENV,
        )  # fmt: skip
    assert third.exit_code == 2 and "already holds answers" in third.stderr


def test_a_base_url_from_the_environment_that_is_not_one_is_refused_before_anything_is_sent(cli, tmp_path):
    args = ["--model", "openai:m", "--bench", _bench(tmp_path), "--db", tmp_path / "s.db"]
    result = cli("generate", *args, env={**ENV, "OPENAI_BASE_URL": "localhost:8000/v1"})
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: OPENAI_BASE_URL: needs http:// or https:// and a host (did you mean http://localhost:8000/v1?), "
        "not 'localhost:8000/v1'"
    )
    assert not (tmp_path / "s.db").exists()
