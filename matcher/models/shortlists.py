"""Shortlist entries: one row per (requirement, candidate), upserted by every run, and the
pipeline's history of each.

The pipeline columns (stage, handle, presentation, the client's answer) live on the same row
and are never overwritten by a run; a candidate who leaves the top N or becomes ineligible keeps
the row with ``state`` saying so. Every stage change, note, presentation, client answer and
score change a run made is a ``PipelineEvent`` (notes exist only there: a history, never
overwritten).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from matcher.core.pipeline import DeclineReason, Stage
from matcher.models.base import json_field, timestamp, uuid_pk

#: Letters and digits that cannot be mistaken for each other (no I, L, O, U, 0, 1).
HANDLE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"


def new_handle() -> str:
    """A fresh anonymous handle such as ``K7QM-4XRA`` (about 39 random bits): drawn once, when the
    entry is first written, and never changed, so a client's "candidate K7QM-4XRA" is the same
    person on every visit whatever re-matches do to the ranks. Unique per requirement."""
    chars = "".join(secrets.choice(HANDLE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


class EntryState(StrEnum):
    active = "active"  # in the current top N
    dropped = "dropped"  # eligible, but fell out of the top N
    ineligible = "ineligible"  # no longer passes the hard filters
    erased = "erased"  # the candidate's personal data was erased; kept as anonymised history


class ShortlistEntry(SQLModel, table=True):
    __tablename__ = "shortlist_entry"
    __table_args__ = (
        UniqueConstraint("requirement_id", "candidate_id", name="uq_shortlist_requirement_candidate"),
        UniqueConstraint("requirement_id", "handle", name="uq_shortlist_requirement_handle"),
        Index("ix_shortlist_requirement_state_rank", "requirement_id", "state", "rank"),
        Index("ix_shortlist_requirement_stage", "requirement_id", "stage"),
    )

    id: uuid.UUID = uuid_pk()
    requirement_id: uuid.UUID = Field(foreign_key="requirement.id", ondelete="CASCADE")
    candidate_id: uuid.UUID = Field(foreign_key="candidate.id", index=True)
    rank: int | None = None
    score: float = 0.0
    components: dict[str, Any] = json_field()
    reasons: list[str] = json_field(list)
    state: EntryState = Field(default=EntryState.active, sa_type=String(16))
    stage: Stage = Field(default=Stage.new, sa_type=String(24))
    handle: str = Field(default_factory=new_handle, max_length=16)
    match_run_id: uuid.UUID | None = Field(default=None, foreign_key="match_run.id", index=True)
    weight_profile_id: uuid.UUID | None = Field(default=None, foreign_key="weight_profile.id")
    created_at: dt.datetime = timestamp()
    updated_at: dt.datetime = timestamp()
    stage_changed_at: dt.datetime | None = timestamp(nullable=True)
    stage_changed_by: str | None = Field(default=None, max_length=100)
    presented_at: dt.datetime | None = timestamp(nullable=True)
    client_note: str = Field(default="", max_length=2_000)
    decline_reason: DeclineReason | None = Field(default=None, sa_type=String(24))
    decline_comment: str = Field(default="", max_length=1_000)
    client_answered_at: dt.datetime | None = timestamp(nullable=True)
    """When the client last answered (interested, interview, decline)."""
    staff_seen_at: dt.datetime | None = timestamp(nullable=True)
    """When a recruiter last acted on the entry: a client answer after it needs attention."""
    staff_json: str | None = Field(default=None, sa_type=Text)
    """The entry as the staff's shortlist page shows it, serialised when the entry (or its
    candidate) was last written (``services/shortlists/fragments``); None: not known, the page
    builds it from the rows."""
    client_json: str | None = Field(default=None, sa_type=Text)
    """The entry as its client's page shows it (presented entries only), likewise."""
    json_version: str | None = Field(default=None, max_length=16)
    """The serialisation the two fragments were made with: another one is not used."""


class EventKind(StrEnum):
    stage = "stage"  # a stage change (not presenting)
    presented = "presented"
    client = "client"  # a client's answer
    note = "note"  # a recruiter's note
    score = "score"  # a run entered, re-scored or moved the candidate, or changed its state


class PipelineEvent(SQLModel, table=True):
    """One thing that happened to a (requirement, candidate): who, when, what."""

    __tablename__ = "pipeline_event"
    __table_args__ = (Index("ix_pipeline_event_entry", "requirement_id", "candidate_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    requirement_id: uuid.UUID = Field(foreign_key="requirement.id", ondelete="CASCADE")
    candidate_id: uuid.UUID = Field(foreign_key="candidate.id", index=True)
    at: dt.datetime = timestamp()
    actor: str = Field(max_length=100)
    kind: EventKind = Field(sa_type=String(16))
    from_stage: str | None = Field(default=None, max_length=24)
    to_stage: str | None = Field(default=None, max_length=24)
    reason: str | None = Field(default=None, max_length=24)
    text: str = Field(default="", max_length=10_000)
    score_before: float | None = None
    score_after: float | None = None
    rank_before: int | None = None
    rank_after: int | None = None
    state: str | None = Field(default=None, max_length=16)
    match_run_id: uuid.UUID | None = Field(default=None, foreign_key="match_run.id", ondelete="SET NULL")
