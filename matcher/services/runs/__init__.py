"""Match runs: re-match many requirements on workers, survive crashes, report progress.

A run is a ``MatchRun`` row plus one ``MatchRunRequirement`` row per requirement, written in the
caller's transaction; its chunks are handed to ``dispatch`` only after that transaction commits
(``matcher.dispatch``), so a worker never looks for a run that is not there. Progress is the
count of finished requirement rows; whichever worker finishes the last one (or anyone reading
the progress) marks the run finished. There is no chord and no result backend in the loop.

Delivery is at least once, so every step is idempotent and arbitrated by the database:

* A worker *claims* a requirement row before matching it (queued -> running, ``attempts`` + 1,
  ``claimed_by`` host:pid, ``claimed_at``). A duplicate delivery finds it running under a live
  claim, or already finished, and skips it.
* The shortlist and the row's success are written in one transaction, fenced on the claim: a
  worker that lost its claim (it was presumed dead and the row re-dispatched) writes nothing.
* Claims carry a heartbeat (``ClaimHeartbeat``): while a worker holds a claim it refreshes
  ``claimed_at`` every ``claim_timeout / 4``. A claim is abandoned when its ``claimed_at`` is
  older than ``claim_timeout`` (its worker stopped beating: dead), or at once when
  the claimer was a process on this host that no longer exists (a killed pool child whose task
  came back through ``reject_on_worker_lost``). A row claimed more than ``task_max_retries + 1``
  times is marked failed instead of being tried again: a requirement that keeps killing its
  worker ends, it does not loop.
* Messages can be lost (the embedded SQLite broker forgets the ones a killed worker had taken)
  or come back late (Redis restores unacked ones after ``visibility_timeout``): every worker
  sweeps for stalled runs (``recover_stalled_runs``) and re-dispatches the requirements that
  are claimed by a silent worker, or still queued while the run has been quiet for
  ``claim_timeout``. Late duplicates are skipped by the claims.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from matcher.clock import today
from matcher.dispatch import REMATCH_CHUNK, Sender, dispatcher, enqueue, enqueued
from matcher.errors import NotFound
from matcher.models import MatchRun, MatchRunRequirement, Requirement, RunStatus, utcnow
from matcher.schemas import RequirementStatus, Track
from matcher.services import profiles
from matcher.services.matching import (
    LoadedRequirement,
    Pool,
    PoolCache,
    Ranker,
    compute_shortlist,
    load_requirements,
    persist_shortlist,
    process_pool_cache,
)
from matcher.settings import Settings, get_settings

log = logging.getLogger(__name__)

RUN = MatchRun.__table__  # type: ignore[attr-defined]
MRR = MatchRunRequirement.__table__  # type: ignore[attr-defined]
REQ = Requirement.__table__  # type: ignore[attr-defined]
UNFINISHED = (RunStatus.queued.value, RunStatus.running.value)
FINISHED = (RunStatus.succeeded.value, RunStatus.failed.value)


# --- dispatching after commit -----------------------------------------------------------------

#: Where a run's chunks go: a ``matcher.dispatch.Sender`` (Celery, or in-process).
Dispatch = Sender


def rematch_pending(session: OrmSession, dispatch: Sender | None = None) -> bool:
    """Whether this transaction started a run whose dispatch cannot reach the broker now: the
    write stands, and the run waits for the broker (``_dispatch_or_release``)."""
    if not enqueued(session, REMATCH_CHUNK):
        return False
    return not dispatcher.reachable(dispatch)


def _send_chunks(
    session: OrmSession, send: Sender | None, run_id: uuid.UUID, chunks: list[list[uuid.UUID]]
) -> None:
    """Enqueue a run's chunks after commit; if that fails (the broker is down), clear the run's
    ``dispatched_at`` so that the next sweep of any worker re-dispatches it at once instead of
    waiting ``claim_timeout`` for it to look stalled."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine

    def release() -> None:
        try:
            with engine.begin() as conn:
                conn.execute(update(RUN).where(RUN.c.id == run_id).values(dispatched_at=None))
        except Exception:
            log.exception("could not mark run %s as undispatched", run_id)

    for chunk in chunks:
        args = [str(run_id), [str(r) for r in chunk]]
        enqueue(session, REMATCH_CHUNK, args, sender=send, on_failure=release)


