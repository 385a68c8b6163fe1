"""``talentmatch import`` and ``talentmatch export`` as a user runs them, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session

from fixtures.generator import generate_candidates
from matcher.db import get_engine
from matcher.settings import get_settings
from tests.helpers import import_row_counts, jsonl, run_cli

Capture = pytest.CaptureFixture[str]


def _counts() -> dict[str, int]:
    with Session(get_engine(get_settings().database_url)) as s:
        return import_row_counts(s)


def test_import_with_bad_records_exits_1_lists_each_and_writes_nothing(
    cli_database: str, tmp_path: Path, capsys: Capture
) -> None:
    records = list(generate_candidates(6, seed=3))
    records[0] = {**records[0], "seniority": "wizard"}
    records[3] = {**records[3], "years_experience": -1}
    records[5] = {**records[5], "nickname": "Bob"}
    path = tmp_path / "cands.jsonl"
    path.write_text(jsonl(records))

    code, out, err = run_cli(capsys, "import", "candidates", str(path))

    assert code == 1 and out == ""
    assert "Traceback" not in err
    for line, field in ((1, "seniority"), (4, "years_experience"), (6, "nickname")):
        assert any(f"line {line}" in row and field in row for row in err.splitlines()), (line, err)
    assert _counts()["Candidate"] == 0 and _counts()["CandidateSkill"] == 0


def test_import_then_export_round_trips(cli_database: str, tmp_path: Path, capsys: Capture) -> None:
    records = list(generate_candidates(12, seed=4))
    path = tmp_path / "cands.jsonl"
    path.write_text(jsonl(records))

    code, out, err = run_cli(capsys, "import", "candidates", str(path))
    assert code == 0, err
    assert "imported 12 candidates: 12 created, 0 updated" in out

    target = tmp_path / "out.jsonl"
    code, _, err = run_cli(capsys, "export", "candidates", "--out", str(target))
    assert code == 0, err
    assert f"exported 12 candidates to {target}" in err
    exported = [json.loads(line) for line in target.read_text().splitlines()]
    assert sorted(r["external_id"] for r in exported) == sorted(r["external_id"] for r in records)
    assert not list(tmp_path.glob(".*partial"))

    code, out, err = run_cli(capsys, "import", "candidates", str(target))
    assert code == 0, err
    assert "12 updated" in out and _counts()["Candidate"] == 12


def test_export_into_a_missing_folder_is_one_line(cli_database: str, tmp_path: Path, capsys: Capture) -> None:
    code, out, err = run_cli(capsys, "export", "requirements", "--out", str(tmp_path / "no" / "x.jsonl"))
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [f"error: {tmp_path / 'no'}: no such directory"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("missing.jsonl", "no such file"), (".", "Is a directory"), ("latin1.jsonl", "not UTF-8 text")],
)
def test_import_of_an_unreadable_file_is_one_line(
    cli_database: str, tmp_path: Path, capsys: Capture, name: str, expected: str
) -> None:
    (tmp_path / "latin1.jsonl").write_bytes('{"name": "Jos\xe9"}\n'.encode("latin-1"))
    code, out, err = run_cli(capsys, "import", "candidates", str(tmp_path / name))
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and expected in err
    assert _counts()["Candidate"] == 0
