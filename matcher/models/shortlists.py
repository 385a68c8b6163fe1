"""Shortlist entries: one row per (requirement, candidate), upserted by every run.

Recruiter status and notes live on the same row and are never overwritten by a run; a candidate
who leaves the top N or becomes ineligible keeps the row with ``state`` saying so.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from matcher.models.base import json_field, timestamp, uuid_pk


class RecruiterStatus(StrEnum):
    new = "new"
    shortlisted = "shortlisted"
    submitted = "submitted"
    interviewing = "interviewing"
    hired = "hired"
    rejected = "rejected"


class EntryState(StrEnum):
    active = "active"  # in the current top N
    dropped = "dropped"  # eligible, but fell out of the top N
    ineligible = "ineligible"  # no longer passes the hard filters
    erased = "erased"  # the candidate's personal data was erased; kept as anonymised history


class ShortlistEntry(SQLModel, table=True):
    __tablename__ = "shortlist_entry"
    __table_args__ = (
        UniqueConstraint("requirement_id", "candidate_id", name="uq_shortlist_requirement_candidate"),
        Index("ix_shortlist_requirement_state_rank", "requirement_id", "state", "rank"),
    )

    id: uuid.UUID = uuid_pk()
    requirement_id: uuid.UUID = Field(foreign_key="requirement.id", ondelete="CASCADE")
    candidate_id: uuid.UUID = Field(foreign_key="candidate.id", index=True)
    rank: int | None = None
    score: float = 0.0
    components: dict[str, Any] = json_field()
    reasons: list[str] = json_field(list)
    state: EntryState = Field(default=EntryState.active, sa_type=String(16))
    status: RecruiterStatus = Field(default=RecruiterStatus.new, sa_type=String(16))
    notes: str = Field(default="", max_length=10_000)
    match_run_id: uuid.UUID | None = Field(default=None, foreign_key="match_run.id", index=True)
    weight_profile_id: uuid.UUID | None = Field(default=None, foreign_key="weight_profile.id")
    created_at: dt.datetime = timestamp()
    updated_at: dt.datetime = timestamp()
    status_changed_at: dt.datetime | None = timestamp(nullable=True)
    status_changed_by: str | None = Field(default=None, max_length=100)
