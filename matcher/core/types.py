"""Plain input types of the matching core.

The core never sees free-text skill names to interpret, files, a database or the clock: skills
arrive already resolved to keys (a taxonomy id, or ``unknown:<normalised text>`` when the
resolver did not know the name), together with what the resolver did, for the explanations.
``matcher.core.prepare`` builds these from the import-format models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from matcher.schemas import Degree, Dimension, Seniority, Track, VettingStatus

#: Required skill key -> {candidate skill key: credit in (0, 1)} for skills that are related but
#: not the same (equal keys always earn 1.0 and need no entry).
Relations = Mapping[str, Mapping[str, float]]


class Component(StrEnum):
    """The scored components; each is a number in 0..1, weighted by a profile."""

    must_have = "must_have"
    nice_to_have = "nice_to_have"
    role_fit = "role_fit"
    experience = "experience"
    seniority = "seniority"
    rate = "rate"
    timezone = "timezone"
    availability = "availability"
    education = "education"


@dataclass(frozen=True, slots=True)
class SkillRef:
    """A skill as resolved: ``key`` decides matching; the rest only feeds explanations.

    ``raw`` is the text as written, ``name`` the taxonomy's display name, ``method`` how the
    resolver got there (``exact``, ``alias``, ``fuzzy`` or ``unknown``) and ``confidence`` its
    score for that resolution (0-100, as ``matcher.skills.Resolution.score``).
    """

    key: str
    raw: str = ""
    name: str = ""
    method: str = "exact"
    confidence: float = 100.0

    @property
    def label(self) -> str:
        """Display name, falling back to the text as written, then to the key."""
        return self.name or self.raw or self.key

    @property
    def written(self) -> str:
        return self.raw or self.label


@dataclass(frozen=True, slots=True)
class CandidateSkill:
    skill: SkillRef
    years: float = 0.0
    last_used: int | None = None

    @property
    def key(self) -> str:
        return self.skill.key


@dataclass(frozen=True, slots=True)
class RequiredSkill:
    skill: SkillRef
    min_years: float = 0.0

    @property
    def key(self) -> str:
        return self.skill.key


@dataclass(frozen=True)
class CandidateProfile:
    """Everything the core needs about one candidate (no personal data)."""

    external_id: str
    track: Track
    seniority: Seniority
    years_experience: float
    hourly_rate: float
    timezone: str
    available_from: dt.date
    skills: tuple[CandidateSkill, ...] = ()
    vetting_status: VettingStatus = VettingStatus.passed
    vetting_scores: Mapping[Dimension, float] = field(default_factory=dict)
    currency: str = "USD"
    hours_per_week: int = 40
    degree: Degree = Degree.none
    field_of_study: str | None = None


@dataclass(frozen=True)
class RequirementProfile:
    """One requirement spec as the core scores against it.

    ``min_degree`` none with no ``education_fields`` means no education requirement.
    ``track_is_hard`` excludes candidates vetted on the other track instead of taking
    ``components.TRACK_MISMATCH_POINTS`` off their score.
    ``must_have_is_hard`` turns a missing must-have (no equal or related skill at all) from a
    sharp score penalty into an exclusion.
    """

    external_id: str
    track: Track
    seniority: Seniority
    max_hourly_rate: float
    timezone: str
    start_by: dt.date
    must_have: tuple[RequiredSkill, ...] = ()
    nice_to_have: tuple[RequiredSkill, ...] = ()
    min_years_experience: float = 0.0
    currency: str = "USD"
    min_overlap_hours: float = 0.0
    hours_per_week: int = 40
    min_degree: Degree = Degree.none
    education_fields: tuple[str, ...] = ()
    must_have_is_hard: bool = False
    track_is_hard: bool = False
