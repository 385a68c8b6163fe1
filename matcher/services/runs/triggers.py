"""Keeping shortlists fresh when their inputs change.

Call these in the transaction that makes the change: each starts a match run over the
requirements the change can affect, and the run's chunks are enqueued only once that
transaction commits (a rolled-back change enqueues nothing). ``TALENTMATCH_AUTO_REMATCH=false``
turns them off, for bulk loads and tests; every function then returns None, as it does when
nothing is affected.

A trigger never fails the change that fired it. It works in a savepoint; if it raises, the
savepoint is rolled back, the error is logged and recorded on the requirements it may concern
(``rematch_error``: recruiters see it) and the change commits. The workers' sweep retries
those requirements (``retry_failed_triggers``); any run over a requirement clears its record.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from matcher.core import prefilter
from matcher.core.timezones import overlap_hours
from matcher.dispatch import savepoint
from matcher.models import MatchRun, utcnow
from matcher.models.tables import CAND, ENTRY, REQ
from matcher.runtime import runtime_of
from matcher.schemas import CURRENCY_PER_USD, RequirementStatus, Track, VettingStatus
from matcher.services.runs import Dispatch, open_requirement_ids, start_run
from matcher.services.weight_profiles import store as profiles

#: Above this many changed candidates every open requirement is re-matched, without
#: pre-filtering pair by pair: a bulk import touches nearly all of them anyway.
BULK_CANDIDATES = 500
_IN = 1000

log = logging.getLogger(__name__)


def _enabled(session: Session) -> bool:
    return runtime_of(session).settings.auto_rematch


def _record_failure(session: Session, ids: Sequence[uuid.UUID], error: str) -> None:
    """Note on each requirement that its re-match could not be started, for the sweep's retry."""
    now = utcnow()
    try:
        with session.begin_nested():
            for i in range(0, len(ids), _IN):
                session.execute(
                    update(REQ)
                    .where(REQ.c.id.in_(ids[i : i + _IN]))
                    .values(rematch_error=error[:2000], rematch_failed_at=now)
                )
    except Exception:
        log.exception("could not record the failed re-match trigger on %d requirement(s)", len(ids))


def _guarded(
    session: Session,
    trigger: str,
    start: Callable[[], MatchRun | None],
    concerned: Callable[[], Sequence[uuid.UUID]],
) -> MatchRun | None:
    """``start()`` in a savepoint; if it raises, roll the savepoint back, log, and record the
    failure on the ``concerned()`` requirements instead of failing the caller's change."""
    try:
        with savepoint(session):
            return start()
    except Exception as exc:
        log.exception("re-match trigger %r failed; the change is kept and the re-match retried", trigger)
        try:
            ids = list(concerned())
        except Exception:
            log.exception("could not tell which requirements the failed %r trigger concerns", trigger)
            return None
        _record_failure(session, ids, f"{trigger} re-match could not start: {type(exc).__name__}: {exc}")
        return None


def _start(
    session: Session, ids: Sequence[uuid.UUID], trigger: str, actor: str, dispatch: Dispatch | None
) -> MatchRun | None:
    if not ids:
        return None
    return start_run(session, ids, trigger=trigger, requested_by=actor, dispatch=dispatch)


def _plausible(c: Any, r: Any) -> bool:
    """The hard filters a candidate can be checked against cheaply (the core decides). A pair
    the check cannot judge (it raises) is plausible: re-matching too much is only slower."""
    try:
        return _passes(c, r)
    except Exception:
        log.exception("pre-filter failed for requirement %s; it is re-matched anyway", r.id)
        return True


def _passes(c: Any, r: Any) -> bool:
    if c.track != r.track or c.vetting_status != VettingStatus.passed.value or c.erased_at is not None:
        return False
    if not prefilter.enough_hours(c.hours_per_week, r.hours_per_week):
        return False
    if not prefilter.available_in_time(c.available_from.toordinal(), r.start_by.toordinal()):
        return False
    rate_usd = c.hourly_rate / CURRENCY_PER_USD[c.currency]
    if not prefilter.within_budget(rate_usd, r.max_hourly_rate / CURRENCY_PER_USD[r.currency]):
        return False
    return r.min_overlap_hours <= 0 or prefilter.enough_overlap(
        overlap_hours(r.timezone, c.timezone, r.start_by), r.min_overlap_hours
    )


