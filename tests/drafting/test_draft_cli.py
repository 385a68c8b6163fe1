"""``talentmatch draft-requirement`` on a file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from matcher.cli import app
from tests.drafting.evaluate import HERE

runner = CliRunner()


def test_prints_the_draft_and_its_sources() -> None:
    path = HERE / "01-bullets-engineer.md"
    out = runner.invoke(app, ["draft-requirement", str(path), "--today", "2026-12-01"])
    assert out.exit_code == 0, out.output
    draft = json.loads(out.stdout)
    assert draft["track"] == "engineer" and draft["start_by"] == "2027-03-01"
    assert 'must_have[0].min_years: 5 <- "5+ years"' in out.stderr
    out = runner.invoke(app, ["draft-requirement", str(path), "--json", "--today", "2026-12-01"])
    whole = json.loads(out.stdout)
    assert whole["requirement"] == draft and whole["missing"] == []
    assert any(f["field"] == "min_overlap_hours" and f["note"] for f in whole["fields"])


def test_errors_are_one_line(tmp_path: Path) -> None:
    out = runner.invoke(app, ["draft-requirement", str(tmp_path / "none.txt")])
    assert out.exit_code == 1 and out.stderr.strip().startswith("error:") and "no such file" in out.stderr
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe\x00")
    out = runner.invoke(app, ["draft-requirement", str(binary)])
    assert out.exit_code == 1 and "not UTF-8" in out.stderr
    text = tmp_path / "jd.txt"
    text.write_text("Python developer", encoding="utf-8")
    out = runner.invoke(app, ["draft-requirement", str(text), "--today", "tomorrow"])
    assert out.exit_code == 1 and "--today" in out.stderr
