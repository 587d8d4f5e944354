"""The front door: options and eval.toml merge by which settings were given, and everything knowable is checked
before the first request — each refusal one line, exit 2, within a second, with nothing sent."""

from __future__ import annotations

import ast
import json
import re
import time
from pathlib import Path

import pytest
import typer

from seabench.cli import app
from seabench.cli.spec_layer import OPTION_NAMES

from .fakes import FakeServer

ENV = {"OPENAI_API_KEY": "k"}
PACKAGE = Path(__file__).resolve().parents[1] / "seabench"


def _bench(tmp_path: Path, turns: int = 1) -> Path:
    bench = tmp_path / "b.jsonl"
    rows = [
        {"question_id": f"q{i}", "category": "safety", "lang": "th", "turns": [f"คำถาม {i}", "ต่อ"][:turns]}
        for i in range(2)
    ]
    bench.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return bench


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "eval.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_a_zero_given_on_the_command_line_beats_the_files_value(cli, tmp_path):
    with FakeServer("openai") as cand, FakeServer("openai", reply=lambda b: "Rating: [[6]]") as judge:
        config = _config(
            tmp_path,
            f'temperature = 0.7\nmax_tokens = 300\n[judge]\nspec = "openai:j"\nbase_url = "{judge.url}"\n'
            f'[[models]]\nspec = "openai:m"\nbase_url = "{cand.url}"\n',
        )
        result = cli(
            "eval",
            "--config",
            config,
            "--temperature",
            "0",
            "--bench",
            _bench(tmp_path),
            "--db",
            tmp_path / "s.db",
            "--out",
            tmp_path / "r.html",
            env=ENV,
        )
        assert result.exit_code == 0, result.stderr
        sent = [r["body"] for r in cand.requests]
    assert sent and all(b["temperature"] == 0 for b in sent)  # the option, though 0 is falsy
    assert all(b["max_tokens"] == 300 for b in sent)  # the file's, where no option was given


def test_a_panel_members_own_zero_beats_the_judge_tables_value(cli, tmp_path):
    with (
        FakeServer("openai") as cand,
        FakeServer("openai", reply=lambda b: "Rating: [[6]]") as one,
        FakeServer("openai", reply=lambda b: "Rating: [[5]]") as two,
    ):
        config = _config(
            tmp_path,
            f"[judge]\ntemperature = 0.5\nmax_tokens = 500\n"
            f'[[judges]]\nspec = "openai:j1"\ntemperature = 0\nbase_url = "{one.url}"\n'
            f'[[judges]]\nspec = "openai:j2"\nbase_url = "{two.url}"\n'
            f'[[models]]\nspec = "openai:m"\nbase_url = "{cand.url}"\n',
        )
        result = cli(
            "eval",
            "--config",
            config,
            "--bench",
            _bench(tmp_path),
            "--db",
            tmp_path / "s.db",
            "--out",
            tmp_path / "r.html",
            env=ENV,
        )
        assert result.exit_code == 0, result.stderr
        first, second = [r["body"] for r in one.requests], [r["body"] for r in two.requests]
    assert first and all(b["temperature"] == 0 and b["max_tokens"] == 500 for b in first)
    assert second and all(b["temperature"] == 0.5 for b in second)


