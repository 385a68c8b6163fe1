"""The decision log, voluntary self-identification, and what a published fitted profile carries.

A ``Decision`` is one pipeline move (a recruiter's or a client's), stored with a snapshot of what
the candidate looked like to the scorer at that moment: component values, vetting dimension
scores, the score, whether the candidate was vetted on the other track, and the weight profile
version in force. Later re-scoring never rewrites it. ``subject`` groups the decisions on one
(requirement, candidate); when the candidate is erased, ``candidate_id`` is cleared and
``subject`` replaced by a fresh random id, so the rows stay usable for fitting and auditing but
point at nobody. No free text is ever copied here.

``SelfIdentification`` lives in its own table, read only by the admin-only services of
``matcher.services.decisions``; nothing that scores, ranks, lists or exports candidates reads it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from matcher.core.audit import RaceEthnicity, Sex
from matcher.models.base import json_field, timestamp, uuid_pk


class Decision(SQLModel, table=True):
    __tablename__ = "decision"
    __table_args__ = (
        Index("ix_decision_track_at", "track", "at"),
        Index("ix_decision_requirement_subject", "requirement_id", "subject"),
    )

    id: int | None = Field(default=None, primary_key=True)
    requirement_id: uuid.UUID = Field(foreign_key="requirement.id", ondelete="CASCADE")
    candidate_id: uuid.UUID | None = Field(
        default=None, foreign_key="candidate.id", index=True, ondelete="SET NULL"
    )
    subject: uuid.UUID = Field(description="Groups one (requirement, candidate); re-drawn on erasure.")
    track: str = Field(max_length=16, description="The requirement's track.")
    at: dt.datetime = timestamp()
    actor: str = Field(max_length=100)
    mover: str = Field(max_length=16, description="recruiter or client")
    from_stage: str = Field(max_length=24)
    to_stage: str = Field(max_length=24)
    reason: str | None = Field(default=None, max_length=24)
    score: float = 0.0
    components: dict[str, float] = json_field(description="Component values 0..1 at that moment.")
    dimensions: dict[str, float] = json_field(description="Vetting scores 0-5 at that moment.")
    other_track: bool = Field(default=False, description="Candidate vetted on the other track.")
    weight_profile_id: uuid.UUID | None = Field(
        default=None, foreign_key="weight_profile.id", ondelete="SET NULL"
    )


class SelfIdentification(SQLModel, table=True):
    """What a candidate chose to disclose about themselves (admin-only, never scored)."""

    __tablename__ = "self_identification"

    candidate_id: uuid.UUID = Field(foreign_key="candidate.id", primary_key=True, ondelete="CASCADE")
    sex: Sex = Field(default=Sex.not_disclosed, sa_type=String(16))
    race_ethnicity: RaceEthnicity = Field(default=RaceEthnicity.not_disclosed, sa_type=String(40))
    recorded_at: dt.datetime = timestamp()
    recorded_by: str = Field(default="system", max_length=100)


class ProfileEvaluation(SQLModel, table=True):
    """The fit, offline evaluation and impact-ratio audit a published profile version came with."""

    __tablename__ = "weight_profile_evaluation"

    id: uuid.UUID = uuid_pk()
    weight_profile_id: uuid.UUID = Field(foreign_key="weight_profile.id", unique=True, ondelete="CASCADE")
    fit: dict[str, Any] = json_field()
    evaluation: dict[str, Any] = json_field()
    audit: dict[str, Any] = json_field()
    created_by: str = Field(default="system", max_length=100)
    created_at: dt.datetime = timestamp()
