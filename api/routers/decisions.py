"""Admin only: self-identification, fitting weights to decisions, the impact-ratio audit."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import Field, StrictBool, TypeAdapter

from api.deps import Admin, SessionDep, SessionRoute
from api.problems import problem_responses
from matcher.json_types import JsonTypes, NoNul
from matcher.schemas import Track
from matcher.services.decisions import audit, fitting, self_identification
from matcher.services.decisions.audit import AuditReport
from matcher.services.decisions.fitting import FitReport, Published
from matcher.services.decisions.self_identification import SelfIdentificationIn, SelfIdentificationView

#: A profile version: N (of the track's default profile) or name@vN.
VERSION_PATTERN = r"^([a-z0-9][a-z0-9._-]{0,63}@v)?[0-9]{1,9}$"
Seed = Annotated[int, Field(ge=0, le=2**31 - 1, description="Seed of the pair sample and bootstraps.")]
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


class AuditFormat(StrEnum):
    json = "json"
    csv = "csv"


@router.get("/audit/impact-ratios", response_model=list[AuditReport], responses=problem_responses(404, 409))
def impact_ratios(
    session: SessionDep,
    caller: Admin,
    track: Track | None = None,
    profile: Annotated[
        str | None, Query(pattern=VERSION_PATTERN, description="N or name@vN; default: the current profile")
    ] = None,
    format: AuditFormat = AuditFormat.json,
) -> Response:
    """Selection rates and impact ratios per stage and per sex, race/ethnicity and both, under the
    current profile or a version (aggregates only; ``format=csv`` downloads them)."""
    reports = audit.reports_for(session, caller, track, profile)
    if format is AuditFormat.csv:
        return Response(
            audit.to_csv(reports),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="impact-ratios.csv"'},
        )
    return Response(TypeAdapter(list[AuditReport]).dump_json(reports), media_type="application/json")


@router.get("/weight-profiles/fit", responses=problem_responses(404, 409))
def fit_weights(session: SessionDep, caller: Admin, track: Track, seed: Seed = 0) -> FitReport:
    """A profile fitted to the track's decisions, beside the current one: weights with bootstrap
    intervals, held-out NDCG@10 and recall, how each open top 10 would move, and both audits.
    Nothing is saved; 409 below the minimum of decisions."""
    return fitting.fit_for(session, caller, track, seed)


class PublishFit(NoNul, JsonTypes):
    model_config = {"extra": "forbid"}

    track: Track
    seed: Seed = 0
    force: StrictBool = Field(
        default=False, description="Publish even when it does not beat the current profile."
    )


@router.post("/weight-profiles/fit/publish", status_code=201, responses=problem_responses(404, 409))
def publish_fit(body: PublishFit, session: SessionDep, caller: Admin) -> Published:
    """Fit, and save the proposal as the next version of the track's default profile with its
    evaluation and audits attached (409 when it does not beat the current profile, unless forced)."""
    return fitting.publish_for(session, caller, body.track, seed=body.seed, force=body.force)


@router.get("/weight-profiles/{profile_id:uuid}/evaluation", responses=problem_responses(404))
def profile_evaluation(profile_id: uuid.UUID, session: SessionDep, caller: Admin) -> dict[str, Any]:
    """The fit, evaluation and audits a published fitted version came with."""
    return fitting.evaluation_of(session, caller, profile_id)
