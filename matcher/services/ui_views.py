"""Read models the web UI needs and the other services do not offer.

Each function is a small query (or a read-only computation) over the same tables the API
services use; authorization stays with the caller's ``Principal`` and the services it
reuses (``owned_requirement``). Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlmodel import Session

from matcher.models import (
    EntryState,
    Role,
    RunStatus,
)
from matcher.models.tables import CLIENT, ENTRY, MRR, PERSONAL, REQ, RUN
from matcher.schemas import RequirementStatus
from matcher.services.accounts.service import Principal
from matcher.services.requirements.service import owned_requirement
from matcher.services.shortlists import service as shortlists
from matcher.services.shortlists.changes import RankChange
from matcher.services.shortlists.service import StaffEntryView, StateFilter

UNFINISHED = (RunStatus.queued.value, RunStatus.running.value)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive UTC timestamps, PostgreSQL aware ones."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


# --- freshness of shortlists ------------------------------------------------------------------


class Freshness(StrEnum):
    fresh = "fresh"
    """Matched after its last change."""
    stale = "stale"
    """Changed since it was last matched."""
    matching = "matching"
    """A run is matching it now."""
    never = "never"
    """Never matched."""
    failed = "failed"
    """Its last match failed."""


@dataclass(frozen=True)
class RequirementStats:
    requirement_id: uuid.UUID
    shortlist_size: int
    last_matched_at: dt.datetime | None
    last_run_id: uuid.UUID | None
    running_run_id: uuid.UUID | None
    freshness: Freshness


def requirement_stats(
    session: Session, requirements: Mapping[uuid.UUID, dt.datetime]
) -> dict[uuid.UUID, RequirementStats]:
    """Shortlist size, last run and freshness of each requirement (id -> its ``updated_at``)."""
    ids = list(requirements)
    if not ids:
        return {}
    sizes = dict(
        session.execute(
            select(ENTRY.c.requirement_id, func.count())
            .where(ENTRY.c.requirement_id.in_(ids), ENTRY.c.state == EntryState.active.value)
            .group_by(ENTRY.c.requirement_id)
        ).all()
    )
    latest_ids = (
        select(func.max(MRR.c.id))
        .where(MRR.c.requirement_id.in_(ids), MRR.c.status.notin_(UNFINISHED))
        .group_by(MRR.c.requirement_id)
    )
    finished = {
        r.requirement_id: r
        for r in session.execute(
            select(MRR.c.requirement_id, MRR.c.run_id, MRR.c.status, MRR.c.finished_at).where(
                MRR.c.id.in_(latest_ids)
            )
        )
    }
    running: dict[uuid.UUID, uuid.UUID] = {}
    for rid, run_id in session.execute(
        select(MRR.c.requirement_id, MRR.c.run_id)
        .where(MRR.c.requirement_id.in_(ids), MRR.c.status.in_(UNFINISHED))
        .order_by(MRR.c.id)
    ):
        running[rid] = run_id
    out = {}
    for rid, updated_at in requirements.items():
        last = finished.get(rid)
        matched_at = _aware(last.finished_at) if last is not None else None
        out[rid] = RequirementStats(
            requirement_id=rid,
            shortlist_size=int(sizes.get(rid, 0)),
            last_matched_at=matched_at,
            last_run_id=last.run_id if last is not None else None,
            running_run_id=running.get(rid),
            freshness=_freshness(
                rid in running, None if last is None else last.status, matched_at, updated_at
            ),
        )
    return out


def _freshness(
    running: bool, last_status: str | None, matched_at: dt.datetime | None, updated_at: dt.datetime | None
) -> Freshness:
    """Matching now, never matched, last run failed, edited since the last match, or fresh."""
    if running:
        return Freshness.matching
    if last_status is None:
        return Freshness.never
    if last_status == RunStatus.failed.value:
        return Freshness.failed
    if matched_at is not None and updated_at is not None and (_aware(updated_at) or matched_at) > matched_at:
        return Freshness.stale
    return Freshness.fresh


def run_covers(session: Session, run_id: uuid.UUID, requirement_id: uuid.UUID) -> bool:
    """Whether the run matches this requirement (so a viewer of the requirement may follow it)."""
    found = session.execute(
        select(MRR.c.id).where(MRR.c.run_id == run_id, MRR.c.requirement_id == requirement_id)
    ).first()
    return found is not None


# --- what the last run changed ----------------------------------------------------------------


@dataclass(frozen=True)
class RunChanges:
    """A finished run of a requirement: its counts and who it made enter, leave or move."""

    run_id: uuid.UUID
    trigger: str
    requested_by: str
    status: RunStatus
    finished_at: dt.datetime | None
    eligible: int
    entered: int
    left: int
    moved: int
    error: str | None
    rank_changes: tuple[RankChange, ...]

    @property
    def changed_anything(self) -> bool:
        return bool(self.entered or self.left or self.moved)


def last_run_changes(
    session: Session, principal: Principal, requirement_id: uuid.UUID, *, changed_only: bool = False
) -> RunChanges | None:
    """What the requirement's last finished run did (the last one that changed its shortlist if
    ``changed_only``), or None if there is none."""
    req = owned_requirement(session, principal, requirement_id)
    query = (
        select(MRR, RUN.c.trigger, RUN.c.requested_by)
        .join(RUN, RUN.c.id == MRR.c.run_id)
        .where(MRR.c.requirement_id == req.id, MRR.c.status.notin_(UNFINISHED))
    )
    if changed_only:
        query = query.where((MRR.c.entered + MRR.c.left + MRR.c.moved) > 0)
    last = session.execute(query.order_by(MRR.c.id.desc()).limit(1)).first()
    if last is None:
        return None
    return RunChanges(
        run_id=last.run_id,
        trigger=last.trigger,
        requested_by=last.requested_by,
        status=RunStatus(last.status),
        finished_at=_aware(last.finished_at),
        eligible=last.eligible,
        entered=last.entered,
        left=last.left,
        moved=last.moved,
        error=last.error,
        rank_changes=tuple(RankChange.from_json(c) for c in last.changes or ()),
    )


@dataclass(frozen=True)
class ChangedEntry:
    """A shortlist entry as it is now, with the rank the run moved it from and to."""

    entry: StaffEntryView
    before: int | None
    after: int | None


@dataclass(frozen=True)
class ChangesView:
    latest: RunChanges | None
    """The last finished run."""
    shown: RunChanges | None
    """The last finished run that changed the shortlist (the latest if none did)."""
    entered: list[ChangedEntry]
    moved: list[ChangedEntry]
    left: list[ChangedEntry]


def what_changed(session: Session, principal: Principal, requirement_id: uuid.UUID) -> ChangesView:
    """Who the last run that changed a requirement's shortlist made enter, move or leave (staff)."""
    principal.require(Role.recruiter)
    latest = last_run_changes(session, principal, requirement_id)
    shown = latest
    if latest is not None and not latest.changed_anything:
        shown = last_run_changes(session, principal, requirement_id, changed_only=True) or latest
    groups: dict[str, list[ChangedEntry]] = {"entered": [], "moved": [], "left": []}
    if shown is not None and shown.rank_changes:
        page = shortlists.get_shortlist_all(session, principal, requirement_id, state=StateFilter.all)
        now = {e.candidate.id: e for e in page.items if isinstance(e, StaffEntryView)}
        for c in shown.rank_changes:
            entry = now.get(c.candidate_id)
            if entry is None:
                continue
            kind = "entered" if c.before is None else "left" if c.after is None else "moved"
            groups[kind].append(ChangedEntry(entry, c.before, c.after))
        for kind, items in groups.items():
            items.sort(key=lambda ce: (ce.before if kind == "left" else ce.after) or 0)
    return ChangesView(latest, shown, groups["entered"], groups["moved"], groups["left"])