@pytest.mark.parametrize(
    "case",
    [
        "baseline typo",
        "out folder",
        "model typo",
        "prompt cannot render",
        "names clash",
        "url where none applies",
        "two URLs for three judges",
    ],
)
def test_what_can_be_known_is_checked_before_the_first_request(cli, tmp_path, case):
    bench = _bench(tmp_path, turns=2)
    prompts = tmp_path / "judge_prompts.jsonl"  # a single-turn prompt only: the bench's second turns cannot be judged
    prompts.write_text(
        json.dumps(
            {
                "name": "single-v1",
                "type": "single",
                "system_prompt": "Judge.",
                "output_format": "[[rating]]",
                "prompt_template": "[Question]\n{question}\n[Answer]\n{answer}\nRating: [[N]]",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    with FakeServer("openai") as server:
        base = [
            "eval",
            "--bench",
            bench,
            "--db",
            tmp_path / "s.db",
            "--out",
            tmp_path / "r.html",
            "--judge",
            "openai:gpt-4o",
        ]
        local = ["--base-url", server.url, "--judge-base-url", server.url]
        args, env, expect = {
            "baseline typo": (
                [*base, *local, "--model", "openai:a", "--mode", "pairwise", "--baseline", "chatgpt"],
                ENV,
                "--baseline 'chatgpt'",
            ),
            "out folder": (
                [
                    *base[:-4],
                    "--out",
                    tmp_path / "missing" / "r.html",
                    "--judge",
                    "openai:gpt-4o",
                    *local,
                    "--model",
                    "openai:a",
                ],
                ENV,
                "does not exist",
            ),
            "model typo": (
                [*base, "--model", "openai:gpt-4o-mni"],
                {**ENV, "OPENAI_BASE_URL": server.url},
                "nearest: openai:gpt-4o-mini",
            ),
            "prompt cannot render": ([*base, *local, "--model", "openai:a", "--prompts", prompts], ENV, "turn 2"),
            "names clash": (
                [*base, *local, "--model", "openai:a", "--model", "openai:b", "--name", "x", "--name", "x"],
                ENV,
                "share the name",
            ),
            "url where none applies": (
                [
                    *base[:-2],
                    "--judge",
                    "vllm:./judge",
                    "--judge-base-url",
                    server.url,
                    "--model",
                    "openai:a",
                    "--base-url",
                    server.url,
                ],
                ENV,
                "takes no endpoint URL",
            ),
            "two URLs for three judges": (
                [
                    *base,
                    "--judge",
                    "openai:j2",
                    "--judge",
                    "openai:j3",
                    "--judge-base-url",
                    server.url,
                    "--judge-base-url",
                    server.url,
                    "--model",
                    "openai:a",
                    "--base-url",
                    server.url,
                ],
                ENV,
                "--judge-base-url for all judges",
            ),
        }[case]
        start = time.perf_counter()
        result = cli(*args, env=env)
        took = time.perf_counter() - start
        assert server.requests == []
    assert result.exit_code == 2 and expect in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and took < 1.0


def test_the_dry_run_says_where_every_request_goes(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    result = cli(
        "eval",
        "--model",
        "openai:gpt-4o-mini",
        "--model",
        "openai:local",
        "--base-url",
        "https://api.openai.com/v1",
        "--base-url",
        "http://gpu1:8000/v1,http://gpu2:8000/v1",
        "--judge",
        "anthropic:claude-sonnet-4-5",
        "--bench",
        _bench(tmp_path),
        "--db",
        tmp_path / "s.db",
        "--dry-run",
        env={**ENV, "ANTHROPIC_BASE_URL": "http://proxy:9/"},
    )
    assert result.exit_code == 0, result.stderr
    assert "openai:local → http://gpu1:8000/v1,http://gpu2:8000/v1" in result.stdout
    assert "anthropic:claude-sonnet-4-5 (judge) → http://proxy:9/ (from $ANTHROPIC_BASE_URL)" in result.stdout


def test_help_states_one_rule_for_url_lists_and_the_environment():
    for command in ("generate", "judge", "eval"):
        cmd = _command(command)
        text = " ".join(cmd.get_help(cmd.context_class(cmd)).split())
        assert "commas inside one value are several servers of that one endpoint" in text
        assert "$OPENAI_BASE_URL" in text and "$ANTHROPIC_BASE_URL" in text


# typer carries its own copy of click, so commands are read by what they have, not by click's classes.
def _command(name: str):
    group = typer.main.get_command(app)
    found = group.get_command(group.context_class(group), name)  # type: ignore[attr-defined]
    assert found is not None
    return found


def _options(command) -> set[str]:
    return {"--help"} | {opt for p in command.params for opt in p.opts if opt.startswith("--")}


def _all_options() -> set[str]:
    out: set[str] = set()
    stack = [typer.main.get_command(app)]
    while stack:
        cmd = stack.pop()
        out |= _options(cmd)
        if hasattr(cmd, "list_commands"):
            ctx = cmd.context_class(cmd)
            stack += [cmd.get_command(ctx, n) for n in cmd.list_commands(ctx)]
    return out


# Each invocation fails; every option its message names must be an option of that command.
FAILING = [
    ("generate", ["--model", "openai:a", "--name", "x", "--name", "y"]),
    ("generate", ["--model", "openai:a", "--lang", "zz", "--dry-run"]),
    ("generate", ["--model", "hf:./x", "--base-url", "http://x", "--dry-run"]),
    ("judge", ["--judge", "openai:j", "--mode", "pairwise", "--db", "{db}"]),
    ("judge", ["--judge", "openai:j", "--judge", "openai:k", "--judge-name", "a", "--db", "{db}"]),
    ("judge", ["--judge", "openai:j", "--judge-language", "xx", "--db", "{db}"]),
    ("eval", ["--model", "openai:a", "--judge", "openai:j", "--mode", "pairwise", "--dry-run"]),
    (
        "eval",
        [
            "--model",
            "openai:a",
            "--judge",
            "openai:j",
            "--prompts",
            "{prompts}",
            "--judge-language",
            "native",
            "--dry-run",
        ],
    ),
    ("eval", ["--model", "openai:gpt-4o-mni", "--judge", "openai:j", "--dry-run"]),
    ("tokens", []),
    ("compare", ["a", "b", "--db", "{judged}"]),
]


def test_every_option_an_error_names_exists_on_that_command(cli, tmp_path):
    from .synthetic import synthetic_store

    db, judged = tmp_path / "s.db", tmp_path / "judged.db"
    synthetic_store(db, 2, categories=("safety",), langs=("th",), pairwise=False)
    synthetic_store(judged, 2, categories=("safety",), langs=("th",), pairwise=False)
    prompts = tmp_path / "p.jsonl"
    prompts.write_text(
        json.dumps(
            {
                "name": "single-v1",
                "type": "single",
                "system_prompt": "J.",
                "output_format": "[[rating]]",
                "prompt_template": "{question} {answer} [[N]]",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    named = 0
    for command, args in FAILING:
        filled = [a.format(db=db, prompts=prompts, judged=judged) for a in args]
        if command == "compare":
            filled = ["model-1", "model-2", "--db", str(judged)]
        result = cli(command, *filled, env=ENV)
        assert result.exit_code == 2, (command, filled, result.stderr)
        mentioned = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", result.stderr))
        assert mentioned <= _options(_command(command)), (command, result.stderr)
        named += bool(mentioned)
    assert named >= 8  # the walk reaches errors that do name options


def test_library_errors_name_settings_and_every_setting_is_an_option():
    options = _all_options()
    assert set(OPTION_NAMES.values()) <= options
    fields, flags = set(), []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "cli" in path.relative_to(PACKAGE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "SpecError" and node.args:
                text = "".join(
                    c.value for c in ast.walk(node.args[0]) if isinstance(c, ast.Constant) and isinstance(c.value, str)
                )
                values = {k.arg for k in node.keywords}
                fields |= {f for f in re.findall(r"\{(\w+)", text) if f not in values}
            if isinstance(node, ast.Raise):
                for c in ast.walk(node):
                    if isinstance(c, ast.Constant) and isinstance(c.value, str):
                        plain = re.sub(r"`[^`]*`", "", c.value)  # another tool's command line, quoted, is not ours
                        flags += [(path.name, f) for f in re.findall(r"(?<![\w-])--[a-z][a-z-]*", plain)]
    assert fields and fields <= set(OPTION_NAMES) | {"field"}, fields - set(OPTION_NAMES)
    assert flags == [], flags  # the library raises with settings; the CLI writes them as options


@pytest.mark.parametrize("command", ["eval", "generate", "judge-panel"])
def test_a_missing_api_key_stops_the_run_before_anything_is_paid_for(cli, tmp_path, monkeypatch, command):
    """eval: the judge's key (its answers would be paid for first); generate: the second model's; a judge panel: the
    second judge's. Each refused in one line, exit 2, with not one request sent."""
    for var in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    bench, db = _bench(tmp_path), tmp_path / "s.db"
    with FakeServer("openai", reply=lambda b: "Rating: [[6]]") as server:
        env = {**ENV, "OPENAI_BASE_URL": server.url}  # OpenAI's endpoint for everyone; Anthropic's is the public one
        first = ["--bench", bench, "--db", db]
        if command == "judge-panel":  # answers stored first, by a model that needs no judge
            stored = cli("generate", "--model", "openai:m", *first, env=env)
            assert stored.exit_code == 0, stored.stderr
            args = ["judge", "--judge", "openai:j", "--judge", "anthropic:claude-x", "--db", db]
        elif command == "eval":
            args = [
                "eval",
                "--model",
                "openai:m",
                "--judge",
                "anthropic:claude-x",
                *first,
                "--out",
                tmp_path / "r.html",
            ]
        else:
            args = ["generate", "--model", "openai:m", "--model", "anthropic:claude-x", *first]
        before = len(server.requests)
        result = cli(*args, env=env)
        sent = len(server.requests) - before
    assert result.exit_code == 2 and "ANTHROPIC_API_KEY is not set" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and sent == 0


def test_a_second_models_taken_name_stops_the_run_before_the_first_model_is_paid_for(cli, tmp_path):
    """The second model's name holds another model (other settings, or another server): refused before model one
    sends anything, not after its answers are paid for."""
    db = tmp_path / "s.db"
    with FakeServer("openai", served=["/models/ckpt-1.gguf"]) as first:
        assert cli("generate", "--model", "openai:b", "--limit-total", "2", "--db", db, "--base-url", first.url,
                   "--temperature", "0.5", env=ENV).exit_code == 0  # fmt: skip
        sent = len(first.requests)
        args = ("generate", "--model", "openai:a", "--model", "openai:b", "--limit-total", "2", "--db", db)
        refused = cli(*args, "--base-url", first.url, env=ENV)
        assert refused.exit_code == 2 and "model name 'openai:b' already holds answers" in refused.stderr
        assert len(first.requests) == sent  # openai:a had work to do, and sent none of it
    with FakeServer("openai", served=["/models/ckpt-2.gguf"]) as second:
        moved = cli("generate", "--model", "openai:c", "--model", "openai:b", "--limit-total", "2", "--db", db,
                    "--base-url", second.url, "--temperature", "0.5", env=ENV)  # fmt: skip
        assert moved.exit_code == 2 and "its server changed" in moved.stderr
        assert second.requests == []  # openai:c, new, waited for the check of openai:b's server


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
def test_a_judge_the_providers_api_does_not_have_stops_eval_before_any_answer_is_paid_for(
    cli, tmp_path, kind, monkeypatch
):
    """`eval` used to generate (and pay for) every answer, then meet the judge's 404 on its first request."""
    from seabench.backends import identity

    bench = tmp_path / "b.jsonl"
    bench.write_text(json.dumps({"question_id": "q1", "category": "safety", "lang": "th", "turns": ["สวัสดี"]}))
    with (
        FakeServer("openai", served=["m"]) as cand,
        FakeServer(kind, served=["judge-model"], reply=lambda b: "Rating: [[6]]") as provider,
    ):
        # the fake stands in for the provider's own API: its host is what the check trusts
        monkeypatch.setitem(identity.OFFICIAL, kind, "127.0.0.1")
        env = {"OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k"}
        base = ["--model", "openai:m", "--base-url", cand.url, "--judge-base-url", provider.url, "--bench", bench]
        base += ["--out", tmp_path / "r.html"]
        wrong = cli("eval", *base, "--judge", f"{kind}:judge-modle", "--db", tmp_path / "a.db", env=env)
        paid = len([r for r in cand.requests if r["path"].endswith("/chat/completions")])
        right = cli("eval", *base, "--judge", f"{kind}:judge-model", "--db", tmp_path / "b.db", env=env)
    assert wrong.exit_code == 2 and paid == 0
    assert wrong.stderr.strip() == (
        f"error: {kind}:judge-modle: the provider has no model 'judge-modle' for this key (GET /v1/models/judge-modle "
        "answered 404); check the name against its model list"
    )
    assert right.exit_code == 0, right.stderr


def test_a_key_the_providers_api_refuses_stops_eval_before_any_answer_is_paid_for(cli, tmp_path, monkeypatch):
    from seabench.backends import identity

    bench = tmp_path / "b.jsonl"
    bench.write_text(json.dumps({"question_id": "q1", "category": "safety", "lang": "th", "turns": ["สวัสดี"]}))
    with FakeServer("openai", served=["m"]) as cand, FakeServer("anthropic", served=["j"], keys={"good"}) as provider:
        monkeypatch.setitem(identity.OFFICIAL, "anthropic", "127.0.0.1")
        args = ["--model", "openai:m", "--base-url", cand.url, "--judge", "anthropic:j", "--bench", bench]
        args += ["--judge-base-url", provider.url, "--db", tmp_path / "s.db", "--out", tmp_path / "r.html"]
        result = cli("eval", *args, env={"OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "revoked"})
        paid = len([r for r in cand.requests if r["path"].endswith("/chat/completions")])
    assert result.exit_code == 2 and paid == 0
    assert (
        result.stderr.strip() == "error: anthropic:j: the provider refused the API key (GET /v1/models/j answered 401)"
    )
