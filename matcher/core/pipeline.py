"""The staffing pipeline of one (requirement, candidate): its stages and the moves between them.

Pure rules, no database. Internal stages (new, reviewing, shortlisted, rejected) are the
recruiter's triage and never reach a client. Presenting a candidate is an explicit recruiter
move into the client-facing stages (presented, client interested, interview requested, declined
by client, offer, hired, withdrawn), where the client answers and the recruiter follows up.

``check_move`` is the one place that says whether a move is allowed for whom: the services
call it before writing anything, so no stored stage is ever reached by a forbidden path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    new = "new"
    reviewing = "reviewing"
    shortlisted = "shortlisted"
    rejected = "rejected"
    presented = "presented"
    client_interested = "client_interested"
    interview_requested = "interview_requested"
    declined_by_client = "declined_by_client"
    offer = "offer"
    hired = "hired"
    withdrawn = "withdrawn"


class Mover(StrEnum):
    """Who makes a move: the staffing firm's recruiter, or the requirement's client."""

    recruiter = "recruiter"
    client = "client"


class DeclineReason(StrEnum):
    """Why a client declined a presented candidate (with optional free text beside it)."""

    skills = "skills"
    experience = "experience"
    rate = "rate"
    availability = "availability"
    timezone = "timezone"
    position_filled = "position_filled"
    other = "other"


INTERNAL_STAGES = frozenset({Stage.new, Stage.reviewing, Stage.shortlisted, Stage.rejected})
CLIENT_STAGES = frozenset(Stage) - INTERNAL_STAGES
#: Stages a recruiter has committed to: these people stay on the pipeline view whatever a
#: re-match says about them (ineligible, or outside the top N).
PIPELINE_STAGES = frozenset(Stage) - {Stage.new, Stage.reviewing, Stage.rejected}
#: Stages in which the client is expected to answer or the process to go on.
OPEN_CLIENT_STAGES = frozenset(
    {Stage.presented, Stage.client_interested, Stage.interview_requested, Stage.offer}
)
#: Where presenting may start from: any internal stage but rejected, or a withdrawn candidate
#: presented again.
PRESENTABLE = frozenset({Stage.new, Stage.reviewing, Stage.shortlisted, Stage.withdrawn})

#: What a client may do on a card, and what a recruiter may do; a recruiter may also record a
#: client's answer given by phone or mail (it is recorded under the recruiter's name).
CLIENT_MOVES: Mapping[Stage, frozenset[Stage]] = {
    Stage.presented: frozenset(
        {Stage.client_interested, Stage.interview_requested, Stage.declined_by_client}
    ),
    Stage.client_interested: frozenset({Stage.interview_requested, Stage.declined_by_client}),
    Stage.interview_requested: frozenset({Stage.declined_by_client}),
    Stage.offer: frozenset({Stage.declined_by_client}),
}
RECRUITER_MOVES: Mapping[Stage, frozenset[Stage]] = {
    Stage.new: frozenset({Stage.reviewing, Stage.shortlisted, Stage.rejected}),
    Stage.reviewing: frozenset({Stage.new, Stage.shortlisted, Stage.rejected}),
    Stage.shortlisted: frozenset({Stage.reviewing, Stage.rejected}),
    Stage.rejected: frozenset({Stage.reviewing, Stage.shortlisted}),
    Stage.presented: frozenset({Stage.withdrawn}),
    Stage.client_interested: frozenset({Stage.offer, Stage.withdrawn}),
    Stage.interview_requested: frozenset({Stage.offer, Stage.withdrawn}),
    Stage.offer: frozenset({Stage.hired, Stage.withdrawn}),
    Stage.declined_by_client: frozenset(),
    Stage.hired: frozenset(),
    Stage.withdrawn: frozenset(),
}

STAGE_LABELS: Mapping[Stage, str] = {
    Stage.new: "New",
    Stage.reviewing: "Reviewing",
    Stage.shortlisted: "Shortlisted",
    Stage.rejected: "Rejected",
    Stage.presented: "Presented",
    Stage.client_interested: "Client interested",
    Stage.interview_requested: "Interview requested",
    Stage.declined_by_client: "Declined by client",
    Stage.offer: "Offer",
    Stage.hired: "Hired",
    Stage.withdrawn: "Withdrawn",
}
DECLINE_LABELS: Mapping[DeclineReason, str] = {
    DeclineReason.skills: "Skills do not fit",
    DeclineReason.experience: "Not the right experience level",
    DeclineReason.rate: "Rate too high",
    DeclineReason.availability: "Not available in time",
    DeclineReason.timezone: "Working hours do not overlap enough",
    DeclineReason.position_filled: "Position filled",
    DeclineReason.other: "Other",
}


class InvalidMove(ValueError):
    """A move the pipeline does not allow (from that stage, or for that mover)."""


@dataclass(frozen=True)
class Move:
    """An allowed move, as the services record it."""

    before: Stage
    after: Stage
    by: Mover
    reason: DeclineReason | None = None


def allowed_moves(current: Stage, by: Mover) -> frozenset[Stage]:
    """The stages ``by`` may move an entry at ``current`` to (presenting is separate)."""
    client = CLIENT_MOVES.get(current, frozenset())
    if by is Mover.client:
        return client
    return RECRUITER_MOVES[current] | client


def check_move(current: Stage, target: Stage, by: Mover, reason: DeclineReason | None = None) -> Move:
    """The move from ``current`` to ``target`` by ``by``, or ``InvalidMove`` saying why not.

    A decline needs a reason, and only a decline takes one. Moving into ``presented`` is the
    presenting action (``check_present``), not an ordinary move."""
    if target is Stage.presented:
        raise InvalidMove("presenting a candidate to the client is its own action (present)")
    if target is current:
        raise InvalidMove(f"the candidate is already at {STAGE_LABELS[current].lower()}")
    if target not in allowed_moves(current, by):
        allowed = sorted(s.value for s in allowed_moves(current, by))
        raise InvalidMove(
            f"a {by.value} cannot move a candidate from {current.value} to {target.value}"
            + (f"; allowed: {', '.join(allowed)}" if allowed else "; no move is allowed from there")
        )
    if target is Stage.declined_by_client and reason is None:
        raise InvalidMove("declining a candidate needs a reason")
    if target is not Stage.declined_by_client and reason is not None:
        raise InvalidMove("only a decline takes a reason")
    return Move(current, target, by, reason)


def check_present(current: Stage, by: Mover) -> Move:
    """Presenting to the client: a recruiter's move from an internal stage (not rejected) or
    from withdrawn (presented again)."""
    if by is not Mover.recruiter:
        raise InvalidMove("only a recruiter presents candidates to a client")
    if current not in PRESENTABLE:
        raise InvalidMove(
            f"a candidate at {current.value} cannot be presented; "
            f"presentable: {', '.join(sorted(s.value for s in PRESENTABLE))}"
        )
    return Move(current, Stage.presented, by)


def client_visible(stage: Stage) -> bool:
    """Whether a client may see an entry at ``stage`` at all."""
    return stage in CLIENT_STAGES


#: How the recruiter statuses before the pipeline existed map onto stages (the migration and
#: its test use it): "submitted" meant sent to the client, "interviewing" that it asked for one.
LEGACY_STATUS: Mapping[str, Stage] = {
    "new": Stage.new,
    "shortlisted": Stage.shortlisted,
    "submitted": Stage.presented,
    "interviewing": Stage.interview_requested,
    "hired": Stage.hired,
    "rejected": Stage.rejected,
}
