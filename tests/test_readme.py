"""The README keeps its promises: two quick-start commands, CI runs the test one, every setting
is documented."""

from __future__ import annotations

import re
from pathlib import Path

from matcher.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the quick start has a shell block"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_is_exactly_two_make_commands() -> None:
    assert _quick_start_commands() == ["make demo", "make test"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)


def test_every_setting_is_documented() -> None:
    missing = [name for name in Settings.model_fields if f"TALENTMATCH_{name.upper()}" not in README]
    assert missing == []
