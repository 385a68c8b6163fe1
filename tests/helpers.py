"""Small helpers shared by tests (data builders live in fixtures/)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[2] / "shared" / "formats"
if not SHARED.exists():
    SHARED = Path(__file__).resolve().parents[1] / "tests" / "data" / "formats"


def example(name: str) -> dict[str, Any]:
    """The shared example ``candidate`` or ``requirement`` as a fresh dict."""
    return copy.deepcopy(json.loads((SHARED / f"{name}.example.json").read_text()))


def jsonl(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)
