"""The numbers a (requirement, candidate) pair is scored on, computed once and shared by the
eligibility checks, the component values and the explanations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from matcher.core import components as f
from matcher.core.timezones import overlap_hours
from matcher.core.types import (
    CandidateProfile,
    CandidateSkill,
    Relations,
    RequiredSkill,
    RequirementProfile,
)


@dataclass(frozen=True, slots=True)
class SkillCredit:
    """The best candidate skill for one required skill; ``best`` is None when it is missing."""

    required: RequiredSkill
    best: CandidateSkill | None
    relation: float
    years_factor: float
    recency_factor: float
    credit: float

    @property
    def missing(self) -> bool:
        return self.best is None


def best_credit(
    required: RequiredSkill, skills: Sequence[CandidateSkill], relations: Relations, today_year: int
) -> SkillCredit:
    """The max over the candidate's skills of relation x years x recency credit.

    Among equal credits the first skill listed is shown; the credit does not depend on order.
    """
    best = SkillCredit(required, None, 0.0, 0.0, 0.0, 0.0)
    for skill in skills:
        relation = f.relation_credit(required.key, skill.key, relations)
        if relation <= 0:
            continue
        years = f.years_factor(skill.years, required.min_years)
        recency = f.recency_factor(skill.last_used, today_year)
        credit = f.skill_credit(relation, years, recency)
        if best.best is None or credit > best.credit:
            best = SkillCredit(required, skill, relation, years, recency, credit)
    return best


@dataclass(frozen=True)
class PairFeatures:
    must_have: tuple[SkillCredit, ...]
    nice_to_have: tuple[SkillCredit, ...]
    overlap_hours: float
    rate_ratio: float
    days_early: int
    field_matches: bool

    @property
    def missing_must_have(self) -> list[RequiredSkill]:
        return [c.required for c in self.must_have if c.missing]


def pair_features(
    requirement: RequirementProfile,
    candidate: CandidateProfile,
    relations: Relations,
    today: dt.date,
) -> PairFeatures:
    def credits(required: Sequence[RequiredSkill]) -> tuple[SkillCredit, ...]:
        return tuple(best_credit(r, candidate.skills, relations, today.year) for r in required)

    return PairFeatures(
        must_have=credits(requirement.must_have),
        nice_to_have=credits(requirement.nice_to_have),
        overlap_hours=overlap_hours(requirement.timezone, candidate.timezone, requirement.start_by),
        rate_ratio=f.rate_ratio(
            candidate.hourly_rate,
            candidate.currency,
            requirement.max_hourly_rate,
            requirement.currency,
        ),
        days_early=(requirement.start_by - candidate.available_from).days,
        field_matches=f.field_matches(candidate.field_of_study, requirement.education_fields),
    )
