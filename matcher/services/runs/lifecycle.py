"""Starting and cancelling runs.

Functions take the caller's ``session`` and never commit: a run is created in the caller's
transaction, and its chunks are dispatched only once that transaction commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import insert, select, update
from sqlmodel import Session

from matcher.errors import NotFound
from matcher.models import MatchRun, RunStatus, utcnow
from matcher.models.tables import MRR, REQ, RUN
from matcher.runtime import runtime_of
from matcher.schemas import RequirementStatus, Track
from matcher.services.runs.dispatch import Dispatch, chunked, send_chunks
from matcher.services.runs.progress import refresh_run
from matcher.services.runs.rows import UNFINISHED
from matcher.services.weight_profiles import store as profiles


def open_requirement_ids(
    session: Session, *, client_id: uuid.UUID | None = None, tracks: Sequence[Track] | None = None
) -> list[uuid.UUID]:
    query = select(REQ.c.id).where(REQ.c.status == RequirementStatus.open.value)
    if client_id is not None:
        query = query.where(REQ.c.client_id == client_id)
    if tracks is not None:
        query = query.where(REQ.c.track.in_([t.value for t in tracks]))
    return list(session.scalars(query.order_by(REQ.c.created_at, REQ.c.id)))


def _existing(session: Session, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    for i in range(0, len(ids), 1000):
        found.update(session.scalars(select(REQ.c.id).where(REQ.c.id.in_(ids[i : i + 1000]))))
    return found


def start_run(
    session: Session,
    requirement_ids: Sequence[uuid.UUID] | None = None,
    *,
    trigger: str = "manual",
    requested_by: str = "system",
    client_id: uuid.UUID | None = None,
    dispatch: Dispatch | None = None,
    chunk_size: int | None = None,
) -> MatchRun:
    """Create a run over ``requirement_ids`` (default: every open requirement, of ``client_id``
    if given) in the caller's transaction; its chunks are dispatched after the commit, through
    ``dispatch`` or else the dispatcher of the session's runtime, in chunks of ``chunk_size``
    (default: the runtime's settings).

    Each requirement's weight profile is pinned now (its effective profile row), so a profile
    changed mid-run does not mix versions within the run. A run with nothing to do is created
    already succeeded.
    """
    settings = runtime_of(session).settings
    ids = _requirements_of_run(session, requirement_ids, client_id)
    now = utcnow()
    run = MatchRun(
        trigger=trigger,
        requested_by=requested_by,
        client_id=client_id,
        total=len(ids),
        dispatched_at=now,
    )
    if not ids:
        run.status, run.started_at, run.finished_at = RunStatus.succeeded, now, now
    session.add(run)
    session.flush()
    if ids:
        _queue(session, run.id, ids)
        send_chunks(session, dispatch, run.id, chunked(ids, chunk_size or settings.rematch_chunk_size))
    return run


def _requirements_of_run(
    session: Session, requirement_ids: Sequence[uuid.UUID] | None, client_id: uuid.UUID | None
) -> list[uuid.UUID]:
    """The requirements a run covers: those given (each must exist), else every open one."""
    if requirement_ids is None:
        return open_requirement_ids(session, client_id=client_id)
    ids = list(dict.fromkeys(requirement_ids))
    found = _existing(session, ids)
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"requirement {missing[0]} not found")
    return ids


def _queue(session: Session, run_id: uuid.UUID, ids: list[uuid.UUID]) -> None:
    """One queued row per requirement, its weight profile pinned; clear the re-match errors
    this run makes good."""
    profile_ids = profiles.effective_profile_ids(session, ids)
    blank = {"eligible": 0, "entered": 0, "left": 0, "moved": 0, "changes": [], "duration_ms": 0.0}
    session.execute(
        insert(MRR),
        [
            {
                "run_id": run_id,
                "requirement_id": rid,
                "status": RunStatus.queued.value,
                "weight_profile_id": profile_ids[rid],
                "attempts": 0,
                "timings": {},
                **blank,
            }
            for rid in ids
        ],
    )
    session.execute(  # this run is the re-match a failed trigger owed them
        update(REQ)
        .where(
            REQ.c.rematch_error.is_not(None),
            REQ.c.id.in_(select(MRR.c.requirement_id).where(MRR.c.run_id == run_id)),
        )
        .values(rematch_error=None, rematch_failed_at=None)
    )


def cancel_run(session: Session, run_id: uuid.UUID, *, reason: str = "cancelled") -> None:
    """Stop a run: its unfinished requirements are marked failed (a worker holding one writes
    nothing: its fenced final update no longer matches) and the run finishes as failed."""
    if session.execute(select(RUN.c.id).where(RUN.c.id == run_id)).first() is None:
        raise NotFound(f"match run {run_id} not found")
    session.execute(
        update(MRR)
        .where(MRR.c.run_id == run_id, MRR.c.status.in_(UNFINISHED))
        .values(status=RunStatus.failed.value, error=reason[:2000], finished_at=utcnow())
    )
    refresh_run(session, run_id)
