"""Reading shortlists and recording the recruiter's decisions on them.

Two views of the same rows. Staff (recruiters, admins) see everything, personal data and
notes included. A client sees an anonymised card per candidate, built by a query that selects
an explicit list of non-identifying columns and never touches ``candidate_personal``: no name,
email, external id, headline or notes can reach a client response, whatever the serializer
does. Runs write the rows (``shortlist_writer``); this module never changes scores or ranks.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections import defaultdict
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Select
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from matcher.errors import NotFound
from matcher.models import (
    Candidate,
    CandidatePersonal,
    CandidateSkill,
    EntryState,
    RecruiterStatus,
    Role,
    ShortlistEntry,
    utcnow,
)
from matcher.services.accounts import Principal
from matcher.services.audit import record
from matcher.services.json_types import NoNul
from matcher.services.pages import UtcDateTime, check_limit, decode_cursor, encode_cursor, invalid_cursor
from matcher.services.requirements import owned_requirement


class StateFilter(StrEnum):
    """Which entries to list: the current top N (``active``) by default, or the history."""

    active = "active"
    dropped = "dropped"
    ineligible = "ineligible"
    erased = "erased"
    all = "all"


class CardSkill(BaseModel):
    skill_key: str
    name: str
    years: float
    last_used: int | None


class CandidateCard(BaseModel):
    """What a client may know about a candidate: nothing that identifies the person."""

    id: uuid.UUID = Field(description="Opaque id of the candidate.")
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

    external_id: str
    name: str | None
    email: str | None
    headline: str | None
    vetting_status: str


class EntryView(BaseModel):
    candidate: CandidateCard
    rank: int | None
    score: float
    components: dict[str, Any]
    reasons: list[str]
    state: EntryState
    status: RecruiterStatus
    updated_at: UtcDateTime


class StaffEntryView(EntryView):
    candidate: StaffCandidateCard
    notes: str
    status_changed_at: UtcDateTime | None
    status_changed_by: str | None
    match_run_id: uuid.UUID | None
    weight_profile_id: uuid.UUID | None


class ClientShortlistPage(BaseModel):
    view: Literal["client"] = "client"
    requirement_id: uuid.UUID
    items: list[EntryView]
    next_cursor: str | None = None


class StaffShortlistPage(BaseModel):
    view: Literal["staff"] = "staff"
    requirement_id: uuid.UUID
    items: list[StaffEntryView]
    next_cursor: str | None = None


class EntryUpdate(NoNul):
    """A recruiter's decision on one entry; fields left out are unchanged."""

    model_config = {"extra": "forbid"}

    status: RecruiterStatus | None = None
    notes: str | None = Field(default=None, max_length=10_000)


CAND = Candidate.__table__  # type: ignore[attr-defined]
ENTRY = ShortlistEntry.__table__  # type: ignore[attr-defined]
SKILL = CandidateSkill.__table__  # type: ignore[attr-defined]
PERSONAL = CandidatePersonal.__table__  # type: ignore[attr-defined]
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
_ENTRY_COLUMNS = (
    ENTRY.c.rank,
    ENTRY.c.score,
    ENTRY.c.components,
    ENTRY.c.reasons,
    ENTRY.c.state,
    ENTRY.c.status,
    ENTRY.c.updated_at,
)
#: What only staff see on top of the card and the entry.
_STAFF_COLUMNS = (
    ENTRY.c.notes,
    ENTRY.c.status_changed_at,
    ENTRY.c.status_changed_by,
    ENTRY.c.match_run_id,
    ENTRY.c.weight_profile_id,
    CAND.c.external_id,
    CAND.c.headline,
    CAND.c.vetting_status,
    PERSONAL.c.name,
    PERSONAL.c.email,
)


def _card_skills(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[CardSkill]]:
    out: dict[uuid.UUID, list[CardSkill]] = defaultdict(list)
    if not ids:
        return out
    rows = session.execute(
        sa_select(SKILL.c.candidate_id, SKILL.c.skill_key, SKILL.c.raw_name, SKILL.c.years, SKILL.c.last_used)
        .where(SKILL.c.candidate_id.in_(ids))
        .order_by(SKILL.c.candidate_id, SKILL.c.position)
    ).all()
    for cid, key, raw, years, last_used in rows:
        out[cid].append(CardSkill(skill_key=key, name=raw, years=years, last_used=last_used))
    return out


