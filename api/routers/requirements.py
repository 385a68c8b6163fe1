"""``/api/v1/requirements`` and their shortlists.

Client keys may create, list, read, replace and close their own account's requirements and
read their shortlists (anonymised); another client's ids answer 404, whatever the method.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Body, Query, Response
from pydantic import Field

from api.deps import (
    Caller,
    Limit,
    RequirementCursor,
    SessionDep,
    SessionRoute,
    SettingsDep,
    ShortlistCursor,
    Staff,
    utf8,
)
from api.payloads import RequirementPayload
from api.problems import problem_responses
from matcher.models import RecruiterStatus
from matcher.services import requirements, shortlists
from matcher.services.pages import DEFAULT_PAGE, Page
from matcher.services.requirements import ImportSummary, RequirementFilters, RequirementView
from matcher.services.shortlists import (
    ClientShortlistPage,
    EntryUpdate,
    StaffEntryView,
    StaffShortlistPage,
    StateFilter,
)

router = APIRouter(prefix="/requirements", tags=["requirements"], route_class=SessionRoute)
NDJSON = "application/x-ndjson"
ShortlistPage = Annotated[ClientShortlistPage | StaffShortlistPage, Field(discriminator="view")]


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


@router.post("", status_code=201, responses=problem_responses(409))
def create_requirement(body: RequirementPayload, session: SessionDep, caller: Caller) -> RequirementView:
    """Create a requirement (import format) and start its matching. With a client key,
    ``client`` is filled from the key and may only name the key's own account."""
    return requirements.create_requirement(session, caller, body)


@router.post("/import", responses=problem_responses(413))
def import_requirements(
    session: SessionDep,
    settings: SettingsDep,
    caller: Staff,
    body: Annotated[bytes, Body(media_type=NDJSON, description="JSON Lines, one requirement a line.")] = b"",
) -> ImportSummary:
    """Create or update requirements by (client, external_id), all or nothing (staff)."""
    return requirements.import_requirements_text(
        session, caller, utf8(body), max_records=settings.max_import_records
    )


@router.get("")
def list_requirements(
    filters: Annotated[RequirementFilters, Query()],
    session: SessionDep,
    caller: Caller,
    cursor: RequirementCursor = "",
    limit: Limit = DEFAULT_PAGE,
) -> Page[RequirementView]:
    """The caller's requirements (every client's for staff), newest first."""
    return requirements.list_requirements(session, caller, filters, cursor=cursor, limit=limit)


@router.get("/{requirement_id:uuid}")
def get_requirement(requirement_id: uuid.UUID, session: SessionDep, caller: Caller) -> RequirementView:
    return requirements.get_requirement(session, caller, requirement_id)


@router.put("/{requirement_id:uuid}", responses=problem_responses(409))
def replace_requirement(
    requirement_id: uuid.UUID, body: RequirementPayload, session: SessionDep, caller: Caller
) -> RequirementView:
    """Replace the spec and re-match; a requirement cannot move to another client."""
    return requirements.replace_requirement(session, caller, requirement_id, body)


@router.post("/{requirement_id:uuid}/close")
def close_requirement(requirement_id: uuid.UUID, session: SessionDep, caller: Caller) -> RequirementView:
    """Close the requirement (idempotent): it is no longer re-matched."""
    return requirements.close_requirement(session, caller, requirement_id)


@router.get(
    "/{requirement_id:uuid}/shortlist",
    response_model=ShortlistPage,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def get_shortlist(
    requirement_id: uuid.UUID,
    session: SessionDep,
    caller: Caller,
    state: StateFilter = StateFilter.active,
    status: RecruiterStatus | None = None,
    format: ExportFormat = ExportFormat.json,
    cursor: ShortlistCursor = "",
    limit: Limit = DEFAULT_PAGE,
) -> Response:
    """The ranked shortlist with scores, components and reasons. Client keys get anonymised
    cards (``view: client``); staff keys get personal data and notes (``view: staff``).
    ``format=csv`` exports every entry matching the filters (no paging)."""
    if format is ExportFormat.csv:
        text = shortlists.shortlist_csv(session, caller, requirement_id, state=state, status=status)
        return Response(
            text,
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="shortlist-{requirement_id}.csv"'},
        )
    # Validated and serialised in one step by the service (the same models as response_model);
    # a Response is passed through as it is instead of being validated and encoded again.
    body = shortlists.shortlist_json(
        session, caller, requirement_id, state=state, status=status, cursor=cursor, limit=limit
    )
    return Response(body, media_type="application/json")


@router.patch("/{requirement_id:uuid}/shortlist/{candidate_id:uuid}")
def update_shortlist_entry(
    requirement_id: uuid.UUID,
    candidate_id: uuid.UUID,
    body: EntryUpdate,
    session: SessionDep,
    caller: Staff,
) -> StaffEntryView:
    """Set the recruiter status (new, shortlisted, submitted, interviewing, hired, rejected)
    and/or notes of one entry (staff)."""
    return shortlists.update_entry(session, caller, requirement_id, candidate_id, body)
