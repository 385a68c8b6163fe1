"""Realistic pools and requirements for the index tests: the fixtures generator's records,
validated as the import format and prepared for the core with one bulk skill resolution."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fixtures.generator import ANCHOR_DATE, generate_candidates, generate_requirements
from matcher.core import (
    CandidateProfile,
    Relations,
    RequirementProfile,
    WeightProfile,
    default_profile,
    prepare_candidate,
    prepare_requirement,
    relations_for,
)
from matcher.schemas import CandidateIn, RequirementIn
from matcher.services.skills import resolve_names
from matcher.skills import load_taxonomy

TODAY: dt.date = ANCHOR_DATE


@dataclass(frozen=True)
class Spec:
    """A requirement with everything ``rank`` needs besides the pool."""

    requirement: RequirementProfile
    profile: WeightProfile
    relations: Relations

    def args(self) -> tuple[RequirementProfile, WeightProfile, Relations, dt.date]:
        return self.requirement, self.profile, self.relations, TODAY


def candidate_records(n: int, seed: int = 11) -> list[dict[str, Any]]:
    return list(generate_candidates(n, seed))


def prepared(records: list[dict[str, Any]]) -> list[CandidateProfile]:
    models = [CandidateIn.model_validate(r) for r in records]
    resolutions = resolve_names(s.name for c in models for s in c.skills)
    return [prepare_candidate(c, resolutions) for c in models]


def specs(m: int, seed: int = 5) -> list[Spec]:
    models = [RequirementIn.model_validate(r) for r in generate_requirements(m, seed)]
    resolutions = resolve_names(s.name for r in models for s in (*r.must_have, *r.nice_to_have))
    taxonomy = load_taxonomy()
    out = []
    for i, model in enumerate(models):
        req = prepare_requirement(
            model.model_copy(update={"must_have_is_hard": i % 4 == 3, "track_is_hard": i % 3 == 2}),
            resolutions,
        )
        out.append(Spec(req, default_profile(req.track), relations_for(req, taxonomy.related_to)))
    return out
