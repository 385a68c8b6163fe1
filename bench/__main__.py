"""``python -m bench [NAME] [ARGS...]``: run the benchmark ``bench/NAME.py`` (default: ranking)
with its own arguments; ``python -m bench --list`` names them."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

DEFAULT = "ranking"


def available() -> list[str]:
    here = str(Path(__file__).resolve().parent)
    return sorted(m.name for m in pkgutil.iter_modules([here]) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    names = available()
    if argv[:1] in (["--list"], ["-h"], ["--help"]):
        print(__doc__)
        print("benchmarks:", ", ".join(names))
        return 0
    name, rest = (argv[0], argv[1:]) if argv and argv[0] in names else (DEFAULT, argv)
    module = importlib.import_module(f"bench.{name}")
    code = module.main(rest)
    return int(code or 0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
