"""The floors of the code, checked on its import graph (read with ``ast``: nothing is imported).

* ``matcher.core`` is pure: it imports the core, the standard library, its listed libraries and
  the shared vocabulary (enums, input schemas, domain errors), which is pure too.
* ``matcher`` never imports its doors, ``api`` and ``tasks`` (the CLI, itself a door, may).
* No module imports, however indirectly, a module that imports it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from tests.architecture.figures import Import, Module, cycles, external_imports, imports, modules

#: Libraries the core may use besides the standard library: validation, and the numerics of the
#: weight fit (numpy, scipy's optimiser, threadpoolctl to keep its BLAS on one thread); none of
#: them does I/O.
CORE_LIBRARIES = {"pydantic", "pydantic_core", "email_validator", "numpy", "scipy", "threadpoolctl"}
#: Modules of ``matcher`` the core may read: the vocabulary every floor shares.
VOCABULARY = {"matcher.schemas", "matcher.errors", "matcher.json_records", "matcher.json_types"}
DOORS = ("api", "tasks")

KNOWN = modules()
EDGES = imports(KNOWN)
EXTERNAL = external_imports(KNOWN)


def _in(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_core_and_its_vocabulary_import_nothing_of_the_shell() -> None:
    pure = {n for n in KNOWN if _in(n, "matcher.core")} | VOCABULARY
    assert len(pure) > len(VOCABULARY) + 5, "the core's modules were found"
    wrong = [
        f"{e.importer}:{e.line} imports {e.imported}"
        for e in EDGES
        if e.importer in pure and e.imported not in pure
    ]
    libraries = [
        f"{name} imports {lib}"
        for name in sorted(pure)
        for lib in sorted(EXTERNAL[name] - CORE_LIBRARIES - set(sys.stdlib_module_names))
    ]
    assert wrong == [] and libraries == []


def test_matcher_never_imports_its_doors() -> None:
    wrong = [
        f"{e.importer}:{e.line} imports {e.imported}"
        for e in EDGES
        if _in(e.importer, "matcher")
        and not _in(e.importer, "matcher.cli")
        and any(_in(e.imported, door) for door in DOORS)
    ]
    assert wrong == []


def test_no_import_cycles() -> None:
    assert cycles(EDGES) == []


def test_the_checks_see_cycles_and_relative_imports(tmp_path: Path) -> None:
    """The graph reader itself: a cycle through a relative, function-level import is found."""
    sources = {
        "pkg": "",
        "pkg.a": "from pkg import b\n",
        "pkg.b": "def f():\n    from .c import g\n",
        "pkg.c": "import pkg.a\n",
    }
    fake = {
        name: Module(
            name,
            tmp_path / (name.replace(".", "/") + ("/__init__.py" if name == "pkg" else ".py")),
            ast.parse(src),
        )
        for name, src in sources.items()
    }
    edges = imports(fake)
    assert Import("pkg.b", "pkg.c", 2, True, False) in edges
    assert cycles(edges) == [["pkg.a", "pkg.b", "pkg.c"]]
