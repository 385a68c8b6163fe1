"""The shape of the code, measured from its source with ``ast`` (nothing is imported).

``python -m tests.architecture.figures`` prints the figures issue 14 tracks (module sizes,
long functions, import cycles, function-level imports); ``tests/architecture/test_*.py``
assert the limits over the same measurements, so the report and the tests cannot disagree.
"""

from __future__ import annotations

import ast
import statistics
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: The packages of the application (tests, benchmarks and migrations are measured apart).
PACKAGES = ("matcher", "api", "tasks", "fixtures")
EXCLUDED = ("matcher/migrations",)
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    tree: ast.Module

    @property
    def lines(self) -> int:
        return len(self.path.read_text(encoding="utf-8").splitlines())

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    #: Inside a function body (run when called, not when the module loads).
    in_function: bool
    #: Under ``if TYPE_CHECKING:`` (never run).
    type_only: bool


def modules(packages: tuple[str, ...] = PACKAGES) -> dict[str, Module]:
    found: dict[str, Module] = {}
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if any(relative.as_posix().startswith(e) for e in EXCLUDED):
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = Module(
                ".".join(parts), path, ast.parse(path.read_text(encoding="utf-8"))
            )
    return found


def _resolve(name: str, known: dict[str, Module]) -> str | None:
    """The longest known module that ``name`` is or lies in (``a.b.func`` -> ``a.b``)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def _absolute(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.name.split(".")
    base = base if module.is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _walk(node: ast.AST, in_function: bool, type_only: bool) -> Iterator[tuple[ast.AST, bool, bool]]:
    for child in ast.iter_child_nodes(node):
        yield child, in_function, type_only
        inner_function = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        inner_type = type_only or (isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test))
        yield from _walk(child, inner_function, inner_type)


def imports(known: dict[str, Module]) -> list[Import]:
    """Every import of one project module by another (wherever it is written)."""
    found: list[Import] = []
    for module in known.values():
        for node, in_function, type_only in _walk(module.tree, False, False):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(module, node)
                targets = [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                resolved = _resolve(target, known)
                if resolved is not None and resolved != module.name:
                    found.append(Import(module.name, resolved, node.lineno, in_function, type_only))
    return found


def external_imports(known: dict[str, Module]) -> dict[str, set[str]]:
    """Each module's imports of top-level packages outside the project (stdlib included)."""
    found: dict[str, set[str]] = {name: set() for name in known}
    for module in known.values():
        for node, _, _ in _walk(module.tree, False, False):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top and top not in PACKAGES:
                    found[module.name].add(top)
    return found


def cycles(edges: list[Import]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.importer, set()).add(edge.imported)
        graph.setdefault(edge.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


@dataclass(frozen=True)
class Function:
    module: str
    name: str
    line: int
    lines: int


def functions(known: dict[str, Module]) -> list[Function]:
    """Every function and method, with its length in lines (decorators and docstring included)."""
    found = []
    for module in known.values():
        for node in ast.walk(module.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                found.append(
                    Function(module.name, node.name, node.lineno, (node.end_lineno or first) - first + 1)
                )
    return found


def report() -> str:
    known = modules()
    services = [m for name, m in known.items() if name.startswith("matcher.services")]
    service_lines = sorted(m.lines for m in services if not m.is_package or m.lines > 5)
    edges = imports(known)
    long = sorted((f for f in functions(known) if f.lines > MAX_FUNCTION_LINES), key=lambda f: -f.lines)
    big = sorted((m for m in known.values() if m.lines > MAX_MODULE_LINES), key=lambda m: -m.lines)
    lazy = sorted(
        {(e.importer, e.line): e for e in edges if e.in_function}.values(), key=lambda e: (e.importer, e.line)
    )
    in_cycle = {name for group in cycles(edges) for name in group}
    dodging = [e for e in lazy if e.importer in in_cycle and e.imported in in_cycle]
    out = [
        f"matcher/services: {len(services)} modules, {sum(service_lines)} lines, "
        f"max {max(service_lines)}, median {statistics.median(service_lines):g}",
        f"modules over {MAX_MODULE_LINES} lines: {len(big)}",
        *(f"  {m.lines:5d} {m.name}" for m in big),
        f"functions over {MAX_FUNCTION_LINES} lines: {len(long)}",
        *(f"  {f.lines:5d} {f.module}.{f.name}" for f in long),
        f"import cycles: {len(cycles(edges))}",
        *(f"  {' <-> '.join(group)}" for group in cycles(edges)),
        f"function-level import statements of project modules: {len(lazy)}",
        f"  of which between modules of one cycle (dodging it): {len(dodging)}",
        *(f"  {e.importer}:{e.line} -> {e.imported}" for e in dodging),
    ]
    return "\n".join(out)


if __name__ == "__main__":
    print(report())
