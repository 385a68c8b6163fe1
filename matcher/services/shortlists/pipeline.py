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
from collections import defaultdict
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter
from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from matcher.core.pipeline import (
    CLIENT_STAGES,
    PIPELINE_STAGES,
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
    CandidatePersonal,
    Client,
    EntryState,
    EventKind,
    MatchRunRequirement,
    PipelineEvent,
    Requirement,
    Role,
    ShortlistEntry,
    utcnow,
)
from matcher.schemas import RequirementStatus
from matcher.services.accounts.service import Principal
from matcher.services.audit import record
from matcher.services.cursors import UtcDateTime
from matcher.services.requirements.service import owned_requirement

ENTRY = ShortlistEntry.__table__  # type: ignore[attr-defined]
EVENT = PipelineEvent.__table__  # type: ignore[attr-defined]
REQ = Requirement.__table__  # type: ignore[attr-defined]
CLIENT = Client.__table__  # type: ignore[attr-defined]
PERSONAL = CandidatePersonal.__table__  # type: ignore[attr-defined]
MRR = MatchRunRequirement.__table__  # type: ignore[attr-defined]

#: A newcomer at this rank or better, in a requirement's latest run, is worth a recruiter's look.
STRONG_RANK = 5


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


class AttentionKind(StrEnum):
    became_ineligible = "became_ineligible"
    left_top = "left_top"
    strong_entrant = "strong_entrant"
    client_answer = "client_answer"


class AttentionItem(BaseModel):
    kind: AttentionKind
    requirement_id: uuid.UUID
    requirement_title: str
    candidate_id: uuid.UUID
    name: str | None
    stage: Stage
    score: float
    rank: int | None
    detail: str
    since: UtcDateTime | None


# --- reading ----------------------------------------------------------------------------------

