"""Claims: a worker takes a requirement of a run before matching it (see the package docstring).

Functions take an ``engine`` and own their transactions: a claim must be committed before the
work it guards starts, and released or failed whatever happens to the caller."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from matcher.models import RunStatus, utcnow
from matcher.models.tables import MRR, RUN
from matcher.services.runs.rows import UNFINISHED, aware
from matcher.settings import Settings

log = logging.getLogger(__name__)


def worker_id() -> str:
    """Who claims: ``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claimer_gone(claimed_by: str | None, me: str) -> bool:
    """The claimer is this very process (a retry of its own work) or a dead process of this host."""
    if claimed_by is None or claimed_by == me:
        return True
    host, _, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass(frozen=True)
class Claim:
    row_id: int
    run_id: uuid.UUID
    requirement_id: uuid.UUID
    weight_profile_id: uuid.UUID | None
    attempts: int
    worker: str


def claim(
    engine: Engine, run_id: uuid.UUID, requirement_id: uuid.UUID, *, worker: str, settings: Settings
) -> Claim | None:
    """Take one requirement of a run for this worker, or None when it is finished, held by a
    live claim, or has used up its attempts (then it is marked failed)."""
    now = utcnow()
    with Session(engine) as s:
        fresh = s.execute(  # the common case, one statement: a queued row with attempts left
            update(MRR)
            .where(
                MRR.c.run_id == run_id,
                MRR.c.requirement_id == requirement_id,
                MRR.c.status == RunStatus.queued.value,
                MRR.c.attempts <= settings.task_max_retries,
            )
            .values(
                status=RunStatus.running.value, attempts=MRR.c.attempts + 1, claimed_at=now, claimed_by=worker
            )
            .returning(MRR.c.id, MRR.c.attempts, MRR.c.weight_profile_id)
        ).first()
        if fresh is not None:
            s.commit()
            return Claim(fresh.id, run_id, requirement_id, fresh.weight_profile_id, fresh.attempts, worker)
        return _reclaim(s, run_id, requirement_id, worker=worker, settings=settings, now=now)


def _reclaim(
    s: Session,
    run_id: uuid.UUID,
    requirement_id: uuid.UUID,
    *,
    worker: str,
    settings: Settings,
    now: dt.datetime,
) -> Claim | None:
    """The uncommon case of ``claim``: take over a row whose claim was lost (expired, or its
    claimer is gone), or mark it failed when it has used up its attempts. Commits ``s``."""
    row = s.execute(
        select(
            MRR.c.id,
            MRR.c.status,
            MRR.c.attempts,
            MRR.c.claimed_at,
            MRR.c.claimed_by,
            MRR.c.weight_profile_id,
        ).where(MRR.c.run_id == run_id, MRR.c.requirement_id == requirement_id)
    ).first()
    if row is None or row.status not in UNFINISHED:
        return None
    if row.status == RunStatus.running.value:
        expired = row.claimed_at is None or aware(row.claimed_at) < now - dt.timedelta(
            seconds=settings.claim_timeout
        )
        if not (expired or claimer_gone(row.claimed_by, worker)):
            return None
    guard = (MRR.c.id == row.id) & (MRR.c.attempts == row.attempts) & (MRR.c.status == row.status)
    attempts = row.attempts + 1
    if attempts > settings.task_max_retries + 1:
        s.execute(
            update(MRR)
            .where(guard)
            .values(
                status=RunStatus.failed.value,
                finished_at=now,
                error=f"gave up after {row.attempts} attempts: each ended with the worker lost "
                "or the database unavailable",
            )
        )
        s.commit()
        return None
    taken = s.execute(
        update(MRR)
        .where(guard)
        .values(status=RunStatus.running.value, attempts=attempts, claimed_at=now, claimed_by=worker)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        s.rollback()
        return None
    s.commit()
    return Claim(row.id, run_id, requirement_id, row.weight_profile_id, attempts, worker)


def mark_running(engine: Engine, run_id: uuid.UUID) -> None:
    with Session(engine) as s:
        s.execute(
            update(RUN)
            .where(RUN.c.id == run_id, RUN.c.status == RunStatus.queued.value)
            .values(status=RunStatus.running.value, started_at=utcnow())
        )
        s.commit()


class ClaimHeartbeat:
    """Keeps this process's claims alive: every ``claim_timeout / 4`` seconds a daemon thread
    sets ``claimed_at`` to now on every row it holds. A claim whose heartbeat stopped (its
    worker died, however: killed, out of memory, its machine gone) is older than
    ``claim_timeout`` within that many seconds, and the next sweep of any worker re-dispatches
    it; a live worker's claim never goes stale, however long its matching takes.

    One thread per process (started on the first claim, again after a fork); it touches the
    database only while this process holds claims.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[tuple[int, int], tuple[Engine, Claim]] = {}
        self._pid: int | None = None

    def hold(self, engine: Engine, claim: Claim, interval: float) -> None:
        with self._lock:
            self._held[(id(engine), claim.row_id)] = (engine, claim)
            if self._pid != os.getpid():
                self._pid = os.getpid()
                threading.Thread(
                    target=self._beat, args=(max(interval, 0.05),), name="talentmatch-claims", daemon=True
                ).start()

    def release(self, engine: Engine, claim: Claim) -> None:
        with self._lock:
            self._held.pop((id(engine), claim.row_id), None)

    def held(self) -> list[Claim]:
        with self._lock:
            return [claim for _, claim in self._held.values()]

    def beat(self) -> None:
        """Refresh ``claimed_at`` of every claim this process holds (what the thread does)."""
        with self._lock:
            held = list(self._held.values())
        for engine, claim in held:
            try:
                with engine.begin() as conn:
                    conn.execute(update(MRR).where(held_by(claim)).values(claimed_at=utcnow()))
            except Exception as exc:
                log.warning("claim heartbeat for requirement %s failed: %s", claim.requirement_id, exc)

    def _beat(self, interval: float) -> None:
        pid = os.getpid()
        while self._pid == pid:
            time.sleep(interval)
            self.beat()


heartbeat = ClaimHeartbeat()


def held_by(claim: Claim) -> Any:
    return (
        (MRR.c.id == claim.row_id)
        & (MRR.c.claimed_by == claim.worker)
        & (MRR.c.attempts == claim.attempts)
        & (MRR.c.status == RunStatus.running.value)
    )


def release(engine: Engine, claim: Claim) -> None:
    """Give a claim back after a transient error, so the retry (anywhere) can take it at once."""
    try:
        with Session(engine) as s:
            s.execute(
                update(MRR).where(held_by(claim)).values(status=RunStatus.queued.value, claimed_by=None)
            )
            s.commit()
    except OperationalError:
        log.warning("could not release requirement %s of run %s", claim.requirement_id, claim.run_id)


def fail(engine: Engine, claim: Claim, error: str) -> None:
    with Session(engine) as s:
        s.execute(
            update(MRR)
            .where(held_by(claim))
            .values(status=RunStatus.failed.value, error=error[:2000], finished_at=utcnow())
        )
        s.commit()
