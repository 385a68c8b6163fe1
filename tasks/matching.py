"""Re-matching tasks. Both are idempotent; see ``matcher.services.runs`` for the guarantees."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from sqlalchemy.exc import OperationalError

from matcher.dispatch import REMATCH_ALL, REMATCH_CHUNK
from matcher.observability import logs, metrics
from matcher.services import runs
from matcher.settings import get_settings
from tasks.app import app
from tasks.worker import worker_runtime


@app.task(
    name=REMATCH_CHUNK,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=get_settings().task_max_retries,
    ignore_result=True,
)
def rematch_chunk(run_id: str, requirement_ids: list[str]) -> dict[str, Any]:
    """Match one chunk of a run's requirements."""
    with logs.bound(logs.run_id, run_id), metrics.chunk_timer():
        report = runs.run_chunk(worker_runtime(), uuid.UUID(run_id), [uuid.UUID(r) for r in requirement_ids])
    return asdict(report)


@app.task(name=REMATCH_ALL, ignore_result=True)
def rematch_all() -> str:
    """The scheduled full re-match: every open requirement."""
    with worker_runtime().session_scope() as session:
        run = runs.start_run(session, trigger="schedule")
        return str(run.id)
