"""Doing the work: match the requirements of a chunk that this worker can claim.

Functions take the worker's ``Runtime`` (``matcher.runtime``: its engine, settings, ranker and
pool cache) and own their transactions (one per claim, one per shortlist written): a chunk runs
on a worker, outside any caller's transaction."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from matcher.clock import today
from matcher.dispatch import REMATCH_CHUNK, Sender
from matcher.errors import NotFound
from matcher.models import RunStatus, utcnow
from matcher.models.tables import MRR
from matcher.runtime import Runtime
from matcher.services.matching import (
    LoadedRequirement,
    Pool,
    compute_shortlist,
    load_requirements,
    persist_shortlist,
)
from matcher.services.runs.claims import (
    Claim,
    claim,
    fail,
    heartbeat,
    held_by,
    mark_running,
    release,
    worker_id,
)
from matcher.services.runs.dispatch import chunked
from matcher.services.runs.progress import RunProgress, get_progress, outstanding, refresh_run

log = logging.getLogger(__name__)


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


def _match_claimed(runtime: Runtime, claim: Claim, loaded: LoadedRequirement, pool: Pool) -> bool:
    """Match and persist one claimed requirement; False when the claim was lost meanwhile."""
    start = time.perf_counter()
    settings = runtime.settings
    if settings.task_gate_dir is not None:
        _take_gate_token(settings.task_gate_dir)
    if settings.task_delay_seconds:
        time.sleep(settings.task_delay_seconds)
    with runtime.session(expire_on_commit=True) as s:
        computed = compute_shortlist(
            s, loaded, pool, weight_profile_id=claim.weight_profile_id, on=today(settings)
        )
    with runtime.session(expire_on_commit=True) as s:
        change = persist_shortlist(s, computed, run_id=claim.run_id)
        duration = round((time.perf_counter() - start) * 1000.0, 3)
        done = s.execute(  # fenced: nothing is written by a worker whose claim was taken over
            update(MRR)
            .where(held_by(claim))
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


def _match_or_fail(
    runtime: Runtime, taken: Claim, requirement: LoadedRequirement | None, pool_of: Callable[[], Pool]
) -> str:
    """Match one claimed requirement: ``matched``, ``skipped`` (the claim was lost meanwhile) or
    ``failed`` (recorded on its row). A transient database error gives the claim back and
    propagates."""
    engine = runtime.engine
    try:
        if requirement is None:
            raise NotFound(f"requirement {taken.requirement_id} not found")
        if _match_claimed(runtime, taken, requirement, pool_of()):
            return "matched"
        return "skipped"
    except OperationalError:
        release(engine, taken)
        raise
    except Exception as exc:
        log.exception("matching requirement %s in run %s failed", taken.requirement_id, taken.run_id)
        fail(engine, taken, f"{type(exc).__name__}: {exc}")
        return "failed"
    finally:
        heartbeat.release(engine, taken)


def run_chunk(
    runtime: Runtime,
    run_id: uuid.UUID,
    requirement_ids: Sequence[uuid.UUID],
    *,
    worker: str | None = None,
    on_done: Callable[[], None] | None = None,
) -> ChunkReport:
    """Match each requirement of the chunk that this worker can claim (what the task runs),
    then recount the run's progress (readers recount too, so the count is never stale for them).

    A transient database error (``OperationalError``) gives the claim back and propagates, for
    the task to retry with backoff; any other error fails that requirement only.
    """
    engine, settings = runtime.engine, runtime.settings
    worker = worker or worker_id()
    report = ChunkReport()
    with runtime.session(expire_on_commit=True) as s:
        loaded = load_requirements(s, list(requirement_ids))
    pools: list[Pool] = []

    def pool_of() -> Pool:
        """Checked once per chunk, and only for work actually claimed."""
        if not pools:
            start = time.perf_counter()
            with runtime.session(expire_on_commit=True) as s:
                pools.append(runtime.pool_cache.get(s))
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
            mark_running(engine, run_id)
            started = True
        outcome = _match_or_fail(runtime, taken, loaded.get(rid), pool_of)
        setattr(report, outcome, getattr(report, outcome) + 1)
        if on_done is not None:
            on_done()
    with runtime.session(expire_on_commit=True) as s:
        refresh_run(s, run_id)
        s.commit()
    return report


def inline_dispatch(runtime: Runtime, *, on_done: Callable[[], None] | None = None) -> Sender:
    """A sender that does the work right here, at once, with ``runtime`` (no broker)."""

    def send(task: str, args: list[Any]) -> None:
        if task != REMATCH_CHUNK:
            raise ValueError(f"no inline runner for task {task!r}")
        run_id, chunk = args
        run_chunk(runtime, uuid.UUID(run_id), [uuid.UUID(r) for r in chunk], on_done=on_done)

    return send


def run_inline(
    runtime: Runtime, run_id: uuid.UUID, *, on_done: Callable[[], None] | None = None
) -> RunProgress:
    """Finish a run in this process: every requirement not finished yet, then its progress."""
    with runtime.session(expire_on_commit=True) as s:
        todo = outstanding(s, run_id)
    for chunk in chunked(todo, runtime.settings.rematch_chunk_size):
        run_chunk(runtime, run_id, chunk, on_done=on_done)
    with runtime.session(expire_on_commit=True) as s:
        progress = get_progress(s, run_id)
        s.commit()
    return progress
