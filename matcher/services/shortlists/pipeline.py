"""The staffing pipeline over the database: moving candidates through stages, presenting them
to the client, the client's answers, notes, every entry's history and what needs attention.

Every change goes through ``matcher.core.pipeline`` (the state machine) before anything is
written, and is recorded as a ``PipelineEvent`` with who and when in the caller's transaction.
Recruiters and admins act on entries by candidate id; a client acts only on the cards presented
to it, by their anonymous handle, on its own requirements (anything else is a 404, as if it did
not exist).
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter
from sqlalchemy import select
from sqlmodel import Session

from matcher.core.pipeline import (
    CLIENT_STAGES,
    DeclineReason,
    InvalidMove,
    Move,
    Mover,
    Stage,
    check_move,
    check_present,
)
from matcher.errors import Conflict, NotFound
from matcher.json_types import NoNul
from matcher.models import (
    EntryState,
    EventKind,
    PipelineEvent,
    Role,
    ShortlistEntry,
    utcnow,
)
from matcher.models.tables import ENTRY
from matcher.services.accounts.service import Principal
from matcher.services.audit import record
from matcher.services.decisions.log import record_move
from matcher.services.requirements.service import owned_requirement
from matcher.services.shortlists import fragments
from matcher.services.shortlists.attention import AttentionItem, AttentionKind, attention
from matcher.services.shortlists.timeline import (
    CandidatePipeline,
    EntryStatus,
    EventView,
    Timeline,
    candidate_pipelines,
    current_reason,
    stage_counts,
    timeline,
)

__all__ = [
    "AttentionItem",
    "AttentionKind",
    "CandidatePipeline",
    "ClientAction",
    "ClientAnswer",
    "Decline",
    "EntryStatus",
    "EventView",
    "PositiveAnswer",
    "Presentation",
    "StageChange",
    "Timeline",
    "answer",
    "attention",
    "candidate_pipelines",
    "change_entry",
    "current_reason",
    "present",
    "stage_counts",
    "timeline",
]


# --- requests ---------------------------------------------------------------------------------


class StageChange(NoNul):
    """A recruiter's move of one entry, and/or a note added to its history."""

    model_config = {"extra": "forbid"}

    stage: Stage | None = Field(
        default=None,
        description="The new stage (presenting is POST .../present). A decline recorded for the "
        "client needs decline_reason.",
    )
    decline_reason: DeclineReason | None = None
    decline_comment: str = Field(default="", max_length=1_000)
    note: str | None = Field(
        default=None, min_length=1, max_length=10_000, description="A note added to the history."
    )


class Presentation(NoNul):
    """Presenting a candidate to the requirement's client, with a note written for the client."""

    model_config = {"extra": "forbid"}

    note_for_client: str = Field(default="", max_length=2_000)


class ClientAction(StrEnum):
    interested = "interested"
    interview = "interview"
    decline = "decline"


_ACTION_STAGE = {
    ClientAction.interested: Stage.client_interested,
    ClientAction.interview: Stage.interview_requested,
    ClientAction.decline: Stage.declined_by_client,
}


class PositiveAnswer(NoNul):
    """The client is interested, or asks for an interview."""

    model_config = {"extra": "forbid"}

    action: Literal[ClientAction.interested, ClientAction.interview]
    comment: str = Field(default="", max_length=1_000)


class Decline(NoNul):
    """The client declines, with a reason from the list and optional free text."""

    model_config = {"extra": "forbid"}

    action: Literal[ClientAction.decline]
    reason: DeclineReason
    comment: str = Field(default="", max_length=1_000)


#: The client's answer on one presented candidate (the schema says a decline needs its reason).
ClientAnswer = Annotated[PositiveAnswer | Decline, Field(discriminator="action")]
CLIENT_ANSWER: TypeAdapter[PositiveAnswer | Decline] = TypeAdapter(ClientAnswer)


# --- changing ---------------------------------------------------------------------------------


def _locked_entry(session: Session, requirement_id: uuid.UUID, *where: Any) -> ShortlistEntry:
    query = select(ShortlistEntry).where(ShortlistEntry.requirement_id == requirement_id, *where)  # type: ignore[arg-type]
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    entry = session.scalars(query).first()
    if entry is None:
        raise NotFound(f"no such candidate on the shortlist of requirement {requirement_id}")
    return entry


def _add_event(
    session: Session, entry: ShortlistEntry, actor: str, kind: EventKind, at: dt.datetime, **values: Any
) -> None:
    session.add(
        PipelineEvent(
            requirement_id=entry.requirement_id,
            candidate_id=entry.candidate_id,
            at=at,
            actor=actor,
            kind=kind,
            **values,
        )
    )


def _move(
    session: Session,
    entry: ShortlistEntry,
    actor: str,
    kind: EventKind,
    move: Move,
    at: dt.datetime,
    text: str,
) -> None:
    """Apply a checked move to the entry and record it as one event (with its reason, if any),
    and as a decision with the candidate's snapshot (``matcher.services.decisions.log``)."""
    record_move(session, entry, actor, move, at)
    _add_event(
        session,
        entry,
        actor,
        kind,
        at,
        from_stage=move.before.value,
        to_stage=move.after.value,
        reason=move.reason.value if move.reason else None,
        text=text,
    )
    entry.stage = move.after
    entry.stage_changed_at, entry.stage_changed_by = at, actor