def dispatching(dispatch: Sender) -> AbstractContextManager[Sender]:
    """Use ``dispatch`` wherever no dispatch is passed (the demo and tests run runs inline)."""
    return dispatcher.using(dispatch)


def chunked(ids: Sequence[uuid.UUID], size: int) -> list[list[uuid.UUID]]:
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


# --- starting a run ---------------------------------------------------------------------------


def open_requirement_ids(
    session: Session, *, client_id: uuid.UUID | None = None, tracks: Sequence[Track] | None = None
) -> list[uuid.UUID]:
    query = select(REQ.c.id).where(REQ.c.status == RequirementStatus.open.value)
    if client_id is not None:
        query = query.where(REQ.c.client_id == client_id)
    if tracks is not None:
        query = query.where(REQ.c.track.in_([t.value for t in tracks]))
    return list(session.scalars(query.order_by(REQ.c.created_at, REQ.c.id)))


def _existing(session: Session, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    for i in range(0, len(ids), 1000):
        found.update(session.scalars(select(REQ.c.id).where(REQ.c.id.in_(ids[i : i + 1000]))))
    return found


def start_run(
    session: Session,
    requirement_ids: Sequence[uuid.UUID] | None = None,
    *,
    trigger: str = "manual",
    requested_by: str = "system",
    client_id: uuid.UUID | None = None,
    dispatch: Dispatch | None = None,
    chunk_size: int | None = None,
) -> MatchRun:
    """Create a run over ``requirement_ids`` (default: every open requirement, of ``client_id``
    if given) in the caller's transaction; its chunks are dispatched after the commit.

    Each requirement's weight profile is pinned now (its effective profile row), so a profile
    changed mid-run does not mix versions within the run. A run with nothing to do is created
    already succeeded.
    """
    settings = get_settings()
    if requirement_ids is None:
        ids = open_requirement_ids(session, client_id=client_id)
    else:
        ids = list(dict.fromkeys(requirement_ids))
        found = _existing(session, ids)
        missing = [i for i in ids if i not in found]
        if missing:
            raise NotFound(f"requirement {missing[0]} not found")
    profile_ids = profiles.effective_profile_ids(session, ids)
    now = utcnow()
    run = MatchRun(
        trigger=trigger,
        requested_by=requested_by,
        client_id=client_id,
        total=len(ids),
        dispatched_at=now,
    )
    if not ids:
        run.status, run.started_at, run.finished_at = RunStatus.succeeded, now, now
    session.add(run)
    session.flush()
    run_id = run.id
    if ids:
        session.execute(
            insert(MRR),
            [
                {
                    "run_id": run_id,
                    "requirement_id": rid,
                    "status": RunStatus.queued.value,
                    "weight_profile_id": profile_ids[rid],
                    "eligible": 0,
                    "entered": 0,
                    "left": 0,
                    "moved": 0,
                    "changes": [],
                    "duration_ms": 0.0,
                    "attempts": 0,
                    "timings": {},
                }
                for rid in ids
            ],
        )
        session.execute(  # this run is the re-match a failed trigger owed them
            update(REQ)
            .where(
                REQ.c.rematch_error.is_not(None),
                REQ.c.id.in_(select(MRR.c.requirement_id).where(MRR.c.run_id == run_id)),
            )
            .values(rematch_error=None, rematch_failed_at=None)
        )
        _send_chunks(session, dispatch, run_id, chunked(ids, chunk_size or settings.rematch_chunk_size))
    return run


# --- progress ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunProgress:
    id: uuid.UUID
    status: RunStatus
    trigger: str
    requested_by: str
    client_id: uuid.UUID | None
    total: int
    processed: int
    failed: int
    entered: int
    left: int
    moved: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str | None

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.succeeded, RunStatus.failed)

    @property
    def fraction(self) -> float:
        return self.processed / self.total if self.total else 1.0


