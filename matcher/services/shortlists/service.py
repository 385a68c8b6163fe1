"""Reading shortlists.

Two views of the same rows. Staff (recruiters, admins) see everything, personal data and
pipeline stages included. A client sees only the candidates a recruiter presented to it, each
as an anonymised card under its stable anonymous handle, with its client-facing stage and the
client's own answer; the card is built by a query that selects an explicit list of
non-identifying columns and never touches ``candidate_personal``: no name, email, candidate
id, rank, internal stage, recruiter note or unpresented person can reach a client response,
whatever the serializer does. Runs write the rows (``shortlist_writer``); stages change in
``pipeline``; this module changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections import defaultdict
from collections.abc import Sequence
from enum import StrEnum
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, Field, TypeAdapter
from pydantic_core import from_json
from sqlalchemy import Select, Text, cast, func
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlmodel import Session

from matcher.core.pipeline import CLIENT_STAGES, DeclineReason, Stage
from matcher.errors import NotFound, ValidationFailed
from matcher.models import (
    Candidate,
    CandidatePersonal,
    CandidateSkill,
    EntryState,
    Requirement,
    Role,
    ShortlistEntry,
)
from matcher.services.accounts.service import Principal
from matcher.services.cursors import UtcDateTime, check_limit, decode_cursor, encode_cursor, invalid_cursor
from matcher.services.requirements.service import owned_requirement
from matcher.services.shortlists.client_card import canonical_skills


class StateFilter(StrEnum):
    """Which entries to list (staff): by default the current top N and everyone in the pipeline
    (shortlisted or beyond) wherever a re-match put them (``current``); or one state; or all."""

    current = "current"
    active = "active"
    dropped = "dropped"
    ineligible = "ineligible"
    erased = "erased"
    all = "all"


class CardSkill(BaseModel):
    skill_key: str = Field(description="The taxonomy key (clients see taxonomy skills only).")
    name: str = Field(description="The taxonomy's canonical name (staff: the name as written).")
    years: float
    last_used: int | None


class CandidateCard(BaseModel):
    """What a client may know about a candidate: nothing that identifies the person."""

    track: str
    seniority: str
    years_experience: float
    skills: list[CardSkill]
    timezone: str
    hourly_rate: float
    currency: str
    available_from: dt.date
    hours_per_week: int


class StaffCandidateCard(CandidateCard):
    """The card with the personal data a recruiter works with (None once erased)."""

    id: uuid.UUID
    external_id: str
    name: str | None
    email: str | None
    headline: str | None
    vetting_status: str


class ClientFeedback(BaseModel):
    """The client's own answer on a presented candidate."""

    decline_reason: DeclineReason | None
    comment: str
    answered_at: UtcDateTime | None


class PresentedView(BaseModel):
    """A candidate as presented to the client: its handle, its client-facing stage, the
    recruiter's note written for the client, the client's own answer and the anonymised card."""

    handle: str = Field(description="Stable anonymous name of this candidate on this requirement.")
    stage: Stage = Field(description="A client-facing stage: never one of the recruiter's own.")
    presented_at: UtcDateTime | None
    note_for_client: str
    feedback: ClientFeedback
    candidate: CandidateCard
    score: float
    components: dict[str, Any]
    reasons: list[str]


class StaffEntryView(BaseModel):
    candidate: StaffCandidateCard
    rank: int | None
    score: float
    components: dict[str, Any]
    reasons: list[str]
    state: EntryState
    updated_at: UtcDateTime
    handle: str
    stage: Stage
    stage_changed_at: UtcDateTime | None
    stage_changed_by: str | None
    presented_at: UtcDateTime | None
    note_for_client: str
    decline_reason: DeclineReason | None
    decline_comment: str
    client_answered_at: UtcDateTime | None
    match_run_id: uuid.UUID | None
    weight_profile_id: uuid.UUID | None


class ClientShortlistPage(BaseModel):
    view: Literal["client"] = "client"
    requirement_id: uuid.UUID
    items: list[PresentedView]
    more_under_review: int = Field(
        description="Candidates the recruiter is still reviewing for this requirement (not presented yet)."
    )
    next_cursor: str | None = None


class StaffShortlistPage(BaseModel):
    view: Literal["staff"] = "staff"
    requirement_id: uuid.UUID
    items: list[StaffEntryView]
    next_cursor: str | None = None


