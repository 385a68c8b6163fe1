"""Recovery: re-dispatch the work of runs that stopped moving (lost messages, dead workers).

``recover_stalled_runs`` takes the caller's ``session`` and never commits; its dispatches happen
after the caller commits, and one sweeper wins each run."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from sqlalchemy import func, select, update
from sqlmodel import Session

from matcher.models import RunStatus, utcnow
from matcher.models.tables import MRR, RUN
from matcher.runtime import runtime_of
from matcher.services.runs.claims import claimer_gone, worker_id
from matcher.services.runs.dispatch import Dispatch, chunked, send_chunks
from matcher.services.runs.progress import refresh_run
from matcher.services.runs.rows import UNFINISHED, aware

log = logging.getLogger(__name__)


def _dead_local_claimers(session: Session, run_id: uuid.UUID) -> list[str]:
    """Claimers of the run's running requirements that were processes of this host and are
    gone: their claims are lost now, without waiting for their heartbeat to go stale."""
    claimers = session.scalars(
        select(MRR.c.claimed_by)
        .where(MRR.c.run_id == run_id, MRR.c.status == RunStatus.running.value, MRR.c.claimed_by.is_not(None))
        .distinct()
    )
    me = worker_id()
    return [c for c in claimers if c != me and claimer_gone(c, me)]


def recover_stalled_runs(
    session: Session, *, dispatch: Dispatch | None = None, now: dt.datetime | None = None
) -> list[uuid.UUID]:
    """Re-dispatch the work of runs that stopped moving; the ids of the runs re-dispatched.

    A run is looked at when nothing was dispatched for it within ``claim_timeout``. Its
    requirements held by a claim older than that are re-dispatched; its queued ones too if no
    requirement of the run was claimed or finished within that time (their messages may be
    gone). Dispatches happen after the caller commits; one sweeper wins each run.
    """
    settings = runtime_of(session).settings
    now = now or utcnow()
    stale = now - dt.timedelta(seconds=settings.claim_timeout)
    recovered = []
    runs = session.execute(
        select(RUN.c.id, RUN.c.dispatched_at).where(
            RUN.c.status.in_(UNFINISHED), (RUN.c.dispatched_at.is_(None)) | (RUN.c.dispatched_at < stale)
        )
    ).all()
    for run_id, dispatched_at in runs:
        last_claim, last_finish = session.execute(
            select(func.max(MRR.c.claimed_at), func.max(MRR.c.finished_at)).where(MRR.c.run_id == run_id)
        ).one()
        quiet = all(t is None or aware(t) < stale for t in (last_claim, last_finish))
        dead = _dead_local_claimers(session, run_id)
        lost = (MRR.c.status == RunStatus.running.value) & (
            (MRR.c.claimed_at < stale) | MRR.c.claimed_by.in_(dead)
        )
        if quiet:
            lost = lost | (MRR.c.status == RunStatus.queued.value)
        todo = list(
            session.scalars(
                select(MRR.c.requirement_id).where(MRR.c.run_id == run_id, lost).order_by(MRR.c.id)
            )
        )
        if not todo:
            refresh_run(session, run_id)
            continue
        won = session.execute(
            update(RUN)
            .where(RUN.c.id == run_id, RUN.c.dispatched_at.is_not_distinct_from(dispatched_at))
            .values(dispatched_at=now)
        )
        if won.rowcount != 1:  # type: ignore[attr-defined]
            continue
        log.warning("re-dispatching %d stalled requirement(s) of run %s", len(todo), run_id)
        send_chunks(session, dispatch, run_id, chunked(todo, settings.rematch_chunk_size))
        recovered.append(run_id)
    return recovered