def refresh_run(session: Session, run_id: uuid.UUID) -> None:
    """Recount the finished requirements, and mark the run finished when none is left.

    The counts only grow (a late, stale recount never lowers them) and only an unfinished run
    is finished, so any number of workers and readers may call this at once.
    """
    counts = dict(
        session.execute(
            select(MRR.c.status, func.count()).where(MRR.c.run_id == run_id).group_by(MRR.c.status)
        ).all()
    )
    failed = counts.get(RunStatus.failed.value, 0)
    done = failed + counts.get(RunStatus.succeeded.value, 0)
    session.execute(
        update(RUN).where(RUN.c.id == run_id, RUN.c.processed < done).values(processed=done, failed=failed)
    )
    if any(counts.get(s, 0) for s in UNFINISHED):
        return
    now = utcnow()
    session.execute(
        update(RUN)
        .where(RUN.c.id == run_id, RUN.c.status.in_(UNFINISHED))
        .values(
            status=RunStatus.failed.value if failed else RunStatus.succeeded.value,
            error=f"{failed} of {done} requirements failed" if failed else None,
            started_at=func.coalesce(RUN.c.started_at, now),
            finished_at=now,
        )
    )


def _progress(session: Session, run_row: Any) -> RunProgress:
    sums = session.execute(
        select(
            func.coalesce(func.sum(MRR.c.entered), 0),
            func.coalesce(func.sum(MRR.c.left), 0),
            func.coalesce(func.sum(MRR.c.moved), 0),
        ).where(MRR.c.run_id == run_row.id)
    ).one()
    return RunProgress(
        id=run_row.id,
        status=RunStatus(run_row.status),
        trigger=run_row.trigger,
        requested_by=run_row.requested_by,
        client_id=run_row.client_id,
        total=run_row.total,
        processed=run_row.processed,
        failed=run_row.failed,
        entered=int(sums[0]),
        left=int(sums[1]),
        moved=int(sums[2]),
        created_at=_aware(run_row.created_at),
        started_at=run_row.started_at and _aware(run_row.started_at),
        finished_at=run_row.finished_at and _aware(run_row.finished_at),
        error=run_row.error,
    )


def get_progress(session: Session, run_id: uuid.UUID) -> RunProgress:
    """A run's progress, recounted first (the caller's transaction carries the update)."""
    refresh_run(session, run_id)
    row = session.execute(select(RUN).where(RUN.c.id == run_id)).first()
    if row is None:
        raise NotFound(f"match run {run_id} not found")
    return _progress(session, row)


def list_runs(session: Session, *, limit: int = 20, client_id: uuid.UUID | None = None) -> list[RunProgress]:
    """The latest runs first (of one client's requirements if ``client_id``)."""
    query = select(RUN.c.id, RUN.c.status).order_by(RUN.c.created_at.desc(), RUN.c.id).limit(limit)
    if client_id is not None:
        query = query.where(RUN.c.client_id == client_id)
    ids = session.execute(query).all()
    return [
        get_progress(session, rid) if status in UNFINISHED else _by_id(session, rid) for rid, status in ids
    ]


def _by_id(session: Session, run_id: uuid.UUID) -> RunProgress:
    return _progress(session, session.execute(select(RUN).where(RUN.c.id == run_id)).one())


@dataclass(frozen=True)
class RequirementOutcome:
    requirement_id: uuid.UUID
    external_id: str
    title: str
    status: RunStatus
    attempts: int
    eligible: int
    entered: int
    left: int
    moved: int
    duration_ms: float
    timings: dict[str, float]
    error: str | None
    finished_at: dt.datetime | None


