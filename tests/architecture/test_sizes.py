"""Small modules and short functions: none over ``MAX_MODULE_LINES`` / ``MAX_FUNCTION_LINES``
(migrations, benchmarks and tests aside), measured by ``tests.architecture.figures``.

There is no allow-list: a module or function that grows over the limit is split along a seam
(data to a data file, helpers to a module of their own) before it is merged.
"""

from __future__ import annotations

from tests.architecture.figures import MAX_FUNCTION_LINES, MAX_MODULE_LINES, functions, modules

KNOWN = modules()


def test_no_module_over_the_limit() -> None:
    sizes = {name: module.lines for name, module in KNOWN.items()}
    assert len(sizes) > 100, "the application's modules were found"
    assert max(sizes.values()) > MAX_MODULE_LINES // 2, "their lines were counted"
    assert [f"{n}: {size} lines" for n, size in sorted(sizes.items()) if size > MAX_MODULE_LINES] == []


def test_no_function_over_the_limit() -> None:
    found = functions(KNOWN)
    assert max(f.lines for f in found) > MAX_FUNCTION_LINES // 2, "the functions' lines were counted"
    too_long = [f"{f.module}.{f.name}: {f.lines} lines" for f in found if f.lines > MAX_FUNCTION_LINES]
    assert too_long == []