def affected_by_candidates(session: Session, candidate_ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    """Open requirements a change of these candidates can affect: those whose shortlist has one
    of them, and those of their track whose hard filters they plausibly pass (a cheap
    pre-filter). Past ``BULK_CANDIDATES`` changed candidates, every open requirement."""
    ids = list(dict.fromkeys(candidate_ids))
    if not ids:
        return []
    if len(ids) > BULK_CANDIDATES:
        return open_requirement_ids(session)
    affected = set(
        session.scalars(
            select(ENTRY.c.requirement_id)
            .join(REQ, REQ.c.id == ENTRY.c.requirement_id)
            .where(ENTRY.c.candidate_id.in_(ids), REQ.c.status == RequirementStatus.open.value)
            .distinct()
        )
    )
    candidates = session.execute(
        select(
            CAND.c.track,
            CAND.c.vetting_status,
            CAND.c.erased_at,
            CAND.c.hours_per_week,
            CAND.c.available_from,
            CAND.c.hourly_rate,
            CAND.c.currency,
            CAND.c.timezone,
        ).where(CAND.c.id.in_(ids))
    ).all()
    requirements = session.execute(
        select(
            REQ.c.id,
            REQ.c.track,
            REQ.c.hours_per_week,
            REQ.c.start_by,
            REQ.c.max_hourly_rate,
            REQ.c.currency,
            REQ.c.timezone,
            REQ.c.min_overlap_hours,
        ).where(
            REQ.c.status == RequirementStatus.open.value,
            REQ.c.track.in_({c.track for c in candidates}),
        )
    ).all()
    affected.update(r.id for r in requirements if any(_plausible(c, r) for c in candidates))
    return [rid for rid in open_requirement_ids(session) if rid in affected]


def on_candidates_changed(
    session: Session,
    candidate_ids: Iterable[uuid.UUID],
    *,
    actor: str = "system",
    dispatch: Dispatch | None = None,
) -> MatchRun | None:
    """Candidates were created, updated, re-vetted or erased: re-match the open requirements
    they could enter or leave (``affected_by_candidates``)."""
    if not _enabled(session):
        return None
    ids = list(candidate_ids)
    return _guarded(
        session,
        "candidates",
        lambda: _start(session, affected_by_candidates(session, ids), "candidates", actor, dispatch),
        lambda: open_requirement_ids(session),
    )


def on_requirements_changed(
    session: Session,
    requirement_ids: Iterable[uuid.UUID],
    *,
    actor: str = "system",
    dispatch: Dispatch | None = None,
) -> MatchRun | None:
    """Requirements were created or changed: re-match those that are open, in one run (a
    closed, paused or filled requirement keeps its last shortlist)."""
    if not _enabled(session):
        return None
    ids = list(dict.fromkeys(requirement_ids))
    return _guarded(
        session,
        "requirement",
        lambda: _start(session, _open_of(session, ids), "requirement", actor, dispatch),
        lambda: ids,
    )


def _open_of(session: Session, ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    open_ids: set[uuid.UUID] = set()
    for i in range(0, len(ids), _IN):
        open_ids.update(
            session.scalars(
                select(REQ.c.id).where(
                    REQ.c.id.in_(ids[i : i + _IN]), REQ.c.status == RequirementStatus.open.value
                )
            )
        )
    return [i for i in ids if i in open_ids]


def on_requirement_changed(
    session: Session,
    requirement_id: uuid.UUID,
    *,
    actor: str = "system",
    dispatch: Dispatch | None = None,
) -> MatchRun | None:
    """One requirement was created or changed: re-match it if it is open."""
    return on_requirements_changed(session, [requirement_id], actor=actor, dispatch=dispatch)


def on_profile_changed(
    session: Session,
    profile_id_or_track: uuid.UUID | Track | str,
    *,
    actor: str = "system",
    dispatch: Dispatch | None = None,
) -> MatchRun | None:
    """A weight profile got a new version (its id, any version) or a track's default changed
    (the track): re-match the open requirements that use it."""
    if not _enabled(session):
        return None
    return _guarded(
        session,
        "profile",
        lambda: _start(
            session, profiles.requirements_using(session, profile_id_or_track), "profile", actor, dispatch
        ),
        lambda: open_requirement_ids(session),
    )


def retry_failed_triggers(session: Session, *, dispatch: Dispatch | None = None) -> MatchRun | None:
    """Start one run over the open requirements whose trigger failed (the run clears their
    record); what the workers' sweep calls. None when there is none."""
    ids = list(
        session.scalars(
            select(REQ.c.id)
            .where(REQ.c.rematch_error.is_not(None), REQ.c.status == RequirementStatus.open.value)
            .order_by(REQ.c.rematch_failed_at, REQ.c.id)
        )
    )
    if not ids:
        return None
    log.warning("retrying the re-match of %d requirement(s) whose trigger failed", len(ids))
    return start_run(session, ids, trigger="retry", requested_by="system", dispatch=dispatch)
