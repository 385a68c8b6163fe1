"""``/api/v1/candidates``: recruiters and admins only; erasure is admin only."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query

from api.deps import Admin, CandidateCursor, Limit, SessionDep, SessionRoute, SettingsDep, Staff, utf8
from api.payloads import CandidatePatchPayload, CandidatePayload
from api.problems import problem_responses
from matcher.services.candidates import erasure
from matcher.services.candidates import service as candidates
from matcher.services.candidates.service import (
    CandidateFilters,
    CandidateImportSummary,
    CandidateView,
)
from matcher.services.cursors import DEFAULT_PAGE, Page
from matcher.services.shortlists import pipeline
from matcher.services.shortlists.pipeline import CandidatePipeline

router = APIRouter(prefix="/candidates", tags=["candidates"], route_class=SessionRoute)
NDJSON = "application/x-ndjson"


@router.post("", status_code=201, responses=problem_responses(409))
def create_candidate(body: CandidatePayload, session: SessionDep, caller: Staff) -> CandidateView:
    """Create one candidate in the import format; an existing external_id is a 409."""
    return candidates.create_candidate(session, caller, body)


@router.post("/import", responses=problem_responses(413))
def import_candidates(
    session: SessionDep,
    settings: SettingsDep,
    caller: Staff,
    body: Annotated[bytes, Body(media_type=NDJSON, description="JSON Lines, one candidate a line.")] = b"",
) -> CandidateImportSummary:
    """Create or update candidates by external_id, all or nothing: any invalid record and
    nothing is written; the 422 lists every error with its line, field and reason."""
    return candidates.import_candidates_text(
        session, caller, utf8(body), max_records=settings.max_import_records
    )


@router.get("")
def list_candidates(
    filters: Annotated[CandidateFilters, Query()],
    session: SessionDep,
    caller: Staff,
    cursor: CandidateCursor = "",
    limit: Limit = DEFAULT_PAGE,
) -> Page[CandidateView]:
    """Candidates by external_id, filtered; follow ``next_cursor`` for the next page."""
    return candidates.list_candidates(session, caller, filters, cursor=cursor, limit=limit)


@router.get("/{candidate_id:uuid}")
def get_candidate(candidate_id: uuid.UUID, session: SessionDep, caller: Staff) -> CandidateView:
    return candidates.get_candidate(session, caller, candidate_id)


@router.put("/{candidate_id:uuid}", responses=problem_responses(409))
def replace_candidate(
    candidate_id: uuid.UUID, body: CandidatePayload, session: SessionDep, caller: Staff
) -> CandidateView:
    """Replace the whole record (import format)."""
    return candidates.replace_candidate(session, caller, candidate_id, body)


@router.patch("/{candidate_id:uuid}", responses=problem_responses(409))
def patch_candidate(
    candidate_id: uuid.UUID, body: CandidatePatchPayload, session: SessionDep, caller: Staff
) -> CandidateView:
    """Change some fields; the result is validated as a whole record."""
    return candidates.patch_candidate(session, caller, candidate_id, body)


@router.delete("/{candidate_id:uuid}")
def erase_candidate(candidate_id: uuid.UUID, session: SessionDep, caller: Admin) -> erasure.ErasureReport:
    """Erase the candidate's personal data everywhere (admin). Shortlist rows stay as
    anonymised history in state ``erased``."""
    return erasure.erase_candidate(session, caller, candidate_id)


@router.get("/{candidate_id:uuid}/pipeline")
def candidate_pipeline(
    candidate_id: uuid.UUID, session: SessionDep, caller: Staff
) -> list[CandidatePipeline]:
    """Every requirement the candidate is on, with its stage and its history (staff)."""
    candidates.get_candidate(session, caller, candidate_id)
    return pipeline.candidate_pipelines(session, caller, candidate_id)
