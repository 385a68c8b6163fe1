"""Match runs: one re-match of one or many requirements, and its per-requirement outcome."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from matcher.models.base import json_field, timestamp, uuid_pk


class RunStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class MatchRun(SQLModel, table=True):
    __tablename__ = "match_run"

    id: uuid.UUID = uuid_pk()
    status: RunStatus = Field(default=RunStatus.queued, sa_type=String(16), index=True)
    trigger: str = Field(default="manual", max_length=32)
    requested_by: str = Field(default="system", max_length=100)
    client_id: uuid.UUID | None = Field(default=None, foreign_key="client.id", index=True)
    total: int = 0
    processed: int = 0
    failed: int = 0
    error: str | None = Field(default=None, max_length=2000)
    created_at: dt.datetime = timestamp(index=True)
    started_at: dt.datetime | None = timestamp(nullable=True)
    finished_at: dt.datetime | None = timestamp(nullable=True)
    dispatched_at: dt.datetime | None = timestamp(nullable=True)


class MatchRunRequirement(SQLModel, table=True):
    """The outcome of one requirement in one run; one row each, so progress is a count."""

    __tablename__ = "match_run_requirement"
    __table_args__ = (
        UniqueConstraint("run_id", "requirement_id", name="uq_run_requirement"),
        Index("ix_match_run_requirement_run_status", "run_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: uuid.UUID = Field(foreign_key="match_run.id", index=True, ondelete="CASCADE")
    requirement_id: uuid.UUID = Field(foreign_key="requirement.id", index=True, ondelete="CASCADE")
    status: RunStatus = Field(default=RunStatus.queued, sa_type=String(16))
    weight_profile_id: uuid.UUID | None = Field(default=None, foreign_key="weight_profile.id")
    eligible: int = 0
    entered: int = 0
    left: int = 0
    moved: int = 0
    changes: list[dict[str, Any]] = json_field(
        list, description="Who entered, left or moved: [{candidate_id, before, after}] (ranks, None = out)."
    )
    duration_ms: float = 0.0
    error: str | None = Field(default=None, max_length=2000)
    finished_at: dt.datetime | None = timestamp(nullable=True)
    attempts: int = Field(default=0, description="Deliveries that claimed this row (crash-loop guard).")
    claimed_at: dt.datetime | None = timestamp(nullable=True)
    claimed_by: str | None = Field(default=None, max_length=200, description="host:pid of the claimer.")
    timings: dict[str, float] = json_field()
