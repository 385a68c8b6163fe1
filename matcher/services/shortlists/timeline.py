"""Reading the pipeline: an entry's status and history (its timeline), a candidate's entries
across requirements, and stage counts. Functions take the caller's session and never write."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, or_, select
from sqlmodel import Session

from matcher.core.pipeline import (
    DeclineReason,
    Stage,
)
from matcher.errors import NotFound
from matcher.models import (
    EntryState,
    EventKind,
    Role,
)
from matcher.models.tables import CLIENT, ENTRY, EVENT, REQ
from matcher.services.accounts.service import Principal
from matcher.services.cursors import UtcDateTime
from matcher.services.requirements.service import owned_requirement

# --- views ------------------------------------------------------------------------------------


class EventView(BaseModel):
    """One line of an entry's history (staff)."""

    at: UtcDateTime
    actor: str
    kind: EventKind
    from_stage: Stage | None
    to_stage: Stage | None
    reason: str | None
    text: str
    score_before: float | None
    score_after: float | None
    rank_before: int | None
    rank_after: int | None
    state: EntryState | None
    match_run_id: uuid.UUID | None


class EntryStatus(BaseModel):
    """Where one (requirement, candidate) stands in the pipeline (staff)."""

    requirement_id: uuid.UUID
    candidate_id: uuid.UUID
    handle: str
    stage: Stage
    state: EntryState
    rank: int | None
    score: float
    current_reason: str | None = Field(
        description="Why the candidate is not in the current top N (the first exclusion when "
        "ineligible), from the latest run."
    )
    stage_changed_at: UtcDateTime | None
    stage_changed_by: str | None
    presented_at: UtcDateTime | None
    note_for_client: str
    decline_reason: DeclineReason | None
    decline_comment: str
    client_answered_at: UtcDateTime | None


class Timeline(BaseModel):
    entry: EntryStatus
    events: list[EventView]


class CandidatePipeline(BaseModel):
    """One requirement a candidate is on, with its stage and history (staff)."""

    requirement_id: uuid.UUID
    requirement_title: str
    client: str
    entry: EntryStatus
    events: list[EventView]


# --- reading ----------------------------------------------------------------------------------

STATUS_COLUMNS = (
    ENTRY.c.requirement_id,
    ENTRY.c.candidate_id,
    ENTRY.c.handle,
    ENTRY.c.stage,
    ENTRY.c.state,
    ENTRY.c.rank,
    ENTRY.c.score,
    ENTRY.c.reasons,
    ENTRY.c.stage_changed_at,
    ENTRY.c.stage_changed_by,
    ENTRY.c.presented_at,
    ENTRY.c.client_note,
    ENTRY.c.decline_reason,
    ENTRY.c.decline_comment,
    ENTRY.c.client_answered_at,
)


def current_reason(state: str, reasons: list[str]) -> str | None:
    """What to show beside a candidate outside the top N: an ineligible entry's first exclusion
    (its reasons start with them), or that it fell out of the top N."""
    if state in (EntryState.ineligible.value, EntryState.erased.value):
        return reasons[0] if reasons else state
    if state == EntryState.dropped.value:
        return "outside the current top N"
    return None


def entry_status(r: Any) -> EntryStatus:
    return EntryStatus(
        requirement_id=r.requirement_id,
        candidate_id=r.candidate_id,
        handle=r.handle,
        stage=Stage(r.stage),
        state=EntryState(r.state),
        rank=r.rank,
        score=r.score,
        current_reason=current_reason(r.state, list(r.reasons or [])),
        stage_changed_at=r.stage_changed_at,
        stage_changed_by=r.stage_changed_by,
        presented_at=r.presented_at,
        note_for_client=r.client_note,
        decline_reason=DeclineReason(r.decline_reason) if r.decline_reason else None,
        decline_comment=r.decline_comment,
        client_answered_at=r.client_answered_at,
    )


