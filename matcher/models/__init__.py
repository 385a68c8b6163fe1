"""The database tables (SQLModel). Importing this package registers every table on the metadata."""

from matcher.models.accounts import ApiKey, Client, Role, UiSessionRecord
from matcher.models.audit import AuditEntry
from matcher.models.base import utcnow
from matcher.models.candidates import Candidate, CandidatePersonal, CandidateSkill
from matcher.models.decisions import (
    Decision,
    ProfileEvaluation,
    RaceEthnicity,
    SelfIdentification,
    Sex,
)
from matcher.models.profiles import WeightProfileRecord
from matcher.models.requirements import Requirement, RequirementSkill, SkillKind
from matcher.models.runs import MatchRun, MatchRunRequirement, RunStatus
from matcher.models.shortlists import EntryState, EventKind, PipelineEvent, ShortlistEntry, new_handle

__all__ = [
    "ApiKey",
    "AuditEntry",
    "Candidate",
    "CandidatePersonal",
    "CandidateSkill",
    "Client",
    "Decision",
    "EntryState",
    "EventKind",
    "MatchRun",
    "MatchRunRequirement",
    "PipelineEvent",
    "ProfileEvaluation",
    "RaceEthnicity",
    "Requirement",
    "RequirementSkill",
    "Role",
    "RunStatus",
    "SelfIdentification",
    "Sex",
    "ShortlistEntry",
    "SkillKind",
    "UiSessionRecord",
    "WeightProfileRecord",
    "new_handle",
    "utcnow",
]
