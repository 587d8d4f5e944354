"""Data moves one way: a stage may import shared modules and earlier stages, never a later one."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "seabench"
SHARED = {"records", "errors", "languages", "textio", "resources", "store", "backends", "runner", "pricing", "segment", "stats", "config"}
STAGES = {"bench": 1, "generate": 2, "judging": 3, "fertility": 3, "aggregate": 4, "results": 5, "report": 6, "pipeline": 7, "cli": 8, "__main__": 9}


def _component(module: Path) -> str:
    parts = module.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = path.relative_to(PACKAGE).with_suffix("").parts
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(own[: len(own) - node.level])
                target = base + (node.module.split(".") if node.module else [alias.name for alias in node.names][:1])
            elif node.module and node.module.startswith("seabench."):
                target = node.module.split(".")[1:]
            else:
                continue
            if target:
                found.add(target[0])
    return found


def test_stages_never_import_later_stages():
    problems = []
    for path in PACKAGE.rglob("*.py"):
        me = _component(path)
        if me == "__init__":
            continue
        for other in _imports(path) - {me, "__init__"}:
            if me in SHARED and other not in SHARED:
                problems.append(f"{path.relative_to(PACKAGE)}: shared module imports stage '{other}'")
            elif me in STAGES and other in STAGES and STAGES[other] > STAGES[me]:
                problems.append(f"{path.relative_to(PACKAGE)}: stage '{me}' imports later stage '{other}'")
            elif other not in SHARED and other not in STAGES:
                problems.append(f"{path.relative_to(PACKAGE)}: unknown component '{other}' (add it to this test's map)")
    assert problems == []


def test_public_api_names_resolve():
    import seabench

    for name in seabench.__all__:
        assert getattr(seabench, name) is not None, name
