"""Small builders of core profiles for the core tests: explicit skill keys, no resolver."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from matcher.core import CandidateProfile, CandidateSkill, RequiredSkill, RequirementProfile, SkillRef
from matcher.schemas import Dimension, Seniority, Track

TODAY = dt.date(2026, 9, 1)
START = dt.date(2026, 10, 1)

DESIGN = (
    Dimension.system_design,
    Dimension.architecture,
    Dimension.security,
    Dimension.data_modeling,
    Dimension.performance,
)
EXECUTION = (
    Dimension.api_implementation,
    Dimension.integration,
    Dimension.code_quality,
    Dimension.testing,
    Dimension.delivery,
)


def ref(key: str, raw: str | None = None, method: str = "exact") -> SkillRef:
    name = key.capitalize()
    return SkillRef(key=key, raw=raw or name, name=name, method=method)


def has(
    key: str,
    years: float = 5,
    last_used: int | None = 2026,
    raw: str | None = None,
    method: str = "exact",
) -> CandidateSkill:
    return CandidateSkill(ref(key, raw, method), years, last_used)


def needs(key: str, min_years: float = 0) -> RequiredSkill:
    return RequiredSkill(ref(key), min_years)


def scores(value: float = 4.0, **overrides: float) -> dict[Dimension, float]:
    out = {d: value for d in Dimension}
    out.update({Dimension(k): v for k, v in overrides.items()})
    return out


def requirement(**changes: Any) -> RequirementProfile:
    base = RequirementProfile(
        external_id="req-1",
        track=Track.engineer,
        seniority=Seniority.senior,
        max_hourly_rate=80,
        timezone="Europe/Berlin",
        start_by=START,
        must_have=(needs("python", 4), needs("postgresql", 3)),
        nice_to_have=(needs("kafka"),),
        min_years_experience=5,
        min_overlap_hours=3,
    )
    return replace(base, **changes)


def candidate(external_id: str = "cand-1", **changes: Any) -> CandidateProfile:
    base = CandidateProfile(
        external_id=external_id,
        track=Track.engineer,
        seniority=Seniority.senior,
        years_experience=8,
        hourly_rate=60,
        timezone="Europe/Warsaw",
        available_from=dt.date(2026, 9, 15),
        skills=(has("python", 6), has("postgresql", 5), has("kafka", 2)),
        vetting_scores=scores(),
    )
    return replace(base, **changes)
