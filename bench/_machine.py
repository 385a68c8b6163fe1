"""The machine a benchmark ran on, printed by every bench so a reader can judge its figures.

``machine()`` gives CPU model, cores, RAM, Python, numpy and the load average (1, 5, 15 min);
benches take it when they start and again when they end (``load_end``), since a figure is only
as good as the quiet of the machine it was measured on.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path
from typing import Any

import numpy as np


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def load_average() -> list[float] | None:
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None


def machine() -> dict[str, Any]:
    """Where and when the bench runs (the load average now)."""
    return {
        "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gb": _ram_gb(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "load_average": load_average(),
    }


def finished(started: dict[str, Any]) -> dict[str, Any]:
    """``started`` with the load average at the end of the run added."""
    return {**started, "load_average_end": load_average()}


def line(info: dict[str, Any]) -> str:
    """One printable line: ``machine: {...}``."""
    return f"machine: {json.dumps(info)}"