def _filtered(
    query: Any, requirement_id: uuid.UUID, state: StateFilter, status: RecruiterStatus | None
) -> Any:
    query = query.where(ENTRY.c.requirement_id == requirement_id)
    if state is not StateFilter.all:
        query = query.where(ENTRY.c.state == state.value)
    if status is not None:
        query = query.where(ENTRY.c.status == status.value)
    return query.order_by(ENTRY.c.rank.is_(None), ENTRY.c.rank, ENTRY.c.score.desc(), ENTRY.c.candidate_id)


def _window(query: Select[Any], cursor: str | None, limit: int | None) -> tuple[Select[Any], int]:
    offset = 0
    if cursor:
        (offset,) = decode_cursor(cursor, 1)
        if not isinstance(offset, int) or offset < 0:
            raise invalid_cursor()
    if limit is not None:
        check_limit(limit)
        query = query.offset(offset).limit(limit + 1)
    return query, offset


def _next(rows: Sequence[Any], offset: int, limit: int | None) -> str | None:
    return encode_cursor([offset + limit]) if limit is not None and len(rows) > limit else None


def _card(r: Any, skills: list[CardSkill]) -> dict[str, Any]:
    return {
        "id": r.id,
        "track": r.track,
        "seniority": r.seniority,
        "years_experience": r.years_experience,
        "skills": skills,
        "timezone": r.timezone,
        "hourly_rate": r.hourly_rate,
        "currency": r.currency,
        "available_from": r.available_from,
        "hours_per_week": r.hours_per_week,
    }


def _entry(r: Any) -> dict[str, Any]:
    return {
        "rank": r.rank,
        "score": r.score,
        "components": r.components,
        "reasons": r.reasons,
        "state": EntryState(r.state),
        "status": RecruiterStatus(r.status),
        "updated_at": r.updated_at,
    }


def _client_view(r: Any, skills: list[CardSkill]) -> EntryView:
    return EntryView(candidate=CandidateCard(**_card(r, skills)), **_entry(r))


def _staff_view(r: Any, skills: list[CardSkill]) -> StaffEntryView:
    card = StaffCandidateCard(
        **_card(r, skills),
        external_id=r.external_id,
        name=r.name,
        email=r.email,
        headline=r.headline,
        vetting_status=r.vetting_status,
    )
    return StaffEntryView(
        candidate=card,
        **_entry(r),
        notes=r.notes,
        status_changed_at=r.status_changed_at,
        status_changed_by=r.status_changed_by,
        match_run_id=r.match_run_id,
        weight_profile_id=r.weight_profile_id,
    )


def _client_query() -> Any:
    """Entries with their anonymised cards: explicit columns, ``candidate_personal`` never joined."""
    return sa_select(*_ENTRY_COLUMNS, *_CARD_COLUMNS).join(CAND, CAND.c.id == ENTRY.c.candidate_id)


def _staff_query() -> Any:
    return (
        sa_select(*_ENTRY_COLUMNS, *_CARD_COLUMNS, *_STAFF_COLUMNS)
        .join(CAND, CAND.c.id == ENTRY.c.candidate_id)
        .outerjoin(PERSONAL, PERSONAL.c.candidate_id == CAND.c.id)
    )


def _entries(
    session: Session,
    staff: bool,
    requirement_id: uuid.UUID,
    state: StateFilter,
    status: RecruiterStatus | None,
    cursor: str | None,
    limit: int | None,
) -> tuple[list[Any], str | None]:
    base = _staff_query() if staff else _client_query()
    query, offset = _window(_filtered(base, requirement_id, state, status), cursor, limit)
    rows = session.execute(query).all()
    following = _next(rows, offset, limit)
    rows = rows[:limit] if limit is not None else rows
    skills = _card_skills(session, [r.id for r in rows])
    view = _staff_view if staff else _client_view
    return [view(r, skills[r.id]) for r in rows], following


