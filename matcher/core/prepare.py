"""From the import format to the core's plain types.

The caller resolves every skill name once, in bulk (``SkillResolver.resolve_many``), and passes
the resolutions keyed by the name as written; this module only looks them up, so the core
never runs the resolver or fuzzy matching itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol

from matcher.core.types import (
    CandidateProfile,
    CandidateSkill,
    RequiredSkill,
    RequirementProfile,
    SkillRef,
)
from matcher.errors import ValidationFailed
from matcher.schemas import CandidateIn, Degree, RequirementIn, RequirementSkillIn


class ResolvedName(Protocol):
    """What the core reads from a ``matcher.skills.Resolution``."""

    @property
    def name(self) -> str | None: ...
    @property
    def method(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def key(self) -> str: ...
    def entries(self) -> Sequence[ResolvedName]:
        """Each skill of a combined entry ("Java/J2EE"), else the resolution itself."""
        ...


def skill_names(requirement: RequirementIn, candidates: Iterable[CandidateIn]) -> list[str]:
    """Every distinct skill name as written, in first-seen order: one bulk resolve covers all."""
    names = [s.name for s in (*requirement.must_have, *requirement.nice_to_have)]
    names.extend(s.name for c in candidates for s in c.skills)
    return list(dict.fromkeys(names))


def _resolution(raw: str, resolutions: Mapping[str, ResolvedName]) -> ResolvedName:
    try:
        return resolutions[raw]
    except KeyError:
        raise ValidationFailed(f"skill {raw!r} was not resolved") from None


def _as_ref(raw: str, res: ResolvedName) -> SkillRef:
    return SkillRef(key=res.key, raw=raw, name=res.name or raw, method=res.method, confidence=res.score)


def _ref(raw: str, resolutions: Mapping[str, ResolvedName]) -> SkillRef:
    return _as_ref(raw, _resolution(raw, resolutions))


def _refs(raw: str, resolutions: Mapping[str, ResolvedName]) -> list[SkillRef]:
    """A candidate's entry as the skills it names: each part of "Java/J2EE" is a skill the
    candidate has, with the entry's years and last use (a requirement names one skill)."""
    return [_as_ref(raw, part) for part in _resolution(raw, resolutions).entries()]


def _required(
    skills: Iterable[RequirementSkillIn], resolutions: Mapping[str, ResolvedName]
) -> tuple[RequiredSkill, ...]:
    return tuple(RequiredSkill(_ref(s.name, resolutions), s.min_years) for s in skills)


def prepare_requirement(
    requirement: RequirementIn, resolutions: Mapping[str, ResolvedName]
) -> RequirementProfile:
    education = requirement.education
    return RequirementProfile(
        external_id=requirement.external_id,
        track=requirement.track,
        seniority=requirement.seniority,
        max_hourly_rate=requirement.max_hourly_rate,
        timezone=requirement.timezone,
        start_by=requirement.start_by,
        must_have=_required(requirement.must_have, resolutions),
        nice_to_have=_required(requirement.nice_to_have, resolutions),
        min_years_experience=requirement.min_years_experience,
        currency=requirement.currency,
        min_overlap_hours=requirement.min_overlap_hours,
        hours_per_week=requirement.hours_per_week,
        min_degree=education.min_degree if education else Degree.none,
        education_fields=tuple(education.fields) if education else (),
        must_have_is_hard=requirement.must_have_is_hard,
        track_is_hard=requirement.track_is_hard,
    )


def prepare_candidate(candidate: CandidateIn, resolutions: Mapping[str, ResolvedName]) -> CandidateProfile:
    return CandidateProfile(
        external_id=candidate.external_id,
        track=candidate.track,
        seniority=candidate.seniority,
        years_experience=candidate.years_experience,
        hourly_rate=candidate.hourly_rate,
        timezone=candidate.timezone,
        available_from=candidate.available_from,
        skills=tuple(
            CandidateSkill(ref, s.years, s.last_used)
            for s in candidate.skills
            for ref in _refs(s.name, resolutions)
        ),
        vetting_status=candidate.vetting.status,
        vetting_scores=dict(candidate.vetting.scores),
        currency=candidate.currency,
        hours_per_week=candidate.hours_per_week,
        degree=candidate.education.degree,
        field_of_study=candidate.education.field,
    )


def relations_for(
    requirement: RequirementProfile, related_to: Callable[[str], Mapping[str, float]]
) -> dict[str, dict[str, float]]:
    """The relation credits the core needs for this requirement's skills, e.g. from
    ``Taxonomy.related_to``."""
    keys = {s.key for s in (*requirement.must_have, *requirement.nice_to_have)}
    return {key: dict(related_to(key)) for key in sorted(keys)}
