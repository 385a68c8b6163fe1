"""Claims carry a heartbeat: a dead worker's requirements are re-dispatched within about 30 s,
while a live worker's claim never goes stale however long it works (issue 16, item 4)."""

from __future__ import annotations

import datetime as dt
import socket
import uuid

from sqlalchemy import update
from sqlalchemy.engine import Engine

from matcher.models import utcnow
from matcher.services import runs
from matcher.settings import Settings, get_settings
from tests.helpers import runtime_on, session_scope
from tests.rematch_support import ChunkRecorder, Seeded
from tests.services.runs.test_match_runs import MRR, requirement_rows, start


def _claim_elsewhere(engine: Engine, run_id: uuid.UUID, rid: uuid.UUID, ago: float) -> runs.Claim:
    """A claim of a worker on another host (no pid check possible), last seen ``ago`` s ago."""
    taken = runs.claim(engine, run_id, rid, worker="other-host:77", settings=get_settings())
    assert taken is not None
    with session_scope(engine) as session:
        session.execute(
            update(MRR)
            .where(MRR.c.id == taken.row_id)
            .values(claimed_at=utcnow() - dt.timedelta(seconds=ago))
        )
        session.execute(update(runs.RUN).where(runs.RUN.c.id == run_id).values(dispatched_at=None))
    return taken


def _sweep(engine: Engine) -> list[uuid.UUID]:
    recorder = ChunkRecorder()
    with session_scope(engine) as session:
        runs.recover_stalled_runs(session, dispatch=recorder)
    return [i for _, chunks in recorder.sent for c in chunks for i in c]


def test_the_defaults_detect_a_dead_worker_within_30_seconds() -> None:
    fields = Settings.model_fields
    claim_timeout, interval = fields["claim_timeout"].default, fields["recovery_interval"].default
    assert claim_timeout + interval * 1.2 <= 30  # silent for claim_timeout, then the next (jittered) sweep


def test_a_beating_claim_is_kept_and_a_silent_one_is_taken_over(engine: Engine, seeded: Seeded) -> None:
    run_id, sent = start(engine)
    alive, dead = sent[0][1][0][:2]
    timeout = get_settings().claim_timeout
    kept = _claim_elsewhere(engine, run_id, alive, ago=timeout * 3)
    _claim_elsewhere(engine, run_id, dead, ago=timeout * 3)
    runs.heartbeat.hold(engine, kept, interval=3600)  # the thread would beat; here the test does
    try:
        runs.heartbeat.beat()
        redispatched = _sweep(engine)
    finally:
        runs.heartbeat.release(engine, kept)
    assert dead in redispatched and alive not in redispatched
    rows = requirement_rows(engine, run_id)
    assert rows[alive].claimed_by == "other-host:77" and rows[alive].status == "running"


def test_a_claim_of_a_dead_process_on_this_host_is_lost_at_once(engine: Engine, seeded: Seeded) -> None:
    run_id, sent = start(engine)
    rid = sent[0][1][0][0]
    runs.claim(engine, run_id, rid, worker=f"{socket.gethostname()}:999999999", settings=get_settings())
    with session_scope(engine) as session:
        session.execute(update(runs.RUN).where(runs.RUN.c.id == run_id).values(dispatched_at=None))
    assert rid in _sweep(engine)  # its claimed_at is fresh: no timeout waited for


def test_the_chunk_holds_its_claims_only_while_it_works(engine: Engine, seeded: Seeded) -> None:
    run_id, sent = start(engine)
    chunk = sent[0][1][0][:2]
    runs.run_chunk(runtime_on(engine), run_id, chunk)
    assert runs.heartbeat.held() == []
    assert {requirement_rows(engine, run_id)[r].status for r in chunk} == {"succeeded"}