def run_outcomes(session: Session, run_id: uuid.UUID) -> list[RequirementOutcome]:
    """What the run did to each requirement, in the order they were queued."""
    rows = session.execute(
        select(MRR, REQ.c.external_id, REQ.c.title)
        .join(REQ, REQ.c.id == MRR.c.requirement_id)
        .where(MRR.c.run_id == run_id)
        .order_by(MRR.c.id)
    )
    return [
        RequirementOutcome(
            requirement_id=r.requirement_id,
            external_id=r.external_id,
            title=r.title,
            status=RunStatus(r.status),
            attempts=r.attempts,
            eligible=r.eligible,
            entered=r.entered,
            left=r.left,
            moved=r.moved,
            duration_ms=r.duration_ms,
            timings=dict(r.timings),
            error=r.error,
            finished_at=r.finished_at,
        )
        for r in rows
    ]


def cancel_run(session: Session, run_id: uuid.UUID, *, reason: str = "cancelled") -> None:
    """Stop a run: its unfinished requirements are marked failed (a worker holding one writes
    nothing: its fenced final update no longer matches) and the run finishes as failed."""
    if session.execute(select(RUN.c.id).where(RUN.c.id == run_id)).first() is None:
        raise NotFound(f"match run {run_id} not found")
    session.execute(
        update(MRR)
        .where(MRR.c.run_id == run_id, MRR.c.status.in_(UNFINISHED))
        .values(status=RunStatus.failed.value, error=reason[:2000], finished_at=utcnow())
    )
    refresh_run(session, run_id)


# --- claims -----------------------------------------------------------------------------------


