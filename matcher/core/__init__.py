"""The matching core: eligibility, role-weighted scoring that explains itself, the reference
ranker. Pure functions on plain data; no database, HTTP, resolver or clock inside."""

from matcher.core.explain import why_above
from matcher.core.prepare import prepare_candidate, prepare_requirement, relations_for, skill_names
from matcher.core.profiles import (
    WeightProfile,
    default_profile,
    default_profiles,
    load_profile,
    parse_profile,
)
from matcher.core.ranking import Scorer, check_profile, check_relations, rank, score_candidate
from matcher.core.results import ComponentScore, RankedCandidate, SkillMatch
from matcher.core.timezones import overlap_hours
from matcher.core.types import (
    CandidateProfile,
    CandidateSkill,
    Component,
    Relations,
    RequiredSkill,
    RequirementProfile,
    SkillRef,
)

__all__ = [
    "CandidateProfile",
    "CandidateSkill",
    "Component",
    "ComponentScore",
    "RankedCandidate",
    "Relations",
    "RequiredSkill",
    "RequirementProfile",
    "Scorer",
    "SkillMatch",
    "SkillRef",
    "WeightProfile",
    "check_profile",
    "check_relations",
    "default_profile",
    "default_profiles",
    "load_profile",
    "overlap_hours",
    "parse_profile",
    "prepare_candidate",
    "prepare_requirement",
    "rank",
    "relations_for",
    "score_candidate",
    "skill_names",
    "why_above",
]
