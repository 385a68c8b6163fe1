"""Candidates, their skills, and their personal data.

Personal data (name, email) lives in its own table so that no client-facing query can select it
by accident: anonymised views read ``candidate`` and ``candidate_skill`` only, and erasure
deletes the ``candidate_personal`` row.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from matcher.models.base import json_field, timestamp, uuid_pk


class Candidate(SQLModel, table=True):
    __tablename__ = "candidate"
    __table_args__ = (Index("ix_candidate_track_vetting", "track", "vetting_status"),)

    id: uuid.UUID = uuid_pk()
    external_id: str = Field(max_length=64, unique=True, index=True)
    track: str = Field(max_length=16)
    headline: str | None = Field(default=None, max_length=200)
    seniority: str = Field(max_length=16, index=True)
    years_experience: float
    vetting_status: str = Field(max_length=16)
    vetted_on: dt.date | None = None
    vetting_scores: dict[str, float] = json_field()
    hourly_rate: float
    currency: str = Field(default="USD", max_length=3)
    timezone: str = Field(max_length=64)
    available_from: dt.date
    hours_per_week: int = 40
    education_degree: str = Field(default="none", max_length=16)
    education_field: str | None = Field(default=None, max_length=100)
    languages: list[str] = json_field(list)
    erased_at: dt.datetime | None = timestamp(nullable=True)
    created_at: dt.datetime = timestamp()
    updated_at: dt.datetime = timestamp(index=True)


class CandidatePersonal(SQLModel, table=True):
    __tablename__ = "candidate_personal"

    candidate_id: uuid.UUID = Field(foreign_key="candidate.id", primary_key=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    email: str = Field(max_length=320, index=True)


class CandidateSkill(SQLModel, table=True):
    """A skill as the candidate wrote it, with its resolution to the taxonomy."""

    __tablename__ = "candidate_skill"

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: uuid.UUID = Field(foreign_key="candidate.id", index=True, ondelete="CASCADE")
    position: int = 0
    raw_name: str = Field(max_length=100)
    skill_key: str = Field(max_length=120, index=True)
    method: str = Field(max_length=16)
    match_score: float = 0.0
    years: float = 0.0
    last_used: int | None = None

    def to_import(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.raw_name, "years": self.years}
        if self.last_used is not None:
            out["last_used"] = self.last_used
        return out
