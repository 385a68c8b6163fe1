"""The Celery app's delivery settings and schedule, and the tasks run through Celery (eagerly)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.schedules import crontab
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

import tasks.worker
from matcher.bootstrap import bootstrap
from matcher.errors import ValidationFailed
from matcher.models import RunStatus
from matcher.services import runs
from matcher.settings import Settings
from tasks.app import REMATCH_ALL, app, make_app, schedule_from
from tasks.dispatch import celery_sender, register
from tasks.matching import rematch_all, rematch_chunk
from tests.helpers import session_scope
from tests.rematch_support import Seeded


def test_production_delivery_settings(tmp_path: Path) -> None:
    conf = make_app(
        Settings(
            broker_url="redis://cache:6379/0",
            result_backend="db+postgresql+psycopg://u@db/talentmatch",
            visibility_timeout=7200,
            rematch_schedule="30 3 * * 1-5",
        )
    ).conf
    assert (conf.task_acks_late, conf.task_reject_on_worker_lost, conf.worker_prefetch_multiplier) == (
        True,
        True,
        1,
    )
    assert conf.broker_transport_options == {"visibility_timeout": 7200}
    entry = conf.beat_schedule["rematch-all"]
    assert entry["task"] == REMATCH_ALL
    assert entry["schedule"] == crontab(minute="30", hour="3", day_of_week="1-5")


def test_the_embedded_default_needs_no_server(tmp_path: Path) -> None:
    broker = tmp_path / "nested" / "broker.db"
    conf = make_app(
        Settings(
            broker_url=f"sqla+sqlite:///{broker}", result_backend=f"db+sqlite:///{tmp_path / 'r' / 'x.db'}"
        )
    ).conf
    assert conf.broker_url.startswith("sqla+sqlite:///")
    assert conf.broker_transport_options == {"connect_args": {"timeout": 30}}
    assert broker.parent.is_dir() and (tmp_path / "r").is_dir()


@pytest.mark.parametrize("spec", ["0 2 * *", "61 2 * * *", "every night"])
def test_a_bad_schedule_is_refused(spec: str) -> None:
    with pytest.raises(ValidationFailed, match="rematch_schedule"):
        schedule_from(spec)


def test_the_chunk_task_is_idempotent_and_bounded() -> None:
    task = app.tasks[rematch_chunk.name]
    assert task.acks_late and task.reject_on_worker_lost
    assert task.autoretry_for == (OperationalError,)
    assert task.max_retries == Settings().task_max_retries
    assert task.retry_backoff and task.ignore_result


@pytest.fixture
def eager(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Celery runs tasks in this process, on the test database, with a worker's runtime (its
    dispatcher sends through Celery)."""
    runtime = bootstrap(engine=engine)
    register(runtime.dispatcher)
    monkeypatch.setattr(tasks.worker, "_runtime", runtime)
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


def test_a_run_dispatched_through_celery_completes(engine: Engine, seeded: Seeded, eager: None) -> None:
    with session_scope(engine) as session:
        run_id = runs.start_run(session, dispatch=celery_sender).id
    with session_scope(engine) as session:
        progress = runs.get_progress(session, run_id)
    assert (progress.status, progress.processed) == (RunStatus.succeeded, progress.total)
    assert progress.total > 0


def test_the_scheduled_task_rematches_every_open_requirement(
    engine: Engine, seeded: Seeded, eager: None
) -> None:
    run_id = uuid.UUID(rematch_all.apply().get())
    with session_scope(engine) as session:
        progress = runs.get_progress(session, run_id)
    assert (progress.trigger, progress.status) == ("schedule", RunStatus.succeeded)
    assert progress.total == sum(1 for r in seeded.requirements if r.status.value == "open")
