"""``/api/v1/requirements`` and their shortlists.

Client keys may create, list, read, replace and close their own account's requirements and
read their shortlists (anonymised); another client's ids answer 404, whatever the method.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Body, Header, Path, Query, Response
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
from matcher.core.pipeline import Stage
from matcher.services.cursors import DEFAULT_PAGE, Page
from matcher.services.requirements import diagnosis
from matcher.services.requirements import service as requirements
from matcher.services.requirements.diagnosis import Diagnosis, PostedRequirement
from matcher.services.requirements.service import (
    RequirementFilters,
    RequirementImportSummary,
    RequirementView,
)
from matcher.services.shortlists import pipeline
from matcher.services.shortlists import service as shortlists
from matcher.services.shortlists.pipeline import ClientAnswer, Presentation, StageChange, Timeline
from matcher.services.shortlists.service import (
    ClientShortlistPage,
    PresentedView,
    StaffShortlistPage,
    StateFilter,
)

router = APIRouter(prefix="/requirements", tags=["requirements"], route_class=SessionRoute)
NDJSON = "application/x-ndjson"
ShortlistPage = Annotated[ClientShortlistPage | StaffShortlistPage, Field(discriminator="view")]
Handle = Annotated[
    str, Path(pattern="^[A-Z0-9]{4}-[A-Z0-9]{4}$", description="The candidate's anonymous handle.")
]


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


@router.post("", status_code=201, responses=problem_responses(409))
def create_requirement(body: RequirementPayload, session: SessionDep, caller: Caller) -> PostedRequirement:
    """Create a requirement (import format) and start its matching. With a client key,
    ``client`` is filled from the key and may only name the key's own account. ``warnings``
    says when the pool can hardly meet it (budget below nearly all rates, a must-have nobody
    has, a start date in the past); they never stop the posting."""
    created = requirements.create_requirement(session, caller, body)
    return diagnosis.with_warnings(session, caller, created)


@router.post("/import", responses=problem_responses(413))
def import_requirements(
    session: SessionDep,
    settings: SettingsDep,
    caller: Staff,
    body: Annotated[bytes, Body(media_type=NDJSON, description="JSON Lines, one requirement a line.")] = b"",
) -> RequirementImportSummary:
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
) -> PostedRequirement:
    """Replace the spec and re-match; a requirement cannot move to another client. Comes
    with the same warnings as a new requirement."""
    replaced = requirements.replace_requirement(session, caller, requirement_id, body)
    return diagnosis.with_warnings(session, caller, replaced)


@router.post("/{requirement_id:uuid}/close")
def close_requirement(requirement_id: uuid.UUID, session: SessionDep, caller: Caller) -> RequirementView:
    """Close the requirement (idempotent): it is no longer re-matched."""
    return requirements.close_requirement(session, caller, requirement_id)


@router.get("/{requirement_id:uuid}/diagnosis")
def diagnose_requirement(requirement_id: uuid.UUID, session: SessionDep, caller: Caller) -> Diagnosis:
    """Why the shortlist is empty or thin: how many candidates each hard filter excludes
    (counts only), how many pass them all, and the posting-time warnings."""
    return diagnosis.diagnose(session, caller, requirement_id)


@router.get(
    "/{requirement_id:uuid}/shortlist",
    response_model=ShortlistPage,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
        304: {"description": "Not modified: the page is still the one `If-None-Match` names."},
    },
)
def get_shortlist(
    requirement_id: uuid.UUID,
    session: SessionDep,
    caller: Caller,
    state: StateFilter = StateFilter.current,
    stage: Stage | None = None,
    format: ExportFormat = ExportFormat.json,
    cursor: ShortlistCursor = "",
    limit: Limit = DEFAULT_PAGE,
    if_none_match: Annotated[str | None, Header(description="An `ETag` of this page.")] = None,
) -> Response:
    """Staff keys get the ranked shortlist (``view: staff``): by default the current top N
    and everyone in the pipeline wherever a re-match put them, with personal data, stages and
    the reason a pipeline candidate is outside the top N. Client keys get only the candidates
    presented to them (``view: client``), by anonymous handle, with client-facing stages and
    their own answers, and a count of candidates still under review; ``state`` does not apply
    to them. ``format=csv`` exports every entry matching the filters (no paging). A JSON page
    comes with an ``ETag``; sent back in ``If-None-Match``, an unchanged page is a 304."""
    if format is ExportFormat.csv:
        text = shortlists.shortlist_csv(session, caller, requirement_id, state=state, stage=stage)
        return Response(
            text,
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="shortlist-{requirement_id}.csv"'},
        )
    # Joined from the entries' stored JSON by the service (the same models as response_model);
    # a Response is passed through as it is instead of being validated and encoded again.
    page = shortlists.shortlist_json(
        session, caller, requirement_id, state=state, stage=stage, cursor=cursor, limit=limit
    )
    # Private: a shared cache must never hand one caller's page to another.
    headers = {"ETag": page.etag, "Cache-Control": "private, no-cache", "Vary": "Authorization, Cookie"}
    if page.matches(if_none_match):
        return Response(status_code=304, headers=headers)
    return Response(page.body, media_type="application/json", headers=headers)


@router.patch("/{requirement_id:uuid}/shortlist/{candidate_id:uuid}", responses=problem_responses(409))
def change_shortlist_entry(
    requirement_id: uuid.UUID,
    candidate_id: uuid.UUID,
    body: StageChange,
    session: SessionDep,
    caller: Staff,
) -> Timeline:
    """Move one candidate to another stage (validated: a move the pipeline does not allow is a
    409 naming the allowed ones) and/or add a note to its history (staff)."""
    return pipeline.change_entry(session, caller, requirement_id, candidate_id, body)


@router.post("/{requirement_id:uuid}/shortlist/{candidate_id:uuid}/present", responses=problem_responses(409))
def present_candidate(
    requirement_id: uuid.UUID,
    candidate_id: uuid.UUID,
    body: Presentation,
    session: SessionDep,
    caller: Staff,
) -> Timeline:
    """Present one candidate to the requirement's client, with an optional note written for
    the client (staff). Only presented candidates ever reach the client."""
    return pipeline.present(session, caller, requirement_id, candidate_id, body)


@router.get("/{requirement_id:uuid}/shortlist/{candidate_id:uuid}/timeline")
def entry_timeline(
    requirement_id: uuid.UUID, candidate_id: uuid.UUID, session: SessionDep, caller: Staff
) -> Timeline:
    """Where the candidate stands on this requirement and everything that happened: stage
    changes, notes, presentation, client answers, every score change a run made (staff)."""
    return pipeline.timeline(session, caller, requirement_id, candidate_id)


@router.post("/{requirement_id:uuid}/presented/{handle}/answer", responses=problem_responses(409))
def answer_presented(
    requirement_id: uuid.UUID, handle: Handle, body: ClientAnswer, session: SessionDep, caller: Caller
) -> PresentedView:
    """The client's answer on a presented candidate: interested, ask for an interview, or
    decline with a reason (and a comment). Staff may record an answer given another way."""
    pipeline.answer(session, caller, requirement_id, handle, body)
    return shortlists.presented_card(session, caller, requirement_id, handle)
