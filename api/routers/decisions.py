"""Admin only: self-identification, fitting weights to decisions, the impact-ratio audit."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from api.deps import Admin, SessionDep, SessionRoute
from api.problems import problem_responses
from matcher.json_types import JsonTypes
from matcher.services.decisions import self_identification
from matcher.services.decisions.self_identification import SelfIdentificationIn, SelfIdentificationView

router = APIRouter(tags=["decisions and audit"], route_class=SessionRoute)


class SelfIdentificationPayload(SelfIdentificationIn, JsonTypes):
    """What the candidate chose to disclose; a field left out is "not disclosed"."""


@router.put("/candidates/{candidate_id:uuid}/self-identification")
def put_self_identification(
    candidate_id: uuid.UUID, body: SelfIdentificationPayload, session: SessionDep, caller: Admin
) -> SelfIdentificationView:
    """Record a candidate's voluntary self-identification (admins; never used for scoring)."""
    return self_identification.put(session, caller, candidate_id, body)


@router.get("/candidates/{candidate_id:uuid}/self-identification", responses=problem_responses(404))
def get_self_identification(
    candidate_id: uuid.UUID, session: SessionDep, caller: Admin
) -> SelfIdentificationView:
    return self_identification.get(session, caller, candidate_id)