def _conflict(exc: InvalidMove) -> Conflict:
    return Conflict(str(exc))


def change_entry(
    session: Session,
    principal: Principal,
    requirement_id: uuid.UUID,
    candidate_id: uuid.UUID,
    change: StageChange,
) -> Timeline:
    """Move one entry to another stage and/or add a note (recruiters and admins). A move the
    pipeline does not allow is a 409 saying which moves are."""
    principal.require(Role.recruiter)
    req = owned_requirement(session, principal, requirement_id)
    entry = _locked_entry(session, req.id, ShortlistEntry.candidate_id == candidate_id)
    if change.stage is None and (change.decline_reason is not None or change.decline_comment):
        raise Conflict("a decline reason or comment goes with the stage declined_by_client")
    if change.stage is None and change.note is None:
        return timeline(session, principal, req.id, candidate_id)  # nothing to change
    now = utcnow()
    if change.stage is not None:
        try:
            move = check_move(Stage(entry.stage), change.stage, Mover.recruiter, change.decline_reason)
        except InvalidMove as exc:
            raise _conflict(exc) from None
        if move.after is Stage.declined_by_client:
            entry.decline_reason = move.reason
            entry.decline_comment = change.decline_comment
        comment = change.decline_comment if move.after is Stage.declined_by_client else ""
        _move(session, entry, principal.actor, EventKind.stage, move, now, comment)
    if change.note is not None:
        _add_event(session, entry, principal.actor, EventKind.note, now, text=change.note)
    entry.staff_seen_at = now
    details = {"candidate_id": str(candidate_id), "stage": change.stage, "note": change.note is not None}
    _save(session, principal, entry, now, "pipeline.change", details)
    return timeline(session, principal, req.id, candidate_id)


def present(
    session: Session,
    principal: Principal,
    requirement_id: uuid.UUID,
    candidate_id: uuid.UUID,
    presentation: Presentation,
) -> Timeline:
    """Present one candidate to the requirement's client (recruiters and admins)."""
    principal.require(Role.recruiter)
    req = owned_requirement(session, principal, requirement_id)
    entry = _locked_entry(session, req.id, ShortlistEntry.candidate_id == candidate_id)
    if entry.state == EntryState.erased:
        raise Conflict("this candidate's data was erased; they cannot be presented")
    try:
        move = check_present(Stage(entry.stage), Mover.recruiter)
    except InvalidMove as exc:
        raise _conflict(exc) from None
    now = utcnow()
    _move(session, entry, principal.actor, EventKind.presented, move, now, presentation.note_for_client)
    entry.presented_at = now
    entry.client_note = presentation.note_for_client
    entry.decline_reason, entry.decline_comment, entry.client_answered_at = None, "", None
    entry.staff_seen_at = now
    _save(session, principal, entry, now, "pipeline.present", {"candidate_id": str(candidate_id)})
    return timeline(session, principal, req.id, candidate_id)


def answer(
    session: Session,
    principal: Principal,
    requirement_id: uuid.UUID,
    handle: str,
    reply: PositiveAnswer | Decline,
) -> ShortlistEntry:
    """The client's answer on a presented card, by its handle (a client on its own requirements;
    staff may record it for the client). A handle that is not presented is a 404 to a client."""
    req = owned_requirement(session, principal, requirement_id)
    entry = _locked_entry(
        session,
        req.id,
        ShortlistEntry.handle == handle,
        ShortlistEntry.stage.in_([s.value for s in CLIENT_STAGES]),  # type: ignore[attr-defined]
        ShortlistEntry.state != EntryState.erased.value,
    )
    by = Mover.client if principal.is_client else Mover.recruiter
    target = _ACTION_STAGE[reply.action]
    try:
        move = check_move(
            Stage(entry.stage), target, by, reply.reason if isinstance(reply, Decline) else None
        )
    except InvalidMove as exc:
        raise _conflict(exc) from None
    now = utcnow()
    _move(session, entry, principal.actor, EventKind.client, move, now, reply.comment)
    if move.after is Stage.declined_by_client:
        entry.decline_reason, entry.decline_comment = move.reason, reply.comment
    if by is Mover.client:
        entry.client_answered_at = now
    else:
        entry.staff_seen_at = now
    _save(session, principal, entry, now, "pipeline.answer", {"handle": handle, "stage": move.after.value})
    return entry


def _save(
    session: Session,
    principal: Principal,
    entry: ShortlistEntry,
    now: dt.datetime,
    action: str,
    details: dict[str, Any],
) -> None:
    """Write a moved entry, serialise it again for the pages (``fragments``) and audit the move
    on its requirement."""
    entry.updated_at = now
    session.add(entry)
    session.flush()
    fragments.refresh(session, ENTRY.c.id == entry.id)
    record(session, principal.actor, action, "requirement", str(entry.requirement_id), details)
