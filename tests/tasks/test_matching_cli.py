"""``talentmatch rematch`` and ``talentmatch runs`` on a test database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

import tasks.dispatch
from matcher import db
from matcher.cli import app
from tests.helpers import missing_id, run_cli
from tests.rematch_fixtures import SetEnv
from tests.rematch_support import ChunkRecorder, Seeded

runner = CliRunner()


@pytest.fixture
def cli_db(db_url: str, seeded: Seeded, pinned_settings: SetEnv) -> Iterator[Seeded]:
    """The CLI's configured database is the test database."""
    pinned_settings(database_url=db_url)
    db.get_engine.cache_clear()
    yield seeded
    db.get_engine(db_url).dispose()
    db.get_engine.cache_clear()


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args))


def test_rematch_inline_runs_every_open_requirement(cli_db: Seeded) -> None:
    result = invoke("rematch", "--inline")
    open_count = sum(1 for r in cli_db.requirements if r.status.value == "open")
    assert result.exit_code == 0, result.output
    assert f"queued: {open_count} requirement(s)" in result.output
    assert f"succeeded: {open_count}/{open_count} requirements (0 failed)" in result.output
    listed = invoke("runs")
    assert listed.exit_code == 0 and "manual" in listed.output and "succeeded" in listed.output


def test_rematch_takes_external_ids_and_ids(cli_db: Seeded) -> None:
    spec = next(r for r in cli_db.requirements if r.status.value == "open")
    result = invoke("rematch", "--inline", "-r", spec.external_id)
    assert result.exit_code == 0, result.output
    assert "succeeded: 1/1 requirements" in result.output
    missing = str(missing_id())
    assert invoke("rematch", "-r", missing).exit_code == 1


def test_an_unknown_requirement_is_one_readable_line(cli_db: Seeded) -> None:
    result = invoke("rematch", "-r", "no-such-requirement")
    assert result.exit_code == 1
    assert "error: no requirement with id or external id 'no-such-requirement'" in result.output
    assert "Traceback" not in result.output


def test_rematch_enqueues_after_the_commit(cli_db: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = ChunkRecorder()
    monkeypatch.setattr(tasks.dispatch, "celery_sender", recorder)
    result = invoke("rematch")
    assert result.exit_code == 0, result.output
    assert len(recorder.sent) == 1 and str(recorder.sent[0][0]) in result.output


def test_a_broker_that_cannot_be_reached_is_a_warning(
    cli_db: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(task: str, args: list[Any]) -> None:
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.dispatch, "celery_sender", down)
    result = invoke("rematch")
    assert result.exit_code == 0
    assert "warning: could not enqueue the run (broker unreachable)" in result.output


def test_a_cli_write_enqueues_its_rematch_on_the_broker(
    db_url: str, pinned_settings: SetEnv, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``talentmatch seed`` (like every CLI write) sends its re-match to the workers through the
    sender the CLI registers at start-up, not a traceback about a missing sender."""
    pinned_settings(database_url=db_url, auto_rematch="true")
    db.get_engine.cache_clear()
    recorder = ChunkRecorder()
    monkeypatch.setattr(tasks.dispatch, "celery_sender", recorder)
    try:
        code, _, err = run_cli(capsys, "seed", "--candidates", "30", "--requirements", "2")
    finally:
        db.get_engine(db_url).dispose()
        db.get_engine.cache_clear()
    assert code == 0, err
    assert "Traceback" not in err and "failed" not in err, err
    assert recorder.sent, "the seeded requirements' re-match was sent"
