"""What shortlist readers get: the staff views and the anonymised client cards (models only)."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

from matcher.core.pipeline import DeclineReason, Stage
from matcher.models import (
    EntryState,
)
from matcher.services.cursors import UtcDateTime


class StateFilter(StrEnum):
    """Which entries to list (staff): by default the current top N and everyone in the pipeline
    (shortlisted or beyond) wherever a re-match put them (``current``); or one state; or all."""

    current = "current"
    active = "active"
    dropped = "dropped"
    ineligible = "ineligible"
    erased = "erased"
    all = "all"


class CardSkill(BaseModel):
    skill_key: str = Field(description="The taxonomy key (clients see taxonomy skills only).")
    name: str = Field(description="The taxonomy's canonical name (staff: the name as written).")
    years: float
    last_used: int | None


class CandidateCard(BaseModel):
    """What a client may know about a candidate: nothing that identifies the person."""

    track: str
    seniority: str
    years_experience: float
    skills: list[CardSkill]
    timezone: str
    hourly_rate: float
    currency: str
    available_from: dt.date
    hours_per_week: int


class StaffCandidateCard(CandidateCard):
    """The card with the personal data a recruiter works with (None once erased)."""

    id: uuid.UUID
    external_id: str
    name: str | None
    email: str | None
    headline: str | None
    vetting_status: str


class ClientFeedback(BaseModel):
    """The client's own answer on a presented candidate."""

    decline_reason: DeclineReason | None
    comment: str
    answered_at: UtcDateTime | None


class PresentedView(BaseModel):
    """A candidate as presented to the client: its handle, its client-facing stage, the
    recruiter's note written for the client, the client's own answer and the anonymised card."""

    handle: str = Field(description="Stable anonymous name of this candidate on this requirement.")
    stage: Stage = Field(description="A client-facing stage: never one of the recruiter's own.")
    presented_at: UtcDateTime | None
    note_for_client: str
    feedback: ClientFeedback
    candidate: CandidateCard
    score: float
    components: dict[str, Any]
    reasons: list[str]


class StaffEntryView(BaseModel):
    candidate: StaffCandidateCard
    rank: int | None
    score: float
    components: dict[str, Any]
    reasons: list[str]
    state: EntryState
    updated_at: UtcDateTime
    handle: str
    stage: Stage
    stage_changed_at: UtcDateTime | None
    stage_changed_by: str | None
    presented_at: UtcDateTime | None
    note_for_client: str
    decline_reason: DeclineReason | None
    decline_comment: str
    client_answered_at: UtcDateTime | None
    match_run_id: uuid.UUID | None
    weight_profile_id: uuid.UUID | None


class ClientShortlistPage(BaseModel):
    view: Literal["client"] = "client"
    requirement_id: uuid.UUID
    items: list[PresentedView]
    more_under_review: int = Field(
        description="Candidates the recruiter is still reviewing for this requirement (not presented yet)."
    )
    next_cursor: str | None = None


class StaffShortlistPage(BaseModel):
    view: Literal["staff"] = "staff"
    requirement_id: uuid.UUID
    items: list[StaffEntryView]
    next_cursor: str | None = None
