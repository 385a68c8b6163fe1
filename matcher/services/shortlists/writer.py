"""Writing one requirement's shortlist after a ranking, without losing a recruiter's work.

The table holds, per requirement, the current top N (``state`` active, ``rank`` 1..N) and every
candidate who was ever in it: one who leaves keeps the row, with ``rank`` NULL and ``state``
dropped (still eligible, no longer in the top N), ineligible (no longer passes the hard
filters) or erased, so a candidate's stage in the pipeline is never lost and the table stays bounded by
the churn of the top N, not by the candidate pool.

Rows are upserted by (requirement, candidate) with the dialect's ``ON CONFLICT DO UPDATE``, which
sets only the run's columns (rank, score, components, reasons, state, run, profile); the
pipeline's columns (stage, handle, presentation, client answer) are never in the statement, and
the anonymous handle is drawn once, when the row is first written. Only rows whose content
changes are written, so writing
the same ranking twice changes nothing, and what changed (who entered, left or moved, from which
rank to which) is the same whoever computes it.

``components`` is the ranker's breakdown, ``{component: {"value", "weight", "points"}}``; the
must-have penalty is ``sum(points) - score``. Ineligible entries carry their exclusions first in
``reasons``.

Every written row whose score or state a run changed (or that enters for the first time) adds a
``score`` event to the pipeline history, with the score before and after and the run.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from matcher.core.pipeline import Stage
from matcher.errors import NotFound, ValidationFailed
from matcher.models import (
    EntryState,
    EventKind,
    new_handle,
    utcnow,
)
from matcher.models.tables import ENTRY, EVENT
from matcher.models.tables import REQ as REQUIREMENT
from matcher.services.shortlists import entry_store, fragments
from matcher.services.shortlists.changes import RankChange, ShortlistChange


@dataclass(frozen=True)
class RankedEntry:
    """What a run says about one candidate of one requirement.

    ``weight_profile_id`` None means the profile of the run writing it.
    """

    candidate_id: uuid.UUID
    state: EntryState
    rank: int | None
    score: float
    components: dict[str, Any] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    weight_profile_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Existing:
    """A stored entry, as the writer compares it."""

    candidate_id: uuid.UUID
    rank: int | None
    score: float
    components: dict[str, Any]
    reasons: list[str]
    state: EntryState
    stage: Stage
    has_notes: bool
    weight_profile_id: uuid.UUID | None
    handle: str = ""

    @property
    def worked_on(self) -> bool:
        """A recruiter has moved the candidate on or written a note."""
        return self.stage is not Stage.new or self.has_notes


@dataclass(frozen=True)
class Plan:
    rows: list[RankedEntry]
    change: ShortlistChange


def load_entries(session: Session, requirement_id: uuid.UUID) -> dict[uuid.UUID, Existing]:
    noted = set(
        session.scalars(
            select(EVENT.c.candidate_id)
            .where(EVENT.c.requirement_id == requirement_id, EVENT.c.kind == EventKind.note.value)
            .distinct()
        )
    )
    rows = session.execute(
        select(
            ENTRY.c.candidate_id,
            ENTRY.c.rank,
            ENTRY.c.score,
            ENTRY.c.components,
            ENTRY.c.reasons,
            ENTRY.c.state,
            ENTRY.c.stage,
            ENTRY.c.handle,
            ENTRY.c.weight_profile_id,
        ).where(ENTRY.c.requirement_id == requirement_id)
    )
    return {
        r.candidate_id: Existing(
            candidate_id=r.candidate_id,
            rank=r.rank,
            score=r.score,
            components=r.components,
            reasons=r.reasons,
            state=EntryState(r.state),
            stage=Stage(r.stage),
            has_notes=r.candidate_id in noted,
            weight_profile_id=r.weight_profile_id,
            handle=r.handle,
        )
        for r in rows
    }


def to_refresh(existing: Mapping[uuid.UUID, Existing], ranked: Sequence[RankedEntry]) -> list[Existing]:
    """Stored entries outside the new top N whose state the caller should re-decide: those
    leaving the top N now, and those a recruiter worked on (their state is kept current). The
    others keep their last state; re-scoring them every run would grow with the history."""
    in_top = {u.candidate_id for u in ranked}
    return sorted(
        (
            old
            for cid, old in existing.items()
            if cid not in in_top
            and old.state is not EntryState.erased
            and (old.state is EntryState.active or old.worked_on)
        ),
        key=lambda old: str(old.candidate_id),
    )


def _check_ranked(ranked: Sequence[RankedEntry]) -> None:
    seen: set[uuid.UUID] = set()
    for position, u in enumerate(ranked, start=1):
        if u.state is not EntryState.active or u.rank != position:
            raise ValidationFailed(
                f"ranked entry {position} of the shortlist must be active with rank {position}"
            )
        if u.candidate_id in seen:
            raise ValidationFailed(f"candidate {u.candidate_id} is ranked twice")
        seen.add(u.candidate_id)


def _differs(old: Existing | None, new: RankedEntry, profile_id: uuid.UUID | None) -> bool:
    if old is None:
        return True
    return (
        old.state is not new.state
        or old.rank != new.rank
        or old.score != new.score
        or old.components != new.components
        or old.reasons != new.reasons
        or old.weight_profile_id != (new.weight_profile_id or profile_id)
    )


def plan_shortlist(
    existing: Mapping[uuid.UUID, Existing],
    ranked: Sequence[RankedEntry],
    outside: Mapping[uuid.UUID, RankedEntry],
    *,
    weight_profile_id: uuid.UUID | None,
) -> Plan:
    """The rows to write and what changed (pure).

    ``ranked`` is the new top N in order (active, ranks 1..n). ``outside`` re-decides stored
    candidates that are not in it (dropped, ineligible or erased, rank None); a stored candidate
    who leaves the top N without a decision is marked dropped with its last score.
    """
    _check_ranked(ranked)
    rows: list[RankedEntry] = []
    changes: list[RankChange] = []
    in_top = set()
    for new in ranked:
        in_top.add(new.candidate_id)
        old = existing.get(new.candidate_id)
        if old is None or old.state is not EntryState.active:
            changes.append(RankChange(new.candidate_id, None, new.rank))
        elif old.rank != new.rank:
            changes.append(RankChange(new.candidate_id, old.rank, new.rank))
        if _differs(old, new, weight_profile_id):
            rows.append(new)
    for cid, u in outside.items():
        if cid in in_top or cid not in existing:
            raise ValidationFailed(f"candidate {cid} is not a stored entry outside the top N")
        if u.state is EntryState.active or u.rank is not None:
            raise ValidationFailed(f"candidate {cid} outside the top N cannot be active or ranked")
    for cid, old in existing.items():
        if cid in in_top:
            continue
        if old.state is EntryState.active:
            changes.append(RankChange(cid, old.rank, None))
        decided = outside.get(cid)
        if decided is None and old.state is EntryState.active:
            decided = RankedEntry(
                cid,
                EntryState.dropped,
                None,
                old.score,
                old.components,
                old.reasons,
                old.weight_profile_id,
            )
        if decided is not None and _differs(old, decided, weight_profile_id):
            rows.append(decided)
    return Plan(rows, ShortlistChange(tuple(changes)))


def lock_requirement(session: Session, requirement_id: uuid.UUID) -> None:
    """Serialise writers of one shortlist: a row lock on PostgreSQL, the database write lock on
    SQLite (taken by a no-op write, since SQLite has no row locks)."""
    if session.get_bind().dialect.name == "postgresql":
        found = session.execute(
            select(REQUIREMENT.c.id).where(REQUIREMENT.c.id == requirement_id).with_for_update()
        ).first()
    else:
        result = session.execute(
            update(REQUIREMENT)
            .where(REQUIREMENT.c.id == requirement_id)
            .values(updated_at=REQUIREMENT.c.updated_at)
        )
        found = result.rowcount == 1  # type: ignore[attr-defined]
    if not found:
        raise NotFound(f"requirement {requirement_id} not found")


def _handles(existing: Mapping[uuid.UUID, Existing], rows: Sequence[RankedEntry]) -> dict[uuid.UUID, str]:
    """A new handle for each row not stored yet, unique within the requirement (the upsert keeps
    a stored row's handle whatever is sent for it)."""
    taken = {old.handle for old in existing.values()}
    out: dict[uuid.UUID, str] = {}
    for u in rows:
        if u.candidate_id in existing:
            continue
        handle = new_handle()
        while handle in taken:
            handle = new_handle()
        taken.add(handle)
        out[u.candidate_id] = handle
    return out


def score_events(
    existing: Mapping[uuid.UUID, Existing], rows: Sequence[RankedEntry]
) -> list[tuple[RankedEntry, Existing | None]]:
    """The written rows the pipeline history records (pure): a first entry, or a change of
    score (to the hundredth) or of state."""
    out = []
    for u in rows:
        old = existing.get(u.candidate_id)
        if old is None or round(old.score, 2) != round(u.score, 2) or old.state is not u.state:
            out.append((u, old))
    return out


def apply_plan(
    session: Session,
    requirement_id: uuid.UUID,
    rows: Sequence[RankedEntry],
    *,
    run_id: uuid.UUID | None,
    weight_profile_id: uuid.UUID | None,
    now: dt.datetime | None = None,
    existing: Mapping[uuid.UUID, Existing] | None = None,
) -> int:
    """Upsert ``rows``; pipeline columns are set only on insert (stage new, a fresh handle), and
    the score changes go to the pipeline history. The rows written, and any entry of the
    requirement without a current stored JSON, are serialised again (``fragments``)."""
    now = now or utcnow()
    existing = existing if existing is not None else load_entries(session, requirement_id)
    handles = _handles(existing, rows)
    values = [
        {
            "id": uuid.uuid4(),
            "requirement_id": requirement_id,
            "candidate_id": u.candidate_id,
            "rank": u.rank,
            "score": u.score,
            "components": u.components,
            "reasons": u.reasons,
            "state": u.state.value,
            "stage": Stage.new.value,
            "handle": handles.get(u.candidate_id, ""),
            "client_note": "",
            "decline_comment": "",
            "match_run_id": run_id,
            "weight_profile_id": u.weight_profile_id or weight_profile_id,
            "created_at": now,
            "updated_at": now,
        }
        for u in rows
    ]
    entry_store.upsert_entries(session, values)
    events = [
        {
            "requirement_id": requirement_id,
            "candidate_id": u.candidate_id,
            "at": now,
            "actor": "matching",
            "kind": EventKind.score.value,
            "text": "",
            "score_before": old.score if old is not None else None,
            "score_after": u.score,
            "rank_before": old.rank if old is not None else None,
            "rank_after": u.rank,
            "state": u.state.value,
            "match_run_id": run_id,
        }
        for u, old in score_events(existing, rows)
    ]
    entry_store.insert_events(session, events)
    fragments.refresh(session, fragments.stale(requirement_id, [u.candidate_id for u in rows]))
    return len(values)


def write_shortlist(
    session: Session,
    requirement_id: uuid.UUID,
    ranked: Sequence[RankedEntry],
    *,
    run_id: uuid.UUID | None,
    weight_profile_id: uuid.UUID | None,
    outside: Callable[[list[Existing]], Mapping[uuid.UUID, RankedEntry]] | None = None,
    now: dt.datetime | None = None,
) -> ShortlistChange:
    """Replace the requirement's top N with ``ranked`` in the caller's transaction.

    ``outside(entries)`` is asked about the stored entries ``to_refresh`` picks and answers with
    their current state by candidate id (e.g. re-scored: dropped or ineligible); without it the
    ones leaving the top N are marked dropped with their last score.
    """
    lock_requirement(session, requirement_id)
    existing = load_entries(session, requirement_id)
    refresh = to_refresh(existing, ranked)
    decided = outside(refresh) if outside is not None and refresh else {}
    plan = plan_shortlist(existing, ranked, decided, weight_profile_id=weight_profile_id)
    written = apply_plan(
        session,
        requirement_id,
        plan.rows,
        run_id=run_id,
        weight_profile_id=weight_profile_id,
        now=now,
        existing=existing,
    )
    return ShortlistChange(plan.change.changes, written=written)
