"""Match runs as the API shows them, with object-level authorization over ``runs``.

A client may read a run when it is its account's run (``MatchRun.client_id``) or when every
requirement in it is the client's (the run a client's own requirement change started). Any
other run answers "not found", like an id that does not exist. Starting runs is for staff.
"""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field
from sqlalchemy import and_, exists, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from matcher.errors import Conflict, NotFound
from matcher.json_types import NoNul
from matcher.models import Client, MatchRun, MatchRunRequirement, Requirement, Role, RunStatus
from matcher.schemas import RequirementStatus
from matcher.services import runs
from matcher.services.accounts.service import Principal
from matcher.services.cursors import UtcDateTime, check_limit


class RunView(BaseModel):
    id: uuid.UUID
    status: RunStatus
    trigger: str
    requested_by: str | None = Field(description="The key that started it; staff only, null for client keys.")
    total: int
    processed: int
    failed: int
    fraction: float = Field(description="processed / total (1.0 for an empty run).")
    entered: int
    left: int
    moved: int
    created_at: UtcDateTime
    started_at: UtcDateTime | None
    finished_at: UtcDateTime | None
    error: str | None
    rematch_pending: bool = Field(
        default=False,
        description="This run is waiting: the task queue cannot be "
        "reached. The write is saved; the re-match is dispatched as soon as the queue is back.",
    )


class RunRequest(NoNul):
    """What to re-match: the given requirements, or every open requirement (of ``client``)."""

    model_config = {"extra": "forbid"}

    requirement_ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=10_000)
    client: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="Only this client account's open requirements (when requirement_ids is left out).",
    )


def _view(progress: runs.RunProgress, principal: Principal) -> RunView:
    return RunView(
        id=progress.id,
        status=progress.status,
        trigger=progress.trigger,
        requested_by=None if principal.is_client else progress.requested_by,
        total=progress.total,
        processed=progress.processed,
        failed=progress.failed,
        fraction=progress.fraction,
        entered=progress.entered,
        left=progress.left,
        moved=progress.moved,
        created_at=progress.created_at,
        started_at=progress.started_at,
        finished_at=progress.finished_at,
        error=progress.error,
    )


def client_may_see(client_id: uuid.UUID | None) -> object:
    """SQL: the run is the client's own, or all its requirements are the client's. (Aliased
    tables, so it also works inside a query that joins ``match_run_requirement`` itself.)"""
    mrr, req = aliased(MatchRunRequirement), aliased(Requirement)
    foreign = exists().where(
        col(mrr.run_id) == col(MatchRun.id),
        col(mrr.requirement_id) == col(req.id),
        col(req.client_id) != client_id,
    )
    mine = exists().where(col(mrr.run_id) == col(MatchRun.id))
    return or_(col(MatchRun.client_id) == client_id, and_(col(MatchRun.client_id).is_(None), mine, ~foreign))


def _visible_ids(
    session: Session, principal: Principal, limit: int, run_id: uuid.UUID | None
) -> list[uuid.UUID]:
    query = select(MatchRun.id)
    if run_id is not None:
        query = query.where(MatchRun.id == run_id)
    if principal.is_client:
        query = query.where(client_may_see(principal.client_id))  # type: ignore[arg-type]
    return list(session.exec(query.order_by(col(MatchRun.created_at).desc(), col(MatchRun.id)).limit(limit)))


def get_run(session: Session, principal: Principal, run_id: uuid.UUID) -> RunView:
    """A run's progress (recounted), if the caller may see it."""
    if not _visible_ids(session, principal, 1, run_id):
        raise NotFound(f"no match run {run_id}")
    return _view(runs.get_progress(session, run_id), principal)


def visible_runs(session: Session, principal: Principal, *, limit: int = 20) -> list[RunView]:
    """The latest runs the caller may see, newest first."""
    check_limit(limit)
    return [
        _view(runs.get_progress(session, rid), principal)
        for rid in _visible_ids(session, principal, limit, None)
    ]


def _only_open(session: Session, requirement_ids: list[uuid.UUID]) -> None:
    """Only open requirements are re-matched on request (a closed or paused one keeps its
    shortlist as it was); ids that do not exist are left to ``start_run`` (not found)."""
    statuses = session.exec(
        select(Requirement.id, Requirement.status).where(col(Requirement.id).in_(requirement_ids))
    ).all()
    for requirement_id, status in sorted(statuses, key=lambda row: requirement_ids.index(row[0])):
        if RequirementStatus(status) is not RequirementStatus.open:
            raise Conflict(
                f"requirement {requirement_id} is {RequirementStatus(status).value}; "
                "only open requirements are matched"
            )


def request_run(session: Session, principal: Principal, request: RunRequest) -> RunView:
    """Start a re-match (staff) of open requirements; it is dispatched to the workers when the
    request commits."""
    principal.require(Role.recruiter)
    if request.requirement_ids is not None:
        _only_open(session, request.requirement_ids)
    client_id = None
    if request.client is not None:
        client = session.exec(select(Client).where(Client.slug == request.client)).first()
        if client is None:
            raise NotFound(f"no client account {request.client!r}")
        client_id = client.id
    run = runs.start_run(
        session, request.requirement_ids, trigger="manual", requested_by=principal.actor, client_id=client_id
    )
    view = _view(runs.get_progress(session, run.id), principal)
    return view.model_copy(update={"rematch_pending": runs.rematch_pending(session)})
