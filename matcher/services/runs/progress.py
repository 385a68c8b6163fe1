"""A run's progress and outcomes, recounted from its requirement rows.

Functions take the caller's ``session`` and never commit (a recount's update rides on the
caller's transaction); recounting is idempotent, so any number of readers and workers may do it."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import Session

from matcher.errors import NotFound
from matcher.models import RunStatus, utcnow
from matcher.models.tables import MRR, REQ, RUN
from matcher.services.runs.rows import UNFINISHED, aware


@dataclass(frozen=True)
class RunProgress:
    id: uuid.UUID
    status: RunStatus
    trigger: str
    requested_by: str
    client_id: uuid.UUID | None
    total: int
    processed: int
    failed: int
    entered: int
    left: int
    moved: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str | None

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.succeeded, RunStatus.failed)

    @property
    def fraction(self) -> float:
        return self.processed / self.total if self.total else 1.0


def refresh_run(session: Session, run_id: uuid.UUID) -> None:
    """Recount the finished requirements, and mark the run finished when none is left.

    The counts only grow (a late, stale recount never lowers them) and only an unfinished run
    is finished, so any number of workers and readers may call this at once.
    """
    counts = dict(
        session.execute(
            select(MRR.c.status, func.count()).where(MRR.c.run_id == run_id).group_by(MRR.c.status)
        ).all()
    )
    failed = counts.get(RunStatus.failed.value, 0)
    done = failed + counts.get(RunStatus.succeeded.value, 0)
    session.execute(
        update(RUN).where(RUN.c.id == run_id, RUN.c.processed < done).values(processed=done, failed=failed)
    )
    if any(counts.get(s, 0) for s in UNFINISHED):
        return
    now = utcnow()
    session.execute(
        update(RUN)
        .where(RUN.c.id == run_id, RUN.c.status.in_(UNFINISHED))
        .values(
            status=RunStatus.failed.value if failed else RunStatus.succeeded.value,
            error=f"{failed} of {done} requirements failed" if failed else None,
            started_at=func.coalesce(RUN.c.started_at, now),
            finished_at=now,
        )
    )


def _progress(session: Session, run_row: Any) -> RunProgress:
    sums = session.execute(
        select(
            func.coalesce(func.sum(MRR.c.entered), 0),
            func.coalesce(func.sum(MRR.c.left), 0),
            func.coalesce(func.sum(MRR.c.moved), 0),
        ).where(MRR.c.run_id == run_row.id)
    ).one()
    return RunProgress(
        id=run_row.id,
        status=RunStatus(run_row.status),
        trigger=run_row.trigger,
        requested_by=run_row.requested_by,
        client_id=run_row.client_id,
        total=run_row.total,
        processed=run_row.processed,
        failed=run_row.failed,
        entered=int(sums[0]),
        left=int(sums[1]),
        moved=int(sums[2]),
        created_at=aware(run_row.created_at),
        started_at=run_row.started_at and aware(run_row.started_at),
        finished_at=run_row.finished_at and aware(run_row.finished_at),
        error=run_row.error,
    )


def get_progress(session: Session, run_id: uuid.UUID) -> RunProgress:
    """A run's progress, recounted first (the caller's transaction carries the update)."""
    refresh_run(session, run_id)
    row = session.execute(select(RUN).where(RUN.c.id == run_id)).first()
    if row is None:
        raise NotFound(f"match run {run_id} not found")
    return _progress(session, row)


def list_runs(session: Session, *, limit: int = 20, client_id: uuid.UUID | None = None) -> list[RunProgress]:
    """The latest runs first (of one client's requirements if ``client_id``)."""
    query = select(RUN.c.id, RUN.c.status).order_by(RUN.c.created_at.desc(), RUN.c.id).limit(limit)
    if client_id is not None:
        query = query.where(RUN.c.client_id == client_id)
    ids = session.execute(query).all()
    return [
        get_progress(session, rid) if status in UNFINISHED else _by_id(session, rid) for rid, status in ids
    ]


def _by_id(session: Session, run_id: uuid.UUID) -> RunProgress:
    return _progress(session, session.execute(select(RUN).where(RUN.c.id == run_id)).one())


@dataclass(frozen=True)
class RequirementOutcome:
    requirement_id: uuid.UUID
    external_id: str
    title: str
    status: RunStatus
    attempts: int
    eligible: int
    entered: int
    left: int
    moved: int
    duration_ms: float
    timings: dict[str, float]
    error: str | None
    finished_at: dt.datetime | None


def run_outcomes(session: Session, run_id: uuid.UUID) -> list[RequirementOutcome]:
    """What the run did to each requirement, in the order they were queued."""
    rows = session.execute(
        select(MRR, REQ.c.external_id, REQ.c.title)
        .join(REQ, REQ.c.id == MRR.c.requirement_id)
        .where(MRR.c.run_id == run_id)
        .order_by(MRR.c.id)
    )
    return [
        RequirementOutcome(
            requirement_id=r.requirement_id,
            external_id=r.external_id,
            title=r.title,
            status=RunStatus(r.status),
            attempts=r.attempts,
            eligible=r.eligible,
            entered=r.entered,
            left=r.left,
            moved=r.moved,
            duration_ms=r.duration_ms,
            timings=dict(r.timings),
            error=r.error,
            finished_at=r.finished_at,
        )
        for r in rows
    ]


def outstanding(session: Session, run_id: uuid.UUID) -> list[uuid.UUID]:
    """Requirements of the run not finished yet, in queue order."""
    return list(
        session.scalars(
            select(MRR.c.requirement_id)
            .where(MRR.c.run_id == run_id, MRR.c.status.in_(UNFINISHED))
            .order_by(MRR.c.id)
        )
    )
