"""The package's modules import each other without cycles (checked over the source, no import run)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pytest_gameqa"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def import_graph(include_local: bool = False) -> dict[str, set[str]]:
    """module -> package modules it imports at module level (or anywhere, with `include_local`).

    `from . import x` counts as importing `x` when x is a module. Imports under `if TYPE_CHECKING:` never run.
    """
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = ast.walk(tree) if include_local else _top_level(tree.body)
        for node in nodes:
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, path.name == "__init__.py", node)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            for target in targets:
                while target and target not in files:
                    target = target.rpartition(".")[0]
                if target.startswith("pytest_gameqa") and target != name:
                    graph[name].add(target)
    return graph


def _top_level(body: list[ast.stmt]) -> list[ast.stmt]:
    found: list[ast.stmt] = []
    for node in body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, (ast.If, ast.Try)):
            found += _top_level(node.body) + _top_level(getattr(node, "orelse", []))
            for handler in getattr(node, "handlers", []):
                found += _top_level(handler.body)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_between_the_package_modules() -> None:
    assert cycles(import_graph()) == []


#: Modules whose imports, even inside functions, form no cycle (function-level imports elsewhere are
#: deliberate lazy imports: litellm only with a model, the repro replayer only when replaying).
NO_LOCAL_CYCLES = (
    "pytest_gameqa.plugin",
    "pytest_gameqa.runs",
    "pytest_gameqa.report",
    "pytest_gameqa.repro",
    "pytest_gameqa.settings",
    "pytest_gameqa.models",
    "pytest_gameqa.files",
    "pytest_gameqa.cli",
)


def test_no_cycles_through_function_level_imports_among_the_core_modules() -> None:
    core = [c for c in cycles(import_graph(include_local=True)) if any(m.startswith(NO_LOCAL_CYCLES) for m in c)]
    assert core == []


def test_the_run_guard_builds_records_through_the_coordinator() -> None:
    graph = import_graph(include_local=True)
    assert "pytest_gameqa.plugin.hooks" not in graph["pytest_gameqa.plugin.guard"]
    assert "pytest_gameqa.plugin.coordinator" in graph["pytest_gameqa.plugin.guard"]


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


if __name__ == "__main__":  # python tests/test_core_imports.py: print the cycles, local imports included
    for scope, graph in (("module level", import_graph()), ("anywhere", import_graph(include_local=True))):
        print(f"{scope}: {cycles(graph) or 'no cycles'}")
