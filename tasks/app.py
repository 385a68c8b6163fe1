"""The Celery app, configured from ``matcher.settings``.

Embedded default (nothing configured): broker and result store are SQLite files under
``var/`` through kombu's SQLAlchemy transport, so a worker runs on a bare machine. Production:
``TALENTMATCH_BROKER_URL=redis://...`` and ``TALENTMATCH_RESULT_BACKEND=db+postgresql+psycopg://...``.

Delivery settings: tasks are acknowledged after they ran (``acks_late``) and re-queued when the
process running them dies (``reject_on_worker_lost``); each worker process reserves one task
at a time; on Redis an unacknowledged task comes back after ``visibility_timeout`` seconds,
which must exceed the longest task (a chunk of ``rematch_chunk_size`` requirements). Progress
lives in the database, so results are not stored.
"""

from __future__ import annotations

from pathlib import Path

from celery import Celery
from celery.schedules import crontab
from sqlalchemy.engine import make_url

from matcher.dispatch import REMATCH_ALL
from matcher.errors import ValidationFailed
from matcher.settings import Settings, get_settings


def schedule_from(spec: str) -> crontab:
    """A crontab from ``minute hour day-of-month month day-of-week``."""
    fields = spec.split()
    if len(fields) != 5:
        raise ValidationFailed(f"rematch_schedule {spec!r}: need 5 crontab fields (m h dom mon dow)")
    minute, hour, day_of_month, month_of_year, day_of_week = fields
    try:
        return crontab(
            minute=minute,
            hour=hour,
            day_of_month=day_of_month,
            month_of_year=month_of_year,
            day_of_week=day_of_week,
        )
    except ValueError as exc:
        raise ValidationFailed(f"rematch_schedule {spec!r}: {exc}") from None


def _sqlite_file(url: str) -> Path | None:
    """The file of a ``sqla+sqlite://`` broker or ``db+sqlite://`` result URL."""
    for prefix in ("sqla+", "sqlalchemy+", "db+"):
        if url.startswith(prefix):
            parsed = make_url(url.removeprefix(prefix))
            if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
                return Path(str(parsed.database))
    return None


def _transport_options(broker_url: str, visibility_timeout: int) -> dict[str, object]:
    """Redis: how long an unacknowledged task stays invisible. The SQLAlchemy transport takes
    engine arguments instead (and forgets a killed worker's tasks; the recovery sweep covers it)."""
    if broker_url.startswith(("sqla+", "sqlalchemy+")):
        return {"connect_args": {"timeout": 30}}
    return {"visibility_timeout": visibility_timeout}


def make_app(settings: Settings | None = None) -> Celery:
    settings = settings or get_settings()
    for url in (settings.broker_url, settings.result_backend):
        path = _sqlite_file(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
    app = Celery("talentmatch", broker=settings.broker_url, backend=settings.result_backend)
    app.conf.update(
        include=["tasks.matching"],
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        enable_utc=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_transport_options=_transport_options(settings.broker_url, settings.visibility_timeout),
        worker_hijack_root_logger=True,
        beat_schedule={
            "rematch-all": {"task": REMATCH_ALL, "schedule": schedule_from(settings.rematch_schedule)},
        },
    )
    return app


app = make_app()
