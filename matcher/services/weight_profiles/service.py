"""Weight profiles through the API (admin): list, read, new version, and preview a draft.

Versions are written by ``matcher.services.weight_profiles.store``; a new version re-matches the open
requirements that use it (``triggers.on_profile_changed``). The preview ranks one requirement
under its current profile and under a draft that is never saved, with the same pool, day and
ranker, and shows how the top N would change.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, Field, StrictBool
from sqlmodel import Session, select

from matcher import clock
from matcher.core import relations_for
from matcher.core.profiles import WeightProfile, parse_profile
from matcher.core.types import Component
from matcher.errors import Conflict, NotFound
from matcher.json_types import NoNul
from matcher.models import Role, WeightProfileRecord
from matcher.runtime import runtime_of
from matcher.schemas import Dimension, Track
from matcher.services import matching
from matcher.services.accounts.service import Principal
from matcher.services.audit import record
from matcher.services.cursors import UtcDateTime
from matcher.services.runs.triggers import on_profile_changed
from matcher.services.weight_profiles import store as profiles
from matcher.skills import load_taxonomy

#: A relative weight; leave a key out to give it no weight.
Weight = Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)]
ProfileName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")]


class WeightProfileView(BaseModel):
    id: uuid.UUID
    name: str
    version: int
    track: Track
    components: dict[str, float]
    dimensions: dict[str, float]
    is_default: bool
    created_by: str
    created_at: UtcDateTime


class Weights(NoNul):
    """Relative weights, each > 0 (they are normalised to sum to 1); a key left out weighs 0."""

    model_config = {"extra": "forbid"}

    components: dict[Component, Weight] = Field(min_length=1)
    dimensions: dict[Dimension, Weight] = Field(min_length=1)


class ProfileVersion(Weights):
    """The next version of profile ``name`` (version 1 of a new name)."""

    name: ProfileName
    track: Track = Field(description="Must be the track of the profile's earlier versions.")
    make_default: StrictBool | None = Field(
        default=None, description="Make it its track's default (default: keep the previous version's flag)."
    )


class PreviewRequest(Weights):
    requirement_id: uuid.UUID
    top: int = Field(default=10, ge=1, le=50)


class PreviewEntry(BaseModel):
    candidate_id: uuid.UUID
    external_id: str
    rank: int
    score: float


class PreviewChange(BaseModel):
    candidate_id: uuid.UUID
    external_id: str
    rank_before: int | None
    rank_after: int | None
    score_before: float | None
    score_after: float | None


class Preview(BaseModel):
    requirement_id: uuid.UUID
    current_profile: str
    draft_profile: str
    before: list[PreviewEntry]
    after: list[PreviewEntry]
    changes: list[PreviewChange] = Field(description="Every candidate in either top N whose rank changes.")
    entered: int
    left: int


def _view(r: WeightProfileRecord) -> WeightProfileView:
    return WeightProfileView(
        id=r.id,
        name=r.name,
        version=r.version,
        track=Track(r.track),
        components=dict(r.components),
        dimensions=dict(r.dimensions),
        is_default=r.is_default,
        created_by=r.created_by,
        created_at=r.created_at,
    )


def list_profiles(
    session: Session, principal: Principal, *, all_versions: bool = False
) -> list[WeightProfileView]:
    """The weight profiles (admins only): the latest version of each, or ``all_versions``."""
    principal.require(Role.admin)
    return [_view(r) for r in profiles.list_records(session, all_versions=all_versions)]


def get_profile(session: Session, principal: Principal, profile_id: uuid.UUID) -> WeightProfileView:
    """One weight profile version (admins only)."""
    principal.require(Role.admin)
    profiles.ensure_default_profiles(session)
    return _view(profiles.get_record(session, profile_id))


def create_version(session: Session, principal: Principal, body: ProfileVersion) -> WeightProfileView:
    """Save the next version and re-match the open requirements that use the profile."""
    principal.require(Role.admin)
    previous = session.exec(
        select(WeightProfileRecord.track).where(WeightProfileRecord.name == body.name)
    ).first()
    if previous is not None and previous != body.track.value:
        raise Conflict(f"weight profile {body.name!r} is for the {previous} track, not {body.track.value}")
    saved = profiles.write_version(
        session,
        body.name,
        components={k.value: v for k, v in body.components.items()},
        dimensions={k.value: v for k, v in body.dimensions.items()},
        track=body.track,
        make_default=body.make_default,
        created_by=principal.actor,
    )
    record(
        session,
        principal.actor,
        "weight_profile.create",
        "weight_profile",
        str(saved.id),
        {"name": saved.name, "version": saved.version},
    )
    on_profile_changed(session, saved.id, actor=principal.actor)
    return _view(saved)


def preview(session: Session, principal: Principal, body: PreviewRequest) -> Preview:
    """How the requirement's top N changes under the draft weights (nothing is saved)."""
    principal.require(Role.admin)
    loaded = matching.load_requirements(session, [body.requirement_id]).get(body.requirement_id)
    if loaded is None:
        raise NotFound(f"no requirement {body.requirement_id}")
    current = profiles.to_core(profiles.effective_profile(session, loaded.id))
    draft = parse_profile(
        {
            "name": current.name,
            "version": current.version + 1,
            "track": current.track.value,
            "components": {k.value: v for k, v in body.components.items()},
            "dimensions": {k.value: v for k, v in body.dimensions.items()},
        },
        source="draft profile",
    )
    runtime = runtime_of(session)
    pool = runtime.pool_cache.get(session)
    relations = relations_for(loaded.profile, load_taxonomy().related_to)
    day = clock.today(runtime.settings)
    ranker = runtime.ranker

    def top(profile: WeightProfile) -> list[PreviewEntry]:
        ranking = ranker(loaded.profile, pool, profile, relations, day, top=body.top)
        return [
            PreviewEntry(
                candidate_id=pool.id_of(r.external_id),
                external_id=r.external_id,
                rank=r.rank or 0,
                score=round(r.score, 4),
            )
            for r in ranking.top
        ]

    before, after = top(current), top(draft)
    was = {e.candidate_id: e for e in before}
    now = {e.candidate_id: e for e in after}
    return Preview(
        requirement_id=loaded.id,
        current_profile=current.label,
        draft_profile=f"{draft.name} (draft)",
        before=before,
        after=after,
        changes=_rank_changes(was, now),
        entered=len(now.keys() - was.keys()),
        left=len(was.keys() - now.keys()),
    )


def _rank_changes(
    was: dict[uuid.UUID, PreviewEntry], now: dict[uuid.UUID, PreviewEntry]
) -> list[PreviewChange]:
    """The candidates whose rank differs between two top Ns (entering and leaving included)."""
    changes = []
    for cid in dict.fromkeys([*now, *was]):
        b, a = was.get(cid), now.get(cid)
        if b is not None and a is not None and b.rank == a.rank:
            continue
        changes.append(
            PreviewChange(
                candidate_id=cid,
                external_id=(a or b).external_id,  # type: ignore[union-attr]
                rank_before=b.rank if b else None,
                rank_after=a.rank if a else None,
                score_before=b.score if b else None,
                score_after=a.score if a else None,
            )
        )
    return changes