def worker_id() -> str:
    """Who claims: ``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _claimer_gone(claimed_by: str | None, me: str) -> bool:
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
            expired = row.claimed_at is None or _aware(row.claimed_at) < now - dt.timedelta(
                seconds=settings.claim_timeout
            )
            if not (expired or _claimer_gone(row.claimed_by, worker)):
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


def _mark_running(engine: Engine, run_id: uuid.UUID) -> None:
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
                    conn.execute(update(MRR).where(_held(claim)).values(claimed_at=utcnow()))
            except Exception as exc:
                log.warning("claim heartbeat for requirement %s failed: %s", claim.requirement_id, exc)

    def _beat(self, interval: float) -> None:
        pid = os.getpid()
        while self._pid == pid:
            time.sleep(interval)
            self.beat()


heartbeat = ClaimHeartbeat()


def _held(claim: Claim) -> Any:
    return (
        (MRR.c.id == claim.row_id)
        & (MRR.c.claimed_by == claim.worker)
        & (MRR.c.attempts == claim.attempts)
        & (MRR.c.status == RunStatus.running.value)
    )


def _release(engine: Engine, claim: Claim) -> None:
    """Give a claim back after a transient error, so the retry (anywhere) can take it at once."""
    try:
        with Session(engine) as s:
            s.execute(update(MRR).where(_held(claim)).values(status=RunStatus.queued.value, claimed_by=None))
            s.commit()
    except OperationalError:
        log.warning("could not release requirement %s of run %s", claim.requirement_id, claim.run_id)


def _fail(engine: Engine, claim: Claim, error: str) -> None:
    with Session(engine) as s:
        s.execute(
            update(MRR)
            .where(_held(claim))
            .values(status=RunStatus.failed.value, error=error[:2000], finished_at=utcnow())
        )
        s.commit()


# --- doing the work ---------------------------------------------------------------------------


@dataclass
class ChunkReport:
    matched: int = 0
    skipped: int = 0
    failed: int = 0
    pool_ms: float = 0.0


def _take_gate_token(folder: Path) -> None:
    """Test hook (``task_gate_dir``): take one token file from ``folder``, waiting while there is
    none. Tokens are files, so a test in another process hands out exactly as many requirements
    as it wants matched and the worker stops, holding its claim, at the next one."""
    while True:
        for token in sorted(folder.glob("*")):
            try:
                token.unlink()
            except FileNotFoundError:  # another worker process took it first
                continue
            return
        time.sleep(0.05)


def _match_claimed(
    engine: Engine,
    claim: Claim,
    loaded: LoadedRequirement,
    pool: Pool,
    *,
    ranker: Ranker | None,
    settings: Settings,
) -> bool:
    """Match and persist one claimed requirement; False when the claim was lost meanwhile."""
    start = time.perf_counter()
    if settings.task_gate_dir is not None:
        _take_gate_token(settings.task_gate_dir)
    if settings.task_delay_seconds:
        time.sleep(settings.task_delay_seconds)
    with Session(engine) as s:
        computed = compute_shortlist(
            s,
            loaded,
            pool,
            weight_profile_id=claim.weight_profile_id,
            ranker=ranker,
            on=today(settings),
            size=settings.shortlist_size,
        )
    with Session(engine) as s:
        change = persist_shortlist(s, computed, run_id=claim.run_id)
        duration = round((time.perf_counter() - start) * 1000.0, 3)
        done = s.execute(  # fenced: nothing is written by a worker whose claim was taken over
            update(MRR)
            .where(_held(claim))
            .values(
                status=RunStatus.succeeded.value,
                eligible=computed.eligible,
                entered=change.entered,
                left=change.left,
                moved=change.moved,
                changes=change.to_json(),
                duration_ms=duration,
                timings=computed.timings,
                finished_at=utcnow(),
                error=None,
            )
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            s.rollback()
            return False
        s.commit()
    return True


def run_chunk(
    engine: Engine,
    run_id: uuid.UUID,
    requirement_ids: Sequence[uuid.UUID],
    *,
    worker: str | None = None,
    cache: PoolCache | None = None,
    ranker: Ranker | None = None,
    settings: Settings | None = None,
    on_done: Callable[[], None] | None = None,
) -> ChunkReport:
    """Match each requirement of the chunk that this worker can claim (what the task runs),
    then recount the run's progress (readers recount too, so the count is never stale for them).

    A transient database error (``OperationalError``) gives the claim back and propagates, for
    the task to retry with backoff; any other error fails that requirement only.
    """
    settings = settings or get_settings()
    worker = worker or worker_id()
    cache = cache or process_pool_cache()
    report = ChunkReport()
    with Session(engine) as s:
        loaded = load_requirements(s, list(requirement_ids))
    pools: list[Pool] = []

    def pool_of() -> Pool:
        """Checked once per chunk, and only for work actually claimed."""
        if not pools:
            start = time.perf_counter()
            with Session(engine) as s:
                pools.append(cache.get(s))
            report.pool_ms += round((time.perf_counter() - start) * 1000.0, 3)
        return pools[0]

    started = False
    for rid in requirement_ids:
        taken = claim(engine, run_id, rid, worker=worker, settings=settings)
        if taken is None:
            report.skipped += 1
            continue
        heartbeat.hold(engine, taken, settings.claim_timeout / 4)
        if not started:
            _mark_running(engine, run_id)
            started = True
        try:
            requirement = loaded.get(rid)
            if requirement is None:
                raise NotFound(f"requirement {rid} not found")
            pool = pool_of()
            if _match_claimed(engine, taken, requirement, pool, ranker=ranker, settings=settings):
                report.matched += 1
            else:
                report.skipped += 1
        except OperationalError:
            _release(engine, taken)
            raise
        except Exception as exc:
            log.exception("matching requirement %s in run %s failed", rid, run_id)
            _fail(engine, taken, f"{type(exc).__name__}: {exc}")
            report.failed += 1
        finally:
            heartbeat.release(engine, taken)
        if on_done is not None:
            on_done()
    with Session(engine) as s:
        refresh_run(s, run_id)
        s.commit()
    return report


def outstanding(session: Session, run_id: uuid.UUID) -> list[uuid.UUID]:
    """Requirements of the run not finished yet, in queue order."""
    return list(
        session.scalars(
            select(MRR.c.requirement_id)
            .where(MRR.c.run_id == run_id, MRR.c.status.in_(UNFINISHED))
            .order_by(MRR.c.id)
        )
    )


def inline_dispatch(engine: Engine, *, on_done: Callable[[], None] | None = None) -> Sender:
    """A sender that does the work right here, at once (no broker)."""

    def send(task: str, args: list[Any]) -> None:
        if task != REMATCH_CHUNK:
            raise ValueError(f"no inline runner for task {task!r}")
        run_id, chunk = args
        run_chunk(engine, uuid.UUID(run_id), [uuid.UUID(r) for r in chunk], on_done=on_done)

    return send


def run_inline(
    engine: Engine, run_id: uuid.UUID, *, on_done: Callable[[], None] | None = None
) -> RunProgress:
    """Finish a run in this process: every requirement not finished yet, then its progress."""
    with Session(engine) as s:
        todo = outstanding(s, run_id)
    for chunk in chunked(todo, get_settings().rematch_chunk_size):
        run_chunk(engine, run_id, chunk, on_done=on_done)
    with Session(engine) as s:
        progress = get_progress(s, run_id)
        s.commit()
    return progress


# --- recovery ---------------------------------------------------------------------------------


def _dead_local_claimers(session: Session, run_id: uuid.UUID) -> list[str]:
    """Claimers of the run's running requirements that were processes of this host and are
    gone: their claims are lost now, without waiting for their heartbeat to go stale."""
    claimers = session.scalars(
        select(MRR.c.claimed_by)
        .where(MRR.c.run_id == run_id, MRR.c.status == RunStatus.running.value, MRR.c.claimed_by.is_not(None))
        .distinct()
    )
    me = worker_id()
    return [c for c in claimers if c != me and _claimer_gone(c, me)]


def recover_stalled_runs(
    session: Session, *, dispatch: Dispatch | None = None, now: dt.datetime | None = None
) -> list[uuid.UUID]:
    """Re-dispatch the work of runs that stopped moving; the ids of the runs re-dispatched.

    A run is looked at when nothing was dispatched for it within ``claim_timeout``. Its
    requirements held by a claim older than that are re-dispatched; its queued ones too if no
    requirement of the run was claimed or finished within that time (their messages may be
    gone). Dispatches happen after the caller commits; one sweeper wins each run.
    """
    settings = get_settings()
    now = now or utcnow()
    stale = now - dt.timedelta(seconds=settings.claim_timeout)
    recovered = []
    runs = session.execute(
        select(RUN.c.id, RUN.c.dispatched_at).where(
            RUN.c.status.in_(UNFINISHED), (RUN.c.dispatched_at.is_(None)) | (RUN.c.dispatched_at < stale)
        )
    ).all()
    for run_id, dispatched_at in runs:
        last_claim, last_finish = session.execute(
            select(func.max(MRR.c.claimed_at), func.max(MRR.c.finished_at)).where(MRR.c.run_id == run_id)
        ).one()
        quiet = all(t is None or _aware(t) < stale for t in (last_claim, last_finish))
        dead = _dead_local_claimers(session, run_id)
        lost = (MRR.c.status == RunStatus.running.value) & (
            (MRR.c.claimed_at < stale) | MRR.c.claimed_by.in_(dead)
        )
        if quiet:
            lost = lost | (MRR.c.status == RunStatus.queued.value)
        todo = list(
            session.scalars(
                select(MRR.c.requirement_id).where(MRR.c.run_id == run_id, lost).order_by(MRR.c.id)
            )
        )
        if not todo:
            refresh_run(session, run_id)
            continue
        won = session.execute(
            update(RUN)
            .where(RUN.c.id == run_id, RUN.c.dispatched_at.is_not_distinct_from(dispatched_at))
            .values(dispatched_at=now)
        )
        if won.rowcount != 1:  # type: ignore[attr-defined]
            continue
        log.warning("re-dispatching %d stalled requirement(s) of run %s", len(todo), run_id)
        _send_chunks(session, dispatch, run_id, chunked(todo, settings.rematch_chunk_size))
        recovered.append(run_id)
    return recovered
