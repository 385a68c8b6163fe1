"""The tables and statuses every module of a run reads (no functions that touch the database)."""

from __future__ import annotations

import datetime as dt

from matcher.models import RunStatus

UNFINISHED = (RunStatus.queued.value, RunStatus.running.value)
FINISHED = (RunStatus.succeeded.value, RunStatus.failed.value)


def aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
