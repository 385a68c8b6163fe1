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
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, Field, TypeAdapter
from pydantic_core import from_json
from sqlalchemy import Select, Text, cast, func
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlmodel import Session, select

from matcher.errors import NotFound, ValidationFailed
from matcher.json_types import NoNul
from matcher.models import (
    Candidate,
    CandidatePersonal,
    CandidateSkill,
    EntryState,
    RecruiterStatus,
    Requirement,
    Role,
    ShortlistEntry,
    utcnow,
)
from matcher.schemas import Paragraphs
from matcher.services.accounts import Principal
from matcher.services.audit import record
from matcher.services.client_card import canonical_skills
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
    skill_key: str = Field(description="The taxonomy key (clients see taxonomy skills only).")
    name: str = Field(description="The taxonomy's canonical name (staff: the name as written).")
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
    notes: Paragraphs | None = Field(default=None, max_length=10_000)


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
    ENTRY.c.rank,
    ENTRY.c.score,
    cast(ENTRY.c.components, Text).label("components"),
    cast(ENTRY.c.reasons, Text).label("reasons"),
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
        sa_select(func.json_agg(aggregate_order_by(skill, s.c.position)))
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
        .order_by(SKILL.c.candidate_id, SKILL.c.position)
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


def _filtered(
    query: Any, requirement_id: uuid.UUID, state: StateFilter, status: RecruiterStatus | None
) -> Any:
    query = query.where(ENTRY.c.requirement_id == requirement_id)
    if state is not StateFilter.all:
        query = query.where(ENTRY.c.state == state.value)
    if status is not None:
        query = query.where(ENTRY.c.status == status.value)
    return query.order_by(ENTRY.c.rank.is_(None), ENTRY.c.rank, ENTRY.c.score.desc(), ENTRY.c.candidate_id)


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


def _client_item(r: Any, skills: list[dict[str, Any]]) -> dict[str, Any]:
    """The fields of an ``EntryView`` (anonymised card) from a row of ``_query``."""
    return {
        "candidate": {
            "id": r.id,
            "track": r.track,
            "seniority": r.seniority,
            "years_experience": r.years_experience,
            "skills": canonical_skills(skills),
            "timezone": r.timezone,
            "hourly_rate": r.hourly_rate,
            "currency": r.currency,
            "available_from": r.available_from,
            "hours_per_week": r.hours_per_week,
        },
        "rank": r.rank,
        "score": r.score,
        "components": from_json(r.components),
        "reasons": from_json(r.reasons),
        "state": r.state,
        "status": r.status,
        "updated_at": r.updated_at,
    }


def _staff_item(r: Any, skills: list[dict[str, Any]]) -> dict[str, Any]:
    """The fields of a ``StaffEntryView`` from a row of ``_query(staff=True)``."""
    item = _client_item(r, skills)
    item["candidate"] |= {
        "skills": skills,
        "external_id": r.external_id,
        "name": r.name,
        "email": r.email,
        "headline": r.headline,
        "vetting_status": r.vetting_status,
    }
    item |= {
        "notes": r.notes,
        "status_changed_at": r.status_changed_at,
        "status_changed_by": r.status_changed_by,
        "match_run_id": r.match_run_id,
        "weight_profile_id": r.weight_profile_id,
    }
    return item


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


def _page(
    session: Session,
    principal: Principal,
    requirement_id: uuid.UUID,
    state: StateFilter,
    status: RecruiterStatus | None,
    cursor: str | None,
    limit: int | None,
) -> ClientShortlistPage | StaffShortlistPage:
    """One query for the page: its rows carry the requirement's owner, checked before anything
    is made of them. Only an empty page needs a second look, to tell "no entries" from "no such
    requirement (for this caller)"; either way another client's requirement is a 404."""
    staff = principal.is_staff
    try:
        query, offset = _window(
            _filtered(_query(session, staff), requirement_id, state, status), cursor, limit
        )
    except ValidationFailed:
        owned_requirement(session, principal, requirement_id)  # a 404 comes first, as ever
        raise
    rows = session.execute(query).all()
    if not rows:
        owned_requirement(session, principal, requirement_id)
    elif not principal.can_see_client(rows[0].owner_id):
        raise NotFound(f"no requirement {requirement_id}")
    following = _next(rows, offset, limit)
    page = {
        "requirement_id": requirement_id,
        "items": _items(session, staff, rows[:limit] if limit is not None else rows),
        "next_cursor": following,
    }
    return _STAFF_PAGE.validate_python(page) if staff else _CLIENT_PAGE.validate_python(page)


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
    return _page(session, principal, requirement_id, state, status, cursor, limit)


def shortlist_json(
    session: Session,
    principal: Principal,
    requirement_id: uuid.UUID,
    *,
    state: StateFilter = StateFilter.active,
    status: RecruiterStatus | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> bytes:
    """``get_shortlist`` as JSON: the body of the API's shortlist response, byte for byte what
    FastAPI makes of the page under the route's response model, without a second validation."""
    page = _page(session, principal, requirement_id, state, status, cursor, limit)
    if isinstance(page, StaffShortlistPage):
        return _STAFF_PAGE.dump_json(page)
    return _CLIENT_PAGE.dump_json(page)


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
    row = session.execute(_query(session, staff=True).where(ENTRY.c.id == entry.id)).one()
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
    return _page(session, principal, requirement_id, state, status, None, None)
