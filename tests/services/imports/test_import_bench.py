"""The import benchmark runs end to end on a few records and reports every figure (the figures
themselves are measurements, not requirements of a test run)."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

from bench import importing as bench
from tests.conftest import PG_ENV, need_server


def _run(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setattr(bench, "CACHE", tmp_path / "cache")
    before = os.environ.get(bench.AUTO_REMATCH)
    assert bench.main(argv) == 0
    assert os.environ.get(bench.AUTO_REMATCH) == before, "the setting is restored"
    return capsys.readouterr()


def test_import_benchmark_on_sqlite_reports_both_runs_as_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _run(
        ["--count", "40", "--seed", "3", "--backends", "sqlite", "--json"], tmp_path, monkeypatch, capsys
    )
    report = json.loads(out.out)
    assert report["config"]["auto_rematch"] is False
    lite = report["backends"]["sqlite"]
    assert (lite["first_import"]["created"], lite["reimport"]["updated"]) == (40, 40)
    assert lite["rows"]["candidate"] == lite["rows"]["candidate_personal"] == 40
    for run in ("first_import", "reimport"):
        assert lite[run]["total_s"] >= lite[run]["parse_s"] >= 0 and lite[run]["records_per_s"] > 0
    (cached,) = (tmp_path / "cache").iterdir()
    assert cached.name.startswith("candidates-s3-") and cached.name.endswith("-40.jsonl")
    # The second run reuses the cached file.
    _run(["--count", "40", "--seed", "3", "--backends", "sqlite"], tmp_path, monkeypatch, capsys)
    assert list((tmp_path / "cache").iterdir()) == [cached]


def test_import_benchmark_compares_postgresql_and_sqlite_and_runs_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = need_server(PG_ENV, "PostgreSQL")
    name = f"tm_bench_import_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    argv = ["--count", "25", "--postgres-url", url, "--database-name", name]
    out = _run(argv, tmp_path, monkeypatch, capsys)
    assert "first import" in out.out and "re-import" in out.out and "CLI, first" in out.out
    assert "PostgreSQL / SQLite time" in out.out and "TALENTMATCH_AUTO_REMATCH=false" in out.out

    from sqlalchemy import text

    from matcher.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        left = conn.scalar(text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": name})
    engine.dispose()
    assert left == 0, "the scratch database is dropped"


def test_the_test_database_is_refused_as_scratch(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        bench.main(["--database-name", "test"])
    assert caught.value.code == 2
    assert "--database-name" in capsys.readouterr().err
