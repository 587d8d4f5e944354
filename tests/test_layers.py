"""Data moves one way: a stage may import the shared layer and earlier stages, never a later stage or a sibling.

Every import form counts (`import seabench.cli`, `from seabench import evaluate`, `from .. import records`, and
imports inside functions); the shared modules have an order of their own.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "seabench"

# The shared layer, lowest first: a shared module imports only shared modules before it.
SHARED = [
    "defaults",
    "words",
    "errors",
    "languages",
    "records",
    "textio",
    "resources",
    "segment",
    "stats",
    "pricing",
    "config",
    "store",
    "backends",
    "runner",
    "spec",
]
# The flow. Stages of one rank are siblings and never import each other.
STAGES = {
    "bench": 1,
    "generate": 2,
    "tokens": 2,
    "checks": 3,
    "judging": 4,
    "interop": 5,
    "aggregate": 6,
    "browse": 6,
    "summarize": 7,
    "report": 8,
    "export": 8,
    "site": 9,
    "notebook": 9,
    "evaluate": 9,
    "cli": 10,
    "__main__": 11,
}
# Couplings the order alone would allow, and which the design forbids.
FORBIDDEN = {
    ("report", "store"): "the report layer formats what it is given; it never reads the store",
    ("report", "summarize"): "the report layer formats what it is given",
    ("aggregate", "judging"): "statistics are pure functions of records",
    ("aggregate", "store"): "statistics are pure functions of records",
    ("aggregate", "backends"): "statistics are pure functions of records",
    ("aggregate", "runner"): "statistics are pure functions of records",
}


def _component(module: Path) -> str:
    return module.relative_to(PACKAGE).with_suffix("").parts[0]


def imports_of(path: Path, root: Path = PACKAGE, depth: int = 1) -> set[str]:
    """The seabench modules `path` imports, in any form, anywhere in the file (inside functions too), as their first
    `depth` dotted parts (1: the top-level components)."""
    own = list(path.relative_to(root).with_suffix("").parts)
    package = own[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "seabench" and len(parts) > 1:
                    found.add(".".join(parts[1 : 1 + depth]))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = base + (node.module.split(".") if node.module else [])
            elif node.module and (node.module == "seabench" or node.module.startswith("seabench.")):
                target = node.module.split(".")[1:]
            else:
                continue
            if target and len(target) < depth:  # `from . import x`, `from ..judging import llm`: x is a module
                found.update(".".join([*target, a.name]) for a in node.names)
            elif target:
                found.add(".".join(target[:depth]))
            else:  # `from seabench import x` / `from .. import x` at the top: each module named is a component
                found.update(
                    a.name for a in node.names if (root / a.name).is_dir() or (root / f"{a.name}.py").is_file()
                )
    return found


def test_the_import_reader_sees_every_form(tmp_path):
    root = tmp_path / "seabench"  # a probe in a copy of the layout, never a file written into the package itself
    for folder in ("report", "judging", "cli", "store"):
        (root / folder).mkdir(parents=True)
    (root / "evaluate.py").write_text("", encoding="utf-8")
    sample = root / "report" / "_probe_for_test.py"
    sample.write_text(
        "import seabench.cli\nfrom seabench import evaluate\nfrom .. import store\n"
        "def f():\n    from ..judging import llm\n    from .tables import x\n",
        encoding="utf-8",
    )
    assert imports_of(sample, root) == {"cli", "evaluate", "store", "judging", "report"}
    assert imports_of(sample, root, depth=2) >= {"judging.llm", "report.tables"}


def package_cycles(root: Path = PACKAGE) -> list[str]:
    """Every circle of imports between modules of one package, imports inside functions included."""
    modules = {".".join(p.relative_to(root).with_suffix("").parts): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name.rsplit(".", 1)[0] if "." in name else ""
        graph[name] = {
            t for t in imports_of(path, root, depth=2) if t.startswith(package + ".") and t != name and t in modules
        }
    cycles = []
    for start in graph:
        stack = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    cycles.append(" → ".join([*trail, start]))
                elif nxt not in trail and len(trail) < 6:
                    stack.append((nxt, [*trail, nxt]))
    return cycles


def test_no_two_modules_of_a_package_import_each_other(tmp_path):
    """A circle hidden by an import inside a function is still a circle."""
    assert package_cycles() == []
    probe = tmp_path / "seabench" / "judging"
    probe.mkdir(parents=True)
    (probe / "prompts.py").write_text("def f():\n    from .native import g\n", encoding="utf-8")
    (probe / "native.py").write_text("from .prompts import f\n", encoding="utf-8")
    assert package_cycles(tmp_path / "seabench")  # the reader sees such a circle


def test_stages_never_import_later_stages_or_siblings():
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        me = _component(path)
        if me == "__init__":
            continue
        for other in sorted(imports_of(path) - {me, "__init__"}):
            where = path.relative_to(PACKAGE)
            if other not in SHARED and other not in STAGES:
                problems.append(f"{where}: unknown component '{other}' (add it to this test's map)")
            elif me in SHARED and other not in SHARED:
                problems.append(f"{where}: shared module imports stage '{other}'")
            elif me in SHARED and SHARED.index(other) > SHARED.index(me):
                problems.append(f"{where}: shared module '{me}' imports '{other}', which comes after it")
            elif me in STAGES and other in STAGES and STAGES[other] >= STAGES[me]:
                problems.append(
                    f"{where}: stage '{me}' imports {'sibling' if STAGES[other] == STAGES[me] else 'later stage'} '{other}'"
                )
            elif (me, other) in FORBIDDEN:
                problems.append(f"{where}: '{me}' imports '{other}': {FORBIDDEN[me, other]}")
    assert problems == []


def test_public_api_names_resolve():
    import seabench

    for name in seabench.__all__:
        assert getattr(seabench, name) is not None, name


def test_every_record_field_says_what_it_holds():
    """Records cross stage boundaries: each field carries a docstring, so a newcomer never guesses."""
    missing = []
    for path in sorted((PACKAGE / "records").glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.ClassDef):
                continue
            for i, stmt in enumerate(node.body):
                if isinstance(stmt, ast.AnnAssign):
                    after = node.body[i + 1] if i + 1 < len(node.body) else None
                    if not (
                        isinstance(after, ast.Expr)
                        and isinstance(after.value, ast.Constant)
                        and isinstance(after.value.value, str)
                    ):
                        missing.append(f"{path.name}: {node.name}.{ast.unparse(stmt.target)}")
    assert missing == []