CAND = Candidate.__table__  # type: ignore[attr-defined]
ENTRY = ShortlistEntry.__table__  # type: ignore[attr-defined]
SKILL = CandidateSkill.__table__  # type: ignore[attr-defined]
PERSONAL = CandidatePersonal.__table__  # type: ignore[attr-defined]
REQUIREMENT = Requirement.__table__  # type: ignore[attr-defined]
#: Exactly the columns a client card is built from.
_CARD_COLUMNS = (
    CAND.c.id,
    CAND.c.track,
    CAND.c.seniority,
    CAND.c.years_experience,
    CAND.c.timezone,
    CAND.c.hourly_rate,
    CAND.c.currency,
    CAND.c.available_from,
    CAND.c.hours_per_week,
)
#: The JSON columns come as their text and are parsed by pydantic-core (``from_json``, the same
#: values as ``json.loads``, in half the time).
_ENTRY_COLUMNS = (
    ENTRY.c.score,
    cast(ENTRY.c.components, Text).label("components"),
    cast(ENTRY.c.reasons, Text).label("reasons"),
    ENTRY.c.handle,
    ENTRY.c.stage,
    ENTRY.c.presented_at,
    ENTRY.c.client_note,
    ENTRY.c.decline_reason,
    ENTRY.c.decline_comment,
    ENTRY.c.client_answered_at,
)
#: What only staff see on top of the card and the entry.
_STAFF_COLUMNS = (
    ENTRY.c.rank,
    ENTRY.c.state,
    ENTRY.c.updated_at,
    ENTRY.c.stage_changed_at,
    ENTRY.c.stage_changed_by,
    ENTRY.c.match_run_id,
    ENTRY.c.weight_profile_id,
    CAND.c.external_id,
    CAND.c.headline,
    CAND.c.vetting_status,
    PERSONAL.c.name,
    PERSONAL.c.email,
)
#: The owner of the entry's requirement, checked against the caller before any row is used.
_OWNER = REQUIREMENT.c.client_id.label("owner_id")


def _skills_json() -> Any:
    """PostgreSQL: a card's skills in the candidate's order, as one JSON text per row, so that
    a page is one query and the skills are not hundreds of rows (its float8 text is exact, as in
    any other column; SQLite's JSON functions round REALs to 15 digits, so it reads them apart)."""
    s = SKILL.alias("card_skill")
    skill = func.json_build_object(
        "skill_key", s.c.skill_key, "name", s.c.raw_name, "years", s.c.years, "last_used", s.c.last_used
    )
    return cast(
        sa_select(func.json_agg(aggregate_order_by(skill, s.c.position, s.c.id)))
        .where(s.c.candidate_id == CAND.c.id)
        .scalar_subquery(),
        Text,
    ).label("skills")


