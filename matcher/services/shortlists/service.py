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
import io
import uuid
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select as sa_select
from sqlmodel import Session

from matcher.core.pipeline import Stage
from matcher.errors import NotFound, ValidationFailed
from matcher.models import (
    EntryState,
    Role,
)
from matcher.services.accounts.service import Principal
from matcher.services.requirements.service import owned_requirement
from matcher.services.shortlists.items import PRESENTED, STAFF_ENTRY, client_card, entry_items
from matcher.services.shortlists.pages import PageBody, page_body, under_review
from matcher.services.shortlists.rows import (
    CLIENT_STAGE_VALUES,
    ENTRY,
    client_filtered,
    next_cursor,
    page_window,
    shortlist_query,
    staff_filtered,
)
from matcher.services.shortlists.views import (
    CandidateCard,
    CardSkill,
    ClientFeedback,
    ClientShortlistPage,
    PresentedView,
    StaffCandidateCard,
    StaffEntryView,
    StaffShortlistPage,
    StateFilter,
)

__all__ = [
    "CandidateCard",
    "CardSkill",
    "ClientFeedback",
    "ClientShortlistPage",
    "PageBody",
    "PresentedView",
    "StaffCandidateCard",
    "StaffEntryView",
    "StaffShortlistPage",
    "StateFilter",
    "client_card",
    "get_shortlist",
    "get_shortlist_all",
    "presented_candidates",
    "presented_card",
    "shortlist_csv",
    "shortlist_json",
    "staff_entry",
]


#: Pages are validated from plain dicts in one call each (pydantic-core builds the nested
#: models), as entries are (``items.entry_items``).
_CLIENT_PAGE = TypeAdapter(ClientShortlistPage)
_STAFF_PAGE = TypeAdapter(StaffShortlistPage)


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
        base = shortlist_query(session, staff)
        filtered = (
            staff_filtered(base, requirement_id, state, stage)
            if staff
            else client_filtered(base, requirement_id, stage)
        )
        query, params = page_window(filtered, staff, cursor, limit)
    except ValidationFailed:
        owned_requirement(session, principal, requirement_id)  # a 404 comes first, as ever
        raise
    rows = session.execute(query, params).all()
    if not rows:
        owned_requirement(session, principal, requirement_id)
    elif not principal.can_see_client(rows[0].owner_id):
        raise NotFound(f"no requirement {requirement_id}")
    following = next_cursor(rows, staff, limit)
    page: dict[str, Any] = {
        "requirement_id": requirement_id,
        "items": entry_items(session, staff, rows[:limit] if limit is not None else rows),
        "next_cursor": following,
    }
    if staff:
        return _STAFF_PAGE.validate_python(page)
    page["more_under_review"] = under_review(session, requirement_id)
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
) -> PageBody:
    """``get_shortlist`` as JSON with its entity tag: the body of the API's shortlist response,
    byte for byte what FastAPI makes of the page under the route's response model, joined from
    the entries' stored JSON (``pages``) rather than validated and serialised again."""
    return page_body(session, principal, requirement_id, state, stage, cursor, limit)


def staff_entry(
    session: Session, principal: Principal, requirement_id: uuid.UUID, candidate_id: uuid.UUID
) -> StaffEntryView:
    """One entry in the staff view."""
    principal.require(Role.recruiter)
    req = owned_requirement(session, principal, requirement_id)
    row = session.execute(
        shortlist_query(session, staff=True).where(
            ENTRY.c.requirement_id == req.id, ENTRY.c.candidate_id == candidate_id
        )
    ).first()
    if row is None:
        raise NotFound(f"candidate {candidate_id} is not on the shortlist of requirement {req.id}")
    return STAFF_ENTRY.validate_python(entry_items(session, True, [row])[0])


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
        client_filtered(shortlist_query(session, staff=False), req.id, None).where(ENTRY.c.handle == handle)
    ).first()
    if row is None:
        raise NotFound(f"no candidate {handle} was presented for requirement {req.id}")
    return PRESENTED.validate_python(entry_items(session, False, [row])[0])


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
