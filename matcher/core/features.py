"""The numbers a (requirement, candidate) pair is scored on, computed once and shared by the
eligibility checks, the component values and the explanations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
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


class RequirementFeatures:
    """Computes ``PairFeatures`` of candidates against one requirement, relation credits and
    date, with what depends on those alone worked out once: per candidate skill key, the
    required skills it earns credit towards and at which relation credit
    (``components.relation_credits``), and the recency factor of every last-used year seen.

    Skill credits are, per required skill, the max over the candidate's skills of relation x
    years x recency credit; among equal credits the first skill listed is shown (the credit does
    not depend on order).
    """

    __slots__ = ("_earns", "_recency", "_required", "_split", "requirement", "today")

    def __init__(self, requirement: RequirementProfile, relations: Relations, today: dt.date) -> None:
        self.requirement = requirement
        self.today = today
        self._required = (*requirement.must_have, *requirement.nice_to_have)
        self._split = len(requirement.must_have)
        earns: dict[str, list[tuple[int, float]]] = {}
        for i, required in enumerate(self._required):
            for key, relation in f.relation_credits(required.key, relations).items():
                earns.setdefault(key, []).append((i, relation))
        self._earns: Mapping[str, Sequence[tuple[int, float]]] = earns
        self._recency: dict[int | None, float] = {}

    def _recency_factor(self, last_used: int | None) -> float:
        found = self._recency.get(last_used)
        if found is None:
            found = self._recency[last_used] = f.recency_factor(last_used, self.today.year)
        return found

    def skill_credits(self, skills: Sequence[CandidateSkill]) -> list[SkillCredit]:
        """The best credit of every required skill, must-haves first, in the requirement's order."""
        required = self._required
        best: list[SkillCredit | None] = [None] * len(required)
        earns = self._earns
        for skill in skills:
            targets = earns.get(skill.skill.key)
            if targets is None:
                continue
            recency = self._recency_factor(skill.last_used)
            for i, relation in targets:
                years = f.years_factor(skill.years, required[i].min_years)
                credit = f.skill_credit(relation, years, recency)
                current = best[i]
                if current is None or credit > current.credit:
                    best[i] = SkillCredit(required[i], skill, relation, years, recency, credit)
        return [
            SkillCredit(r, None, 0.0, 0.0, 0.0, 0.0) if b is None else b
            for r, b in zip(required, best, strict=True)
        ]

    def pair(self, candidate: CandidateProfile) -> PairFeatures:
        """The features of ``candidate`` against the requirement."""
        r = self.requirement
        credits = self.skill_credits(candidate.skills)
        return PairFeatures(
            must_have=tuple(credits[: self._split]),
            nice_to_have=tuple(credits[self._split :]),
            overlap_hours=overlap_hours(r.timezone, candidate.timezone, r.start_by),
            rate_ratio=f.rate_ratio(candidate.hourly_rate, candidate.currency, r.max_hourly_rate, r.currency),
            days_early=(r.start_by - candidate.available_from).days,
            field_matches=f.field_matches(candidate.field_of_study, r.education_fields),
        )
