"""``/api/v1/attention``: what needs a recruiter's look (staff)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from api.deps import SessionDep, SessionRoute, Staff
from matcher.services.shortlists import pipeline
from matcher.services.shortlists.pipeline import AttentionItem

router = APIRouter(prefix="/attention", tags=["pipeline"], route_class=SessionRoute)


@router.get("")
def attention(
    session: SessionDep, caller: Staff, requirement_id: uuid.UUID | None = None
) -> list[AttentionItem]:
    """People in the pipeline who became ineligible or left the top N, client answers not acted
    on since, and strong newcomers of a requirement's latest run; newest first (staff)."""
    return pipeline.attention(session, caller, requirement_id)
