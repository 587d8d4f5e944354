"""seabench: evaluate chat models on Sea-bench across Southeast-Asian languages.

The library behind the `seabench` command. Names load on first use, so importing the package stays cheap:

    from seabench import Store, load_bench, generate, judge, build_report
"""

from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "load_bench": "seabench.bench",
    "Bench": "seabench.records",
    "Question": "seabench.records",
    "Answer": "seabench.records",
    "Judgment": "seabench.records",
    "GenerationSettings": "seabench.records",
    "Store": "seabench.store",
    "ModelRun": "seabench.records",
    "generate": "seabench.generate",
    "JudgeConfig": "seabench.records",
    "judge": "seabench.judging.llm",
    "default_prompts": "seabench.judging.native",
    "load_prompts": "seabench.judging.prompts",
    "check_language": "seabench.checks",
    "check_health": "seabench.checks",
    "Settings": "seabench.records",
    "build_report": ("seabench.summarize", "build"),
    "compare_models": "seabench.summarize",
    "SeabenchError": "seabench.errors",
    "open": "seabench.notebook",
    "Run": "seabench.notebook",
}

__all__ = ["__version__", *_EXPORTS]


def main() -> None:
    """The `seabench` command. Ctrl-C at any moment, even while the CLI is still importing, is one line and exit 130."""
    import signal
    import sys

    try:
        from .cli import app

        app()
    except KeyboardInterrupt:
        print("interrupted: everything finished so far is stored; run the same command again to go on", file=sys.stderr)
        sys.exit(130)
    finally:
        # The command is over: a Ctrl-C now could only break into the interpreter's shutdown and print its traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def __getattr__(name: str) -> object:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'seabench' has no attribute {name!r}")
    module, attr = target if isinstance(target, tuple) else (target, name)
    return getattr(import_module(module), attr)
