"""``/api/v1/weight-profiles`` (admin): versioned role weights, and a preview of a draft."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from api.deps import Admin, SessionDep, SessionRoute
from api.payloads import PreviewPayload, ProfileVersionPayload
from api.problems import problem_responses
from matcher.services.weight_profiles import service as weights
from matcher.services.weight_profiles.service import Preview, WeightProfileView

router = APIRouter(prefix="/weight-profiles", tags=["weight profiles"], route_class=SessionRoute)


@router.get("")
def list_profiles(session: SessionDep, caller: Admin, all_versions: bool = False) -> list[WeightProfileView]:
    """The latest version of each profile (every version with ``all_versions``)."""
    return weights.list_profiles(session, caller, all_versions=all_versions)


@router.post("", status_code=201, responses=problem_responses(409))
def create_version(body: ProfileVersionPayload, session: SessionDep, caller: Admin) -> WeightProfileView:
    """Save the next version of a profile; the open requirements using it are re-matched."""
    return weights.create_version(session, caller, body)


@router.post("/preview")
def preview(body: PreviewPayload, session: SessionDep, caller: Admin) -> Preview:
    """How a requirement's top N would change under draft weights, before saving them."""
    return weights.preview(session, caller, body)


@router.get("/{profile_id:uuid}")
def get_profile(profile_id: uuid.UUID, session: SessionDep, caller: Admin) -> WeightProfileView:
    return weights.get_profile(session, caller, profile_id)