def _card_skills(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Each candidate's skills as plain ``CardSkill`` fields, in the candidate's order."""
    out: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    if not ids:
        return out
    rows = session.execute(
        sa_select(SKILL.c.candidate_id, SKILL.c.skill_key, SKILL.c.raw_name, SKILL.c.years, SKILL.c.last_used)
        .where(SKILL.c.candidate_id.in_(ids))
        .order_by(SKILL.c.candidate_id, SKILL.c.position, SKILL.c.id)
    ).all()
    for cid, key, raw, years, last_used in rows:
        out[cid].append({"skill_key": key, "name": raw, "years": years, "last_used": last_used})
    return out


def _query(session: Session, staff: bool) -> Any:
    """Entries with their cards (and skills, on PostgreSQL) and the requirement's owner. The
    client view selects explicit non-identifying columns and never joins ``candidate_personal``."""
    return _base_query(staff, _postgres(session))


@cache
def _base_query(staff: bool, postgres: bool) -> Any:
    # Built once per shape: statements are immutable, and building this one (a correlated
    # subquery, thirty columns) costs more than running it through SQLAlchemy's compiled cache.
    columns = [*_ENTRY_COLUMNS, *_CARD_COLUMNS, *(_STAFF_COLUMNS if staff else ()), _OWNER]
    if postgres:
        columns.append(_skills_json())
    query = (
        sa_select(*columns)
        .join(CAND, CAND.c.id == ENTRY.c.candidate_id)
        .join(REQUIREMENT, REQUIREMENT.c.id == ENTRY.c.requirement_id)
    )
    if staff:
        return query.outerjoin(PERSONAL, PERSONAL.c.candidate_id == CAND.c.id)
    # An erased person is gone for clients, whatever state they ask for.
    return query.where(CAND.c.erased_at.is_(None), ENTRY.c.state != EntryState.erased.value)


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


#: Stages a client sees, as stored values.
CLIENT_STAGE_VALUES = sorted(s.value for s in CLIENT_STAGES)
#: Stages counted as "more under review" for the client (the recruiter's triage in progress).
UNDER_REVIEW = (Stage.reviewing.value, Stage.shortlisted.value)
#: Stages that keep a candidate on the staff's default view wherever a re-match put them.
PIPELINE_VALUES = sorted(s.value for s in Stage if s not in (Stage.new, Stage.reviewing, Stage.rejected))


def _filtered(query: Any, requirement_id: uuid.UUID, state: StateFilter, stage: Stage | None) -> Any:
    """The staff's rows: best first, the history after the top N."""
    query = query.where(ENTRY.c.requirement_id == requirement_id)
    if state is StateFilter.current:
        query = query.where(
            (ENTRY.c.state == EntryState.active.value)
            | (ENTRY.c.stage.in_(PIPELINE_VALUES) & (ENTRY.c.state != EntryState.erased.value))
        )
    elif state is not StateFilter.all:
        query = query.where(ENTRY.c.state == state.value)
    if stage is not None:
        query = query.where(ENTRY.c.stage == stage.value)
    return query.order_by(ENTRY.c.rank.is_(None), ENTRY.c.rank, ENTRY.c.score.desc(), ENTRY.c.candidate_id)


def _client_filtered(query: Any, requirement_id: uuid.UUID, stage: Stage | None) -> Any:
    """The client's rows: presented (client-facing stages) and not erased, in the order they
    were presented; never ordered or filtered by anything a client must not learn."""
    query = query.where(
        ENTRY.c.requirement_id == requirement_id,
        ENTRY.c.stage.in_(CLIENT_STAGE_VALUES),
        ENTRY.c.state != EntryState.erased.value,
    )
    if stage is not None:
        query = query.where(ENTRY.c.stage == stage.value)
    return query.order_by(ENTRY.c.presented_at, ENTRY.c.handle)


#: No shortlist is near this long; a cursor beyond it is not one we made (and would overflow
#: PostgreSQL's bigint OFFSET).
MAX_OFFSET = 10_000_000


def _window(query: Select[Any], cursor: str | None, limit: int | None) -> tuple[Select[Any], int]:
    offset = 0
    if cursor:
        (offset,) = decode_cursor(cursor, 1)
        if not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
            raise invalid_cursor()
    if limit is not None:
        check_limit(limit)
        query = query.offset(offset).limit(limit + 1)
    return query, offset


def _next(rows: Sequence[Any], offset: int, limit: int | None) -> str | None:
    return encode_cursor([offset + limit]) if limit is not None and len(rows) > limit else None


def client_card(r: Any, skills: list[dict[str, Any]]) -> dict[str, Any]:
    """The anonymised card (``CandidateCard`` fields) from a row of ``_query``: the one place a
    client card's content is chosen."""
    return {
        "track": r.track,
        "seniority": r.seniority,
        "years_experience": r.years_experience,
        "skills": canonical_skills(skills),
        "timezone": r.timezone,
        "hourly_rate": r.hourly_rate,
        "currency": r.currency,
        "available_from": r.available_from,
        "hours_per_week": r.hours_per_week,
    }


def _client_item(r: Any, skills: list[dict[str, Any]]) -> dict[str, Any]:
    """The fields of a ``PresentedView`` from a row of ``_query(staff=False)``."""
    return {
        "handle": r.handle,
        "stage": r.stage,
        "presented_at": r.presented_at,
        "note_for_client": r.client_note,
        "feedback": {
            "decline_reason": r.decline_reason,
            "comment": r.decline_comment,
            "answered_at": r.client_answered_at,
        },
        "candidate": client_card(r, skills),
        "score": r.score,
        "components": from_json(r.components),
        "reasons": from_json(r.reasons),
    }


def _staff_item(r: Any, skills: list[dict[str, Any]]) -> dict[str, Any]:
    """The fields of a ``StaffEntryView`` from a row of ``_query(staff=True)``."""
    return {
        "candidate": client_card(r, skills)
        | {
            "id": r.id,
            "skills": skills,
            "external_id": r.external_id,
            "name": r.name,
            "email": r.email,
            "headline": r.headline,
            "vetting_status": r.vetting_status,
        },
        "rank": r.rank,
        "score": r.score,
        "components": from_json(r.components),
        "reasons": from_json(r.reasons),
        "state": r.state,
        "updated_at": r.updated_at,
        "handle": r.handle,
        "stage": r.stage,
        "stage_changed_at": r.stage_changed_at,
        "stage_changed_by": r.stage_changed_by,
        "presented_at": r.presented_at,
        "note_for_client": r.client_note,
        "decline_reason": r.decline_reason,
        "decline_comment": r.decline_comment,
        "client_answered_at": r.client_answered_at,
        "match_run_id": r.match_run_id,
        "weight_profile_id": r.weight_profile_id,
    }


def _items(session: Session, staff: bool, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Rows of ``_query`` as plain dicts in the caller's view."""
    item = _staff_item if staff else _client_item
    if rows and "skills" in rows[0]._fields:
        return [item(r, from_json(r.skills) if r.skills else []) for r in rows]
    skills = _card_skills(session, [r.id for r in rows])
    return [item(r, skills[r.id]) for r in rows]


#: Pages and entries are validated from plain dicts in one call each (pydantic-core builds the
#: nested models) and serialised by the same adapters: no per-object ``__init__`` in Python.
_CLIENT_PAGE = TypeAdapter(ClientShortlistPage)
_STAFF_PAGE = TypeAdapter(StaffShortlistPage)
_STAFF_ENTRY = TypeAdapter(StaffEntryView)
_PRESENTED = TypeAdapter(PresentedView)


def _under_review(session: Session, requirement_id: uuid.UUID) -> int:
    return (
        session.scalar(
            sa_select(func.count())
            .select_from(ENTRY)
            .where(ENTRY.c.requirement_id == requirement_id, ENTRY.c.stage.in_(UNDER_REVIEW))
        )
        or 0
    )


def _page(
    session: Session,
    principal: Principal,
    requirement_id: uuid.UUID,
    state: StateFilter,
    stage: Stage | None,
    cursor: str | None,
    limit: int | None,
) -> ClientShortlistPage | StaffShortlistPage:
    """One query for the page: its rows carry the requirement's owner, checked before anything
    is made of them. Only an empty page needs a second look, to tell "no entries" from "no such
    requirement (for this caller)"; either way another client's requirement is a 404."""
    staff = principal.is_staff
    try:
        base = _query(session, staff)
        filtered = (
            _filtered(base, requirement_id, state, stage)
            if staff
            else _client_filtered(base, requirement_id, stage)
        )
        query, offset = _window(filtered, cursor, limit)
    except ValidationFailed:
        owned_requirement(session, principal, requirement_id)  # a 404 comes first, as ever
        raise
    rows = session.execute(query).all()
    if not rows:
        owned_requirement(session, principal, requirement_id)
    elif not principal.can_see_client(rows[0].owner_id):
        raise NotFound(f"no requirement {requirement_id}")
    following = _next(rows, offset, limit)
    page: dict[str, Any] = {
        "requirement_id": requirement_id,
        "items": _items(session, staff, rows[:limit] if limit is not None else rows),
        "next_cursor": following,
    }
    if staff:
        return _STAFF_PAGE.validate_python(page)
    page["more_under_review"] = _under_review(session, requirement_id)
    return _CLIENT_PAGE.validate_python(page)


def get_shortlist(
    session: Session,
    principal: Principal,
    requirement_id: uuid.UUID,
    *,
    state: StateFilter = StateFilter.current,
    stage: Stage | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> ClientShortlistPage | StaffShortlistPage:
    """A page of a requirement's shortlist in the view the caller may see: staff get the ranked
    entries (``state``, ``stage`` filters); a client gets the candidates presented to it
    (``state`` does not apply; ``stage`` filters by client-facing stage)."""
    return _page(session, principal, requirement_id, state, stage, cursor, limit)


def shortlist_json(
    session: Session,
    principal: Principal,
    requirement_id: uuid.UUID,
    *,
    state: StateFilter = StateFilter.current,
    stage: Stage | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> bytes:
    """``get_shortlist`` as JSON: the body of the API's shortlist response, byte for byte what
    FastAPI makes of the page under the route's response model, without a second validation."""
    page = _page(session, principal, requirement_id, state, stage, cursor, limit)
    if isinstance(page, StaffShortlistPage):
        return _STAFF_PAGE.dump_json(page)
    return _CLIENT_PAGE.dump_json(page)


def staff_entry(
    session: Session, principal: Principal, requirement_id: uuid.UUID, candidate_id: uuid.UUID
) -> StaffEntryView:
    """One entry in the staff view."""
    principal.require(Role.recruiter)
    req = owned_requirement(session, principal, requirement_id)
    row = session.execute(
        _query(session, staff=True).where(
            ENTRY.c.requirement_id == req.id, ENTRY.c.candidate_id == candidate_id
        )
    ).first()
    if row is None:
        raise NotFound(f"candidate {candidate_id} is not on the shortlist of requirement {req.id}")
    return _STAFF_ENTRY.validate_python(_items(session, True, [row])[0])


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _component_points(components: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, value in components.items():
        out[f"points_{name}"] = value.get("points") if isinstance(value, dict) else value
    return out


def _rounded(value: Any) -> Any:
    return round(value, 2) if isinstance(value, float) else value


def shortlist_csv(
    session: Session,
    principal: Principal,
    requirement_id: uuid.UUID,
    *,
    state: StateFilter = StateFilter.current,
    stage: Stage | None = None,
) -> str:
    """The whole (filtered) shortlist as CSV in the caller's view (a client: the presented
    candidates by handle), numbers rounded to two decimals, every cell safe from formula
    injection."""
    page = get_shortlist_all(session, principal, requirement_id, state=state, stage=stage)
    rows: list[dict[str, Any]] = []
    for item in page.items:
        card = item.candidate
        row: dict[str, Any]
        if isinstance(item, StaffEntryView):
            row = {
                "rank": item.rank,
                "candidate_id": item.candidate.id,
                "handle": item.handle,
                "external_id": item.candidate.external_id,
                "name": item.candidate.name,
                "email": item.candidate.email,
                "score": item.score,
                "state": item.state.value,
                "stage": item.stage.value,
            }
        else:
            row = {
                "handle": item.handle,
                "stage": item.stage.value,
                "presented_at": item.presented_at.isoformat() if item.presented_at else "",
                "note_for_client": item.note_for_client,
                "decline_reason": item.feedback.decline_reason.value if item.feedback.decline_reason else "",
                "your_comment": item.feedback.comment,
                "score": item.score,
            }
        row |= {
            "track": card.track,
            "seniority": card.seniority,
            "years_experience": card.years_experience,
            "skills": "; ".join(s.name for s in card.skills),
            "timezone": card.timezone,
            "hourly_rate": card.hourly_rate,
            "currency": card.currency,
            "available_from": card.available_from.isoformat(),
            "hours_per_week": card.hours_per_week,
            **_component_points(item.components),
            "reasons": " | ".join(item.reasons),
        }
        rows.append(row)
    out = io.StringIO()
    default = ["rank", "candidate_id", "score"] if principal.is_staff else ["handle", "stage", "score"]
    fields = list(dict.fromkeys(k for r in rows for k in r)) or default
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: _cell(_rounded(v)) for k, v in r.items()})
    return out.getvalue()


def get_shortlist_all(
    session: Session,
    principal: Principal,
    requirement_id: uuid.UUID,
    *,
    state: StateFilter = StateFilter.current,
    stage: Stage | None = None,
) -> ClientShortlistPage | StaffShortlistPage:
    """Every entry matching the filters in one page (for exports)."""
    return _page(session, principal, requirement_id, state, stage, None, None)


def presented_card(
    session: Session, principal: Principal, requirement_id: uuid.UUID, handle: str
) -> PresentedView:
    """One presented card by its handle, in the client's view (for anyone who may see the
    requirement: staff see what the client sees)."""
    req = owned_requirement(session, principal, requirement_id)
    row = session.execute(
        _client_filtered(_query(session, staff=False), req.id, None).where(ENTRY.c.handle == handle)
    ).first()
    if row is None:
        raise NotFound(f"no candidate {handle} was presented for requirement {req.id}")
    return _PRESENTED.validate_python(_items(session, False, [row])[0])


def presented_candidates(
    session: Session, principal: Principal, requirement_id: uuid.UUID
) -> dict[str, uuid.UUID]:
    """Handle -> candidate id of the presented entries, for server-side use only (the UI works
    out a client card's skill chips with it); never part of a client response."""
    req = owned_requirement(session, principal, requirement_id)
    rows = session.execute(
        sa_select(ENTRY.c.handle, ENTRY.c.candidate_id).where(
            ENTRY.c.requirement_id == req.id,
            ENTRY.c.stage.in_(CLIENT_STAGE_VALUES),
            ENTRY.c.state != EntryState.erased.value,
        )
    )
    return {handle: cid for handle, cid in rows}