_STATUS_COLUMNS = (
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


def _status(r: Any) -> EntryStatus:
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


def _events(session: Session, requirement_id: uuid.UUID, candidate_id: uuid.UUID) -> list[EventView]:
    rows = session.execute(
        select(EVENT)
        .where(EVENT.c.requirement_id == requirement_id, EVENT.c.candidate_id == candidate_id)
        .order_by(EVENT.c.id)
    )
    return [_event(r) for r in rows]


def _entry_row(session: Session, requirement_id: uuid.UUID, candidate_id: uuid.UUID) -> Any:
    row = session.execute(
        select(*_STATUS_COLUMNS).where(
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
    entry = _status(_entry_row(session, req.id, candidate_id))
    return Timeline(entry=entry, events=_events(session, req.id, candidate_id))


def candidate_pipelines(
    session: Session, principal: Principal, candidate_id: uuid.UUID
) -> list[CandidatePipeline]:
    """Every requirement the candidate is on, with stage and history (staff): pipeline stages
    first, then by score."""
    principal.require(Role.recruiter)
    rows = session.execute(
        select(*_STATUS_COLUMNS, REQ.c.title, CLIENT.c.slug)
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
            entry=_status(r),
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
    """Apply a checked move to the entry and record it as one event (with its reason, if any)."""
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
    entry.updated_at = now
    session.add(entry)
    session.flush()
    details = {"candidate_id": str(candidate_id), "stage": change.stage, "note": change.note is not None}
    record(session, principal.actor, "pipeline.change", "requirement", str(req.id), details)
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
    entry.updated_at = now
    session.add(entry)
    session.flush()
    record(
        session,
        principal.actor,
        "pipeline.present",
        "requirement",
        str(req.id),
        {"candidate_id": str(candidate_id)},
    )
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
    entry.updated_at = now
    session.add(entry)
    session.flush()
    record(
        session,
        principal.actor,
        "pipeline.answer",
        "requirement",
        str(req.id),
        {"handle": handle, "stage": move.after.value},
    )
    return entry


# --- attention --------------------------------------------------------------------------------


def attention(
    session: Session, principal: Principal, requirement_id: uuid.UUID | None = None
) -> list[AttentionItem]:
    """What a recruiter should look at (staff), newest first: people in the pipeline who became
    ineligible or fell out of the top N, client answers not acted on since, and strong newcomers
    of each requirement's latest run (not its first)."""
    principal.require(Role.recruiter)
    if requirement_id is not None:
        owned_requirement(session, principal, requirement_id)
    base = (
        select(*_STATUS_COLUMNS, REQ.c.title, PERSONAL.c.name, ENTRY.c.updated_at)
        .join(REQ, REQ.c.id == ENTRY.c.requirement_id)
        .outerjoin(PERSONAL, PERSONAL.c.candidate_id == ENTRY.c.candidate_id)
        .where(REQ.c.status == RequirementStatus.open.value)
    )
    if requirement_id is not None:
        base = base.where(ENTRY.c.requirement_id == requirement_id)
    items: list[AttentionItem] = []
    live = [s.value for s in PIPELINE_STAGES - {Stage.declined_by_client, Stage.hired, Stage.withdrawn}]
    outside = session.execute(
        base.where(ENTRY.c.stage.in_(live), ENTRY.c.state != EntryState.active.value)
    ).all()
    for r in outside:
        kind = (
            AttentionKind.left_top if r.state == EntryState.dropped.value else AttentionKind.became_ineligible
        )
        items.append(_item(kind, r, current_reason(r.state, list(r.reasons or [])) or "", r.updated_at))
    answered = session.execute(
        base.where(
            ENTRY.c.client_answered_at.is_not(None),
            or_(ENTRY.c.staff_seen_at.is_(None), ENTRY.c.staff_seen_at < ENTRY.c.client_answered_at),
        )
    ).all()
    for r in answered:
        items.append(_item(AttentionKind.client_answer, r, _answer_text(r), r.client_answered_at))
    items += _strong_entrants(session, base, requirement_id)
    return sorted(items, key=lambda i: (i.since is None, -(i.since.timestamp() if i.since else 0)))


def _answer_text(r: Any) -> str:
    text = f"client answered: {Stage(r.stage).value.replace('_', ' ')}"
    if r.decline_reason:
        text += f" ({r.decline_reason})"
    return text


def _item(kind: AttentionKind, r: Any, detail: str, since: dt.datetime | None) -> AttentionItem:
    return AttentionItem(
        kind=kind,
        requirement_id=r.requirement_id,
        requirement_title=r.title,
        candidate_id=r.candidate_id,
        name=r.name,
        stage=Stage(r.stage),
        score=r.score,
        rank=r.rank,
        detail=detail,
        since=since,
    )


def _strong_entrants(session: Session, base: Any, requirement_id: uuid.UUID | None) -> list[AttentionItem]:
    """Candidates a requirement's latest finished run brought into its top ``STRONG_RANK`` who
    are still new there (a requirement's first run brings everyone in: not news)."""
    runs = select(MRR.c.requirement_id, MRR.c.changes, MRR.c.finished_at).where(MRR.c.status == "succeeded")
    if requirement_id is not None:
        runs = runs.where(MRR.c.requirement_id == requirement_id)
    latest: dict[uuid.UUID, tuple[dt.datetime, list[dict[str, Any]]]] = {}
    seen_runs: dict[uuid.UUID, int] = defaultdict(int)
    for rid, changes, finished in session.execute(runs.order_by(MRR.c.finished_at)):
        seen_runs[rid] += 1
        latest[rid] = (finished, changes or [])
    wanted: dict[tuple[uuid.UUID, uuid.UUID], dt.datetime] = {}
    for rid, (finished, changes) in latest.items():
        if seen_runs[rid] < 2:
            continue
        for c in changes:
            if c.get("before") is None and c.get("after") is not None and c["after"] <= STRONG_RANK:
                wanted[(rid, uuid.UUID(c["candidate_id"]))] = finished
    if not wanted:
        return []
    pairs = [and_(ENTRY.c.requirement_id == rid, ENTRY.c.candidate_id == cid) for rid, cid in wanted]
    rows = session.execute(
        base.where(or_(*pairs), ENTRY.c.stage == Stage.new.value, ENTRY.c.state == EntryState.active.value)
    ).all()
    return [
        _item(
            AttentionKind.strong_entrant,
            r,
            f"new at rank {r.rank}",
            wanted[(r.requirement_id, r.candidate_id)],
        )
        for r in rows
    ]
