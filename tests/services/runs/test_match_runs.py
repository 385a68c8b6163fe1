"""Match runs in one process: dispatch after commit, idempotent chunks, claims that survive
crashes without looping, progress, and the recovery sweep."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from matcher.core.rankers import Ranking, reference_ranker
from matcher.db import make_engine
from matcher.errors import NotFound
from matcher.models import MatchRun, MatchRunRequirement, RunStatus, ShortlistEntry, utcnow
from matcher.roles import Role
from matcher.services import runs, ui_views
from matcher.services.accounts.service import Principal
from matcher.services.candidate_pool import Pool
from matcher.services.shortlists.changes import RankChange
from matcher.services.weight_profiles import store as profiles
from matcher.settings import get_settings
from tests.helpers import missing_id, runtime_on, session_on, session_scope
from tests.rematch_fixtures import SetEnv
from tests.rematch_support import ChunkRecorder, Seeded

MRR = MatchRunRequirement.__table__  # type: ignore[attr-defined]
RUN = MatchRun.__table__  # type: ignore[attr-defined]
ENTRY = ShortlistEntry.__table__  # type: ignore[attr-defined]

Sent = list[tuple[uuid.UUID, list[list[uuid.UUID]]]]


def start(engine: Engine, requirement_ids: list[uuid.UUID] | None = None) -> tuple[uuid.UUID, Sent]:
    """Start a run whose dispatch only records what it was given."""
    recorder = ChunkRecorder()
    with session_scope(engine) as session:
        run = runs.start_run(session, requirement_ids, dispatch=recorder)
        run_id = run.id
    return run_id, recorder.sent


def snapshot(engine: Engine) -> dict[tuple[Any, Any], tuple[Any, ...]]:
    with session_on(engine) as session:
        return {
            (r.requirement_id, r.candidate_id): tuple(r)
            for r in session.execute(select(ENTRY).order_by(ENTRY.c.requirement_id, ENTRY.c.candidate_id))
        }


def requirement_rows(engine: Engine, run_id: uuid.UUID) -> dict[uuid.UUID, Any]:
    with session_on(engine) as session:
        return {r.requirement_id: r for r in session.execute(select(MRR).where(MRR.c.run_id == run_id))}


def progress(engine: Engine, run_id: uuid.UUID) -> runs.RunProgress:
    with session_scope(engine) as session:
        return runs.get_progress(session, run_id)


def test_chunks_are_dispatched_after_commit_and_never_after_rollback(engine: Engine, seeded: Seeded) -> None:
    recorder = ChunkRecorder()
    sent = recorder.sent
    with session_on(engine) as session:
        run = runs.start_run(session, dispatch=recorder)
        session.flush()
        assert sent == []
        session.rollback()
    assert sent == []
    with session_on(engine) as session:
        assert session.scalar(select(RUN.c.id)) is None
        run = runs.start_run(session, dispatch=recorder)
        run_id, total = run.id, run.total
        session.commit()
    assert [r for r, _ in sent] == [run_id]
    chunks = sent[0][1]
    assert [len(c) for c in chunks] == [4] * (total // 4) + ([total % 4] if total % 4 else [])
    assert sorted(i for c in chunks for i in c) == sorted(requirement_rows(engine, run_id))


def test_an_inline_run_matches_every_open_requirement_and_records_it(engine: Engine, seeded: Seeded) -> None:
    run_id, _ = start(engine)
    result = runs.run_inline(runtime_on(engine), run_id)
    assert result.status is RunStatus.succeeded and result.finished
    assert result.processed == result.total == sum(1 for r in seeded.requirements if r.status.value == "open")
    assert result.entered == len(snapshot(engine)) > 0
    with session_on(engine) as session:
        defaults = {p.track: p.id for p in profiles.list_records(session) if p.is_default}
        tracks = dict(session.execute(select(runs.REQ.c.id, runs.REQ.c.track)).all())
    for rid, row in requirement_rows(engine, run_id).items():
        assert (row.status, row.attempts, row.error) == ("succeeded", 1, None)
        assert row.weight_profile_id == defaults[tracks[rid]]
        assert set(row.timings) == {"load_ms", "rank_ms", "write_ms"}
        assert row.entered == min(10, row.eligible)


def test_running_the_same_chunk_twice_writes_the_same_rows(engine: Engine, seeded: Seeded) -> None:
    run_id, sent = start(engine)
    chunk = sent[0][1][0]
    first = runs.run_chunk(runtime_on(engine), run_id, chunk)
    rows = snapshot(engine)
    counts = {rid: (r.entered, r.left, r.moved) for rid, r in requirement_rows(engine, run_id).items()}
    again = runs.run_chunk(runtime_on(engine), run_id, chunk)
    assert (first.matched, again.matched, again.skipped) == (len(chunk), 0, len(chunk))
    assert snapshot(engine) == rows
    with session_scope(engine) as session:  # a redelivery after the claims were lost, say
        session.execute(update(MRR).where(MRR.c.run_id == run_id).values(status="queued", claimed_by=None))
    redone = runs.run_chunk(runtime_on(engine), run_id, chunk)
    assert redone.matched == len(chunk)
    assert snapshot(engine) == rows
    assert {rid: (r.entered, r.left, r.moved) for rid, r in requirement_rows(engine, run_id).items()} == {
        rid: (0, 0, 0) if rid in chunk else c for rid, c in counts.items()
    }


def test_a_requirement_that_keeps_killing_its_worker_ends_failed(
    engine: Engine, db_url: str, seeded: Seeded, pinned_settings: SetEnv
) -> None:
    pinned_settings(task_max_retries="2")
    run_id, sent = start(engine)
    chunk = sent[0][1][0]
    poison = chunk[1]

    def killer(requirement: Any, pool: Pool, *args: Any, **kwargs: Any) -> Ranking:
        if requirement.external_id == requirement_rows_external[poison]:
            os._exit(17)
        return reference_ranker(requirement, pool, *args, **kwargs)

    with session_on(engine) as session:
        requirement_rows_external = dict(session.execute(select(runs.REQ.c.id, runs.REQ.c.external_id)).all())
    for delivery in range(1, 4):
        pid = os.fork()
        if pid == 0:  # a worker process that takes the chunk and dies on the poison requirement
            runs.run_chunk(replace(runtime_on(make_engine(db_url)), ranker=killer), run_id, chunk)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 17
        assert requirement_rows(engine, run_id)[poison].attempts == delivery
    report = runs.run_chunk(runtime_on(engine), run_id, chunk)
    rows = requirement_rows(engine, run_id)
    assert rows[poison].status == "failed" and "gave up after 3 attempts" in rows[poison].error
    assert all(rows[rid].status == "succeeded" for rid in chunk if rid != poison)
    assert report.matched == len(chunk) - 2  # the first one was done before the worker died
    for other in sent[0][1][1:]:
        runs.run_chunk(runtime_on(engine), run_id, other)
    final = progress(engine, run_id)
    assert (final.status, final.failed, final.processed) == (RunStatus.failed, 1, final.total)
    assert final.error == f"1 of {final.total} requirements failed"


def test_a_claim_held_by_a_live_worker_is_left_alone_until_it_goes_stale(
    engine: Engine, seeded: Seeded
) -> None:
    run_id, sent = start(engine)
    rid = sent[0][1][0][0]
    settings = get_settings()
    with session_scope(engine) as session:
        session.execute(
            update(MRR)
            .where(MRR.c.run_id == run_id, MRR.c.requirement_id == rid)
            .values(status="running", attempts=1, claimed_by="another-host:4242", claimed_at=utcnow())
        )
    assert runs.claim(engine, run_id, rid, worker="me:1", settings=settings) is None
    stale = utcnow() - dt.timedelta(seconds=settings.claim_timeout + 1)
    with session_scope(engine) as session:
        session.execute(update(MRR).where(MRR.c.requirement_id == rid).values(claimed_at=stale))
    taken = runs.claim(engine, run_id, rid, worker="me:1", settings=settings)
    assert taken is not None and taken.attempts == 2
    assert requirement_rows(engine, run_id)[rid].claimed_by == "me:1"


def test_a_worker_that_lost_its_claim_writes_nothing(engine: Engine, seeded: Seeded) -> None:
    run_id, sent = start(engine)
    rid = sent[0][1][0][0]

    def usurped(*args: Any, **kwargs: Any) -> Ranking:
        with session_scope(engine) as session:  # presumed dead meanwhile: another worker took over
            session.execute(update(MRR).where(MRR.c.requirement_id == rid).values(claimed_by="other:1"))
        return reference_ranker(*args, **kwargs)

    report = runs.run_chunk(replace(runtime_on(engine), ranker=usurped), run_id, [rid])
    assert (report.matched, report.skipped) == (0, 1)
    assert snapshot(engine) == {}
    assert requirement_rows(engine, run_id)[rid].status == "running"


def test_a_transient_database_error_gives_the_claim_back_for_the_retry(
    engine: Engine, seeded: Seeded
) -> None:
    run_id, sent = start(engine)
    rid = sent[0][1][0][0]

    def flaky(*args: Any, **kwargs: Any) -> Ranking:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    with pytest.raises(OperationalError):
        runs.run_chunk(replace(runtime_on(engine), ranker=flaky), run_id, [rid])
    row = requirement_rows(engine, run_id)[rid]
    assert (row.status, row.attempts, row.claimed_by) == ("queued", 1, None)
    assert runs.run_chunk(runtime_on(engine), run_id, [rid]).matched == 1
    row = requirement_rows(engine, run_id)[rid]
    assert (row.status, row.attempts) == ("succeeded", 2)


def test_an_error_fails_that_requirement_only(engine: Engine, seeded: Seeded) -> None:
    run_id, sent = start(engine)
    chunk = sent[0][1][0]

    def broken_for_one(requirement: Any, *args: Any, **kwargs: Any) -> Ranking:
        if requirement.external_id == bad:
            raise ValueError("corrupt requirement")
        return reference_ranker(requirement, *args, **kwargs)

    with session_on(engine) as session:
        bad = session.scalar(select(runs.REQ.c.external_id).where(runs.REQ.c.id == chunk[0]))
    report = runs.run_chunk(replace(runtime_on(engine), ranker=broken_for_one), run_id, chunk)
    rows = requirement_rows(engine, run_id)
    assert (report.failed, report.matched) == (1, len(chunk) - 1)
    assert (rows[chunk[0]].status, rows[chunk[0]].error) == ("failed", "ValueError: corrupt requirement")


def test_the_recovery_sweep_redispatches_lost_work_once(
    engine: Engine, seeded: Seeded, pinned_settings: SetEnv
) -> None:
    pinned_settings(claim_timeout="30")
    run_id, sent = start(engine)  # the messages are "lost": nothing ran
    first, second = sent[0][1][0][:2]
    recorder = ChunkRecorder()
    redispatched = recorder.sent
    with session_scope(engine) as session:
        assert runs.recover_stalled_runs(session, dispatch=recorder) == []
    later = utcnow() + dt.timedelta(seconds=31)
    with session_scope(engine) as session:
        found = runs.recover_stalled_runs(session, dispatch=recorder, now=later)
        assert found == [run_id] and redispatched == []  # not before the commit
    assert [sorted(i for c in chunks for i in c) for _, chunks in redispatched] == [
        sorted(requirement_rows(engine, run_id))
    ]
    with session_scope(engine) as session:  # swept again at once: already re-dispatched
        assert runs.recover_stalled_runs(session, dispatch=recorder, now=later) == []
    runs.run_chunk(runtime_on(engine), run_id, [first])
    now = later + dt.timedelta(seconds=31)
    with session_scope(engine) as session:  # a live run: one requirement just finished, ...
        session.execute(
            update(MRR).where(MRR.c.requirement_id == first).values(finished_at=now - dt.timedelta(seconds=1))
        )
        session.execute(  # ... and one is held by a worker that went silent
            update(MRR)
            .where(MRR.c.requirement_id == second)
            .values(
                status="running", claimed_by="gone:1", claimed_at=now - dt.timedelta(seconds=31), attempts=1
            )
        )
    redispatched.clear()
    with session_scope(engine) as session:
        runs.recover_stalled_runs(session, dispatch=recorder, now=now)
    assert redispatched == [(run_id, [[second]])]


def test_a_reader_finishes_a_run_whose_last_worker_died_before_recounting(
    engine: Engine, seeded: Seeded
) -> None:
    run_id, _ = start(engine)
    with session_scope(engine) as session:
        session.execute(
            update(MRR).where(MRR.c.run_id == run_id).values(status="succeeded", finished_at=utcnow())
        )
    result = progress(engine, run_id)
    assert (result.status, result.processed, result.fraction) == (RunStatus.succeeded, result.total, 1.0)
    assert result.finished_at is not None


def test_a_run_with_nothing_to_do_is_born_finished(engine: Engine) -> None:
    run_id, sent = start(engine)
    assert sent == []
    result = progress(engine, run_id)
    assert (result.status, result.total) == (RunStatus.succeeded, 0)


def test_an_unknown_requirement_is_not_found(engine: Engine, seeded: Seeded) -> None:
    with pytest.raises(NotFound), session_scope(engine) as session:
        runs.start_run(session, [missing_id()], dispatch=lambda task, args: None)


def test_runs_are_listed_latest_first_with_their_outcomes(engine: Engine, seeded: Seeded) -> None:
    older, _ = start(engine)
    runs.run_inline(runtime_on(engine), older)
    newer, _ = start(engine)
    with session_scope(engine) as session:
        listed = runs.list_runs(session, limit=5)
        outcomes = runs.run_outcomes(session, older)
    assert [p.id for p in listed] == [newer, older]
    assert [p.status for p in listed] == [RunStatus.queued, RunStatus.succeeded]
    assert {o.status for o in outcomes} == {RunStatus.succeeded}
    assert all(o.external_id.startswith("req-") and o.title for o in outcomes)


def test_a_run_records_who_entered_left_and_moved_and_the_ui_view_names_them(
    engine: Engine, seeded: Seeded, pinned_settings: SetEnv
) -> None:
    run_id, _ = start(engine)
    runs.run_inline(runtime_on(engine), run_id)
    first = requirement_rows(engine, run_id)
    rid, row = max(first.items(), key=lambda kv: kv[1].eligible)
    assert row.eligible > 10
    with session_on(engine) as session:
        active = dict(
            session.execute(
                select(ENTRY.c.candidate_id, ENTRY.c.rank).where(
                    ENTRY.c.requirement_id == rid, ENTRY.c.state == "active"
                )
            ).all()
        )
    assert {RankChange.from_json(c) for c in row.changes} == {
        RankChange(cid, None, rank) for cid, rank in active.items()
    }

    pinned_settings(SHORTLIST_SIZE="6")
    second_id, _ = start(engine, [rid])
    runs.run_inline(runtime_on(engine), second_id)
    second = requirement_rows(engine, second_id)[rid]
    assert (second.entered, second.left, second.moved) == (0, 4, 0)
    leavers = {cid: rank for cid, rank in active.items() if rank > 6}
    assert {RankChange.from_json(c) for c in second.changes} == {
        RankChange(cid, rank, None) for cid, rank in leavers.items()
    }

    staff = Principal(key_id=missing_id(), prefix="tm_test0000", role=Role.recruiter)
    with session_on(engine) as session:
        view = ui_views.what_changed(session, staff, rid)
    assert view.shown is not None and view.shown.run_id == second_id
    assert (view.entered, view.moved) == ([], [])
    assert [(c.entry.candidate.id, c.before, c.after) for c in view.left] == sorted(
        ((cid, rank, None) for cid, rank in leavers.items()), key=lambda t: t[1]
    )
    assert all(c.entry.state.value == "dropped" for c in view.left)
