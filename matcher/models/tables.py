"""The SQLAlchemy ``Table`` of each model, named once, for the set-based queries and writes
(SQLModel declares ``__table__`` without a type, hence the one ``ignore``)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table
from sqlmodel import SQLModel

from matcher.models import (
    ApiKey,
    AuditEntry,
    Candidate,
    CandidatePersonal,
    CandidateSkill,
    Client,
    Decision,
    MatchRun,
    MatchRunRequirement,
    PipelineEvent,
    Requirement,
    RequirementSkill,
    SelfIdentification,
    ShortlistEntry,
    UiSessionRecord,
    WeightProfileRecord,
)


def _table(model: type[SQLModel]) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


API_KEY = _table(ApiKey)
AUDIT = _table(AuditEntry)
CAND = _table(Candidate)
PERSONAL = _table(CandidatePersonal)
CSKILL = _table(CandidateSkill)
CLIENT = _table(Client)
DECISION = _table(Decision)
RUN = _table(MatchRun)
MRR = _table(MatchRunRequirement)
EVENT = _table(PipelineEvent)
REQ = _table(Requirement)
RSKILL = _table(RequirementSkill)
SELF_ID = _table(SelfIdentification)
ENTRY = _table(ShortlistEntry)
UI_SESSION = _table(UiSessionRecord)
PROFILE = _table(WeightProfileRecord)