def get_shortlist(
    session: Session,
    principal: Principal,
    requirement_id: uuid.UUID,
    *,
    state: StateFilter = StateFilter.active,
    status: RecruiterStatus | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> ClientShortlistPage | StaffShortlistPage:
    """A page of a requirement's shortlist, best first, in the view the caller may see."""
    req = owned_requirement(session, principal, requirement_id)
    items, following = _entries(session, principal.is_staff, req.id, state, status, cursor, limit)
    if principal.is_staff:
        return StaffShortlistPage(requirement_id=req.id, items=items, next_cursor=following)
    return ClientShortlistPage(requirement_id=req.id, items=items, next_cursor=following)


def update_entry(
    session: Session,
    principal: Principal,
    requirement_id: uuid.UUID,
    candidate_id: uuid.UUID,
    change: EntryUpdate,
) -> StaffEntryView:
    """Set a recruiter status and/or notes on one entry (recruiters and admins)."""
    principal.require(Role.recruiter)
    req = owned_requirement(session, principal, requirement_id)
    entry = session.exec(
        select(ShortlistEntry).where(
            ShortlistEntry.requirement_id == req.id, ShortlistEntry.candidate_id == candidate_id
        )
    ).first()
    if entry is None:
        raise NotFound(f"candidate {candidate_id} is not on the shortlist of requirement {req.id}")
    now = utcnow()
    details: dict[str, Any] = {"candidate_id": str(candidate_id)}
    if change.status is not None and change.status != entry.status:
        details["status"] = {"from": str(entry.status), "to": change.status.value}
        entry.status = change.status
        entry.status_changed_at = now
        entry.status_changed_by = principal.actor
    if change.notes is not None and change.notes != entry.notes:
        details["notes"] = "changed"
        entry.notes = change.notes
    if len(details) > 1:
        entry.updated_at = now
        session.add(entry)
        session.flush()
        record(session, principal.actor, "shortlist.update", "requirement", str(req.id), details)
    row = session.execute(_staff_query().where(ENTRY.c.id == entry.id)).one()
    return _staff_view(row, _card_skills(session, [candidate_id])[candidate_id])


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


def shortlist_csv(
    session: Session,
    principal: Principal,
    requirement_id: uuid.UUID,
    *,
    state: StateFilter = StateFilter.active,
    status: RecruiterStatus | None = None,
) -> str:
    """The whole (filtered) shortlist as CSV, in the caller's view: anonymised for clients."""
    page = get_shortlist_all(session, principal, requirement_id, state=state, status=status)
    rows: list[dict[str, Any]] = []
    for item in page.items:
        card = item.candidate
        row: dict[str, Any] = {"rank": item.rank, "candidate_id": card.id}
        if isinstance(item, StaffEntryView) and isinstance(card, StaffCandidateCard):
            row |= {"external_id": card.external_id, "name": card.name, "email": card.email}
        row |= {
            "score": round(item.score, 2),
            "state": item.state.value,
            "status": item.status.value,
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
        if isinstance(item, StaffEntryView):
            row["notes"] = item.notes
        rows.append(row)
    out = io.StringIO()
    fields = list(dict.fromkeys(k for r in rows for k in r)) or ["rank", "candidate_id", "score"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: _cell(v) for k, v in r.items()})
    return out.getvalue()


def get_shortlist_all(
    session: Session,
    principal: Principal,
    requirement_id: uuid.UUID,
    *,
    state: StateFilter = StateFilter.active,
    status: RecruiterStatus | None = None,
) -> ClientShortlistPage | StaffShortlistPage:
    """Every entry matching the filters in one page (for exports)."""
    req = owned_requirement(session, principal, requirement_id)
    items, _ = _entries(session, principal.is_staff, req.id, state, status, None, None)
    if principal.is_staff:
        return StaffShortlistPage(requirement_id=req.id, items=items)
    return ClientShortlistPage(requirement_id=req.id, items=items)