def _event(r: Any) -> EventView:
    return EventView(
        at=r.at,
        actor=r.actor,
        kind=EventKind(r.kind),
        from_stage=Stage(r.from_stage) if r.from_stage else None,
        to_stage=Stage(r.to_stage) if r.to_stage else None,
        reason=r.reason,
        text=r.text,
        score_before=r.score_before,
        score_after=r.score_after,
        rank_before=r.rank_before,
        rank_after=r.rank_after,
        state=EntryState(r.state) if r.state else None,
        match_run_id=r.match_run_id,
    )


def entry_events(session: Session, requirement_id: uuid.UUID, candidate_id: uuid.UUID) -> list[EventView]:
    rows = session.execute(
        select(EVENT)
        .where(EVENT.c.requirement_id == requirement_id, EVENT.c.candidate_id == candidate_id)
        .order_by(EVENT.c.id)
    )
    return [_event(r) for r in rows]


def entry_row(session: Session, requirement_id: uuid.UUID, candidate_id: uuid.UUID) -> Any:
    row = session.execute(
        select(*STATUS_COLUMNS).where(
            ENTRY.c.requirement_id == requirement_id, ENTRY.c.candidate_id == candidate_id
        )
    ).first()
    if row is None:
        raise NotFound(f"candidate {candidate_id} is not on the shortlist of requirement {requirement_id}")
    return row


def timeline(
    session: Session, principal: Principal, requirement_id: uuid.UUID, candidate_id: uuid.UUID
) -> Timeline:
    """Where one entry stands and everything that happened to it, oldest first (staff)."""
    principal.require(Role.recruiter)
    req = owned_requirement(session, principal, requirement_id)
    entry = entry_status(entry_row(session, req.id, candidate_id))
    return Timeline(entry=entry, events=entry_events(session, req.id, candidate_id))


def candidate_pipelines(
    session: Session, principal: Principal, candidate_id: uuid.UUID
) -> list[CandidatePipeline]:
    """Every requirement the candidate is on, with stage and history (staff): pipeline stages
    first, then by score."""
    principal.require(Role.recruiter)
    rows = session.execute(
        select(*STATUS_COLUMNS, REQ.c.title, CLIENT.c.slug)
        .join(REQ, REQ.c.id == ENTRY.c.requirement_id)
        .join(CLIENT, CLIENT.c.id == REQ.c.client_id)
        .where(ENTRY.c.candidate_id == candidate_id)
        .order_by(ENTRY.c.score.desc(), REQ.c.title)
    ).all()
    events: dict[uuid.UUID, list[EventView]] = defaultdict(list)
    for r in session.execute(select(EVENT).where(EVENT.c.candidate_id == candidate_id).order_by(EVENT.c.id)):
        events[r.requirement_id].append(_event(r))
    out = [
        CandidatePipeline(
            requirement_id=r.requirement_id,
            requirement_title=r.title,
            client=r.slug,
            entry=entry_status(r),
            events=events[r.requirement_id],
        )
        for r in rows
    ]
    return sorted(out, key=lambda p: p.entry.stage is Stage.new or p.entry.stage is Stage.rejected)


def stage_counts(session: Session, requirement_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[Stage, int]]:
    """Per requirement, how many entries are at each stage (entries at "new" only while in the
    current top N: the others are history, not work)."""
    ids = list(requirement_ids)
    out: dict[uuid.UUID, dict[Stage, int]] = {rid: {} for rid in ids}
    if not ids:
        return out
    rows = session.execute(
        select(ENTRY.c.requirement_id, ENTRY.c.stage, func.count())
        .where(
            ENTRY.c.requirement_id.in_(ids),
            or_(ENTRY.c.stage != Stage.new.value, ENTRY.c.state == EntryState.active.value),
        )
        .group_by(ENTRY.c.requirement_id, ENTRY.c.stage)
    )
    for rid, stage, count in rows:
        out[rid][Stage(stage)] = count
    return out
