"""Candidate rows of the database as core profiles.

The pool loader of the re-matcher (``matcher.services.matching``) and the index's streaming
build (``matcher.index.loading``) select these columns and turn them into the same objects.
Equal skill references and skills are shared between candidates: a pool of 100k holds a few
thousand distinct ones.
"""

from __future__ import annotations

from typing import Any

from matcher.core.types import CandidateProfile, CandidateSkill, SkillRef
from matcher.models.tables import CAND, CSKILL
from matcher.schemas import Degree, Dimension, Seniority, Track, VettingStatus
from matcher.skills import Taxonomy

#: A candidate's columns a profile is built from (``id`` to join the skills).
PROFILE_COLUMNS = (
    CAND.c.id,
    CAND.c.external_id,
    CAND.c.track,
    CAND.c.seniority,
    CAND.c.years_experience,
    CAND.c.vetting_status,
    CAND.c.vetting_scores,
    CAND.c.hourly_rate,
    CAND.c.currency,
    CAND.c.timezone,
    CAND.c.available_from,
    CAND.c.hours_per_week,
    CAND.c.education_degree,
    CAND.c.education_field,
)
#: A candidate skill's columns; select them ordered by ``candidate_id, position``.
SKILL_COLUMNS = (
    CSKILL.c.candidate_id,
    CSKILL.c.skill_key,
    CSKILL.c.raw_name,
    CSKILL.c.method,
    CSKILL.c.match_score,
    CSKILL.c.years,
    CSKILL.c.last_used,
)
SKILL_ORDER = (CSKILL.c.candidate_id, CSKILL.c.position, CSKILL.c.id)

#: Enum members by value: a dict lookup per field of 100k rows instead of an enum call.
_TRACK = {t.value: t for t in Track}
_SENIORITY = {s.value: s for s in Seniority}
_STATUS = {s.value: s for s in VettingStatus}
_DIMENSION = {d.value: d for d in Dimension}
_DEGREE = {d.value: d for d in Degree}


class ProfileBuilder:
    """Builds core profiles from rows of ``PROFILE_COLUMNS`` and ``SKILL_COLUMNS``."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._refs: dict[tuple[Any, ...], SkillRef] = {}
        self._skills: dict[tuple[Any, ...], CandidateSkill] = {}

    def ref(self, key: str, raw: str, method: str, score: float) -> SkillRef:
        """The skill as resolved: the taxonomy's display name, the text as written if unknown."""
        k = (key, raw, method, score)
        ref = self._refs.get(k)
        if ref is None:
            known = self.taxonomy.skills.get(key)
            ref = SkillRef(
                key=key, raw=raw, name=known.name if known else raw, method=method, confidence=score
            )
            self._refs[k] = ref
        return ref

    def skill(self, row: Any) -> CandidateSkill:
        """A candidate skill from a row of ``SKILL_COLUMNS``."""
        ref = self.ref(row.skill_key, row.raw_name, row.method, row.match_score)
        k = (id(ref), row.years, row.last_used)
        skill = self._skills.get(k)
        if skill is None:
            skill = self._skills[k] = CandidateSkill(ref, row.years, row.last_used)
        return skill

    def profile(self, row: Any, skills: tuple[CandidateSkill, ...]) -> CandidateProfile:
        """A candidate profile from a row of ``PROFILE_COLUMNS`` and its skills in order."""
        return CandidateProfile(
            external_id=row.external_id,
            track=_TRACK[row.track],
            seniority=_SENIORITY[row.seniority],
            years_experience=row.years_experience,
            hourly_rate=row.hourly_rate,
            timezone=row.timezone,
            available_from=row.available_from,
            skills=skills,
            vetting_status=_STATUS[row.vetting_status],
            vetting_scores={
                _DIMENSION[k]: v for k, v in (row.vetting_scores or {}).items() if k in _DIMENSION
            },
            currency=row.currency,
            hours_per_week=row.hours_per_week,
            degree=_DEGREE[row.education_degree],
            field_of_study=row.education_field,
        )
