"""Requirement specs posted by clients, with their must-have and nice-to-have skills."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from matcher.models.base import json_field, timestamp, uuid_pk


class SkillKind(StrEnum):
    must = "must"
    nice = "nice"


class Requirement(SQLModel, table=True):
    __tablename__ = "requirement"
    __table_args__ = (
        UniqueConstraint("client_id", "external_id", name="uq_requirement_client_external"),
        Index("ix_requirement_status_track", "status", "track"),
    )

    id: uuid.UUID = uuid_pk()
    external_id: str = Field(max_length=64)
    client_id: uuid.UUID = Field(foreign_key="client.id", index=True)
    title: str = Field(max_length=200)
    track: str = Field(max_length=16)
    seniority: str = Field(max_length=16)
    min_years_experience: float = 0
    max_hourly_rate: float
    currency: str = Field(default="USD", max_length=3)
    timezone: str = Field(max_length=64)
    min_overlap_hours: float = 0
    start_by: dt.date
    hours_per_week: int = 40
    education_min_degree: str | None = Field(default=None, max_length=16)
    education_fields: list[str] = json_field(list)
    headcount: int = 1
    status: str = Field(default="open", max_length=16)
    must_have_is_hard: bool = False
    track_is_hard: bool = False
    weight_profile_id: uuid.UUID | None = Field(default=None, foreign_key="weight_profile.id")
    created_at: dt.datetime = timestamp()
    updated_at: dt.datetime = timestamp()
    rematch_error: str | None = Field(
        default=None,
        max_length=2000,
        description="Why the re-match a change should have started could not be started; the "
        "worker's sweep retries it, and any run over the requirement clears it.",
    )
    rematch_failed_at: dt.datetime | None = timestamp(nullable=True)


class RequirementSkill(SQLModel, table=True):
    __tablename__ = "requirement_skill"

    id: int | None = Field(default=None, primary_key=True)
    requirement_id: uuid.UUID = Field(foreign_key="requirement.id", index=True, ondelete="CASCADE")
    kind: SkillKind = Field(sa_type=String(8))
    position: int = 0
    raw_name: str = Field(max_length=100)
    skill_key: str = Field(max_length=120, index=True)
    method: str = Field(max_length=16)
    match_score: float = 0.0
    min_years: float = 0.0