# --- names for staff pages --------------------------------------------------------------------


def candidate_names(session: Session, candidate_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Names of candidates (staff pages only: the caller checks the role); erased ones have none."""
    ids = list(dict.fromkeys(candidate_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(PERSONAL.c.candidate_id, PERSONAL.c.name).where(PERSONAL.c.candidate_id.in_(ids))
    )
    return {cid: name for cid, name in rows}


def open_requirement_choices(session: Session, *, limit: int = 500) -> list[tuple[uuid.UUID, str, str, str]]:
    """(id, client slug, external id, title) of open requirements, for a picker (staff)."""
    rows = session.execute(
        select(REQ.c.id, CLIENT.c.slug, REQ.c.external_id, REQ.c.title, REQ.c.track)
        .join(CLIENT, CLIENT.c.id == REQ.c.client_id)
        .where(REQ.c.status == RequirementStatus.open.value)
        .order_by(CLIENT.c.slug, REQ.c.external_id)
        .limit(limit)
    )
    return [(r.id, r.slug, r.external_id, f"{r.title} ({r.track})") for r in rows]


def client_choices(session: Session) -> list[tuple[str, str]]:
    """(slug, name) of every client account, for the recruiter's picker (staff)."""
    return [
        (r.slug, r.name)
        for r in session.execute(select(CLIENT.c.slug, CLIENT.c.name).order_by(CLIENT.c.slug))
    ]
