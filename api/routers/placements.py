"""``/api/v1/candidates/{id}/matches`` and adding a candidate to a shortlist: placing a person
(recruiters and admins)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SessionDep, SessionRoute, Staff
from api.problems import problem_responses
from matcher.services.shortlists import placements
from matcher.services.shortlists.placements import CandidateMatches, ShortlistAddition

router = APIRouter(tags=["placements"], route_class=SessionRoute)


@router.get("/candidates/{candidate_id:uuid}/matches")
def candidate_matches(
    candidate_id: uuid.UUID,
    session: SessionDep,
    _: Staff,
    top: Annotated[
        int, Query(ge=1, le=placements.MAX_TOP, description="How many eligible requirements to list.")
    ] = placements.DEFAULT_TOP,
    include_ineligible: Annotated[
        bool, Query(description="Also list the open requirements the candidate is not eligible for.")
    ] = False,
) -> CandidateMatches:
    """The open requirements that fit the candidate best, each scored with its own weight
    profile exactly as its shortlist scores the candidate, with the reasons."""
    return placements.candidate_matches(session, candidate_id, top=top, include_ineligible=include_ineligible)


@router.post(
    "/requirements/{requirement_id:uuid}/shortlist/{candidate_id:uuid}",
    responses=problem_responses(409),
)
def add_to_shortlist(
    requirement_id: uuid.UUID, candidate_id: uuid.UUID, session: SessionDep, caller: Staff
) -> ShortlistAddition:
    """Put the candidate on the requirement's shortlist at stage shortlisted (a new entry moves
    there as a recorded pipeline event; one a recruiter already moved on keeps its stage); a
    candidate outside the top N gets an entry scored now; an ineligible one is a 409."""
    return placements.add_to_shortlist(session, caller, requirement_id, candidate_id)
