"""Real workers: a re-match survives its worker being SIGKILLed mid-run.

Runs on the production pair (Redis broker, PostgreSQL database) and on the embedded default
(SQLite broker, SQLite database). The worker is a separate process group started with
``talentmatch worker``; the run is started with ``talentmatch rematch``. Each requirement is
held by the test hook ``TALENTMATCH_TASK_GATE_DIR`` after exactly two requirements and chunks hold
one requirement, so the kill lands while requirements are claimed and others are still queued or
prefetched, whatever the machine's speed.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from matcher.models import MatchRun, MatchRunRequirement, ShortlistEntry
from matcher.schemas import CandidateIn
from matcher.services import runs
from matcher.services.imports import importing
from tests.conftest import REDIS_ENV, need_server
from tests.helpers import runtime_on, session_on, session_scope
from tests.rematch_fixtures import PINNED
from tests.rematch_support import Seeded, seed

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

ENTRY = ShortlistEntry.__table__  # type: ignore[attr-defined]
MRR = MatchRunRequirement.__table__  # type: ignore[attr-defined]
RUN = MatchRun.__table__  # type: ignore[attr-defined]
CLI = [sys.executable, "-c", "from matcher.cli import main; main()"]
#: What a run decides about an entry, and what the recruiter wrote on it; ids, times and the
#: run that wrote it differ between two runs by design.
COMPARED = ("rank", "score", "components", "reasons", "state", "weight_profile_id", "stage", "client_note")


@dataclass
class Stack:
    env: dict[str, str]
    cwd: Path
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_worker(self, name: str, **env: str) -> subprocess.Popen[bytes]:
        log = (self.cwd / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            [*CLI, "worker", "--concurrency", "2", "--loglevel", "info"],
            env={**self.env, **env},
            cwd=self.cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGKILL) -> None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        proc.wait(timeout=30)

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [*CLI, *args], env=self.env, cwd=self.cwd, capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-4000:] for p in sorted(self.cwd.glob("*.log")))


@pytest.fixture
def stack(db_url: str, tmp_path: Path) -> Iterator[Stack]:
    if db_url.startswith("postgresql"):
        import redis

        broker = need_server(REDIS_ENV, "Redis")
        redis.Redis.from_url(broker).flushdb()
        results = f"db+{db_url}"
    else:
        broker = f"sqla+sqlite:///{tmp_path / 'broker.db'}"
        results = f"db+sqlite:///{tmp_path / 'results.db'}"
    env = {
        **os.environ,
        **PINNED,
        "TALENTMATCH_DATABASE_URL": db_url,
        "TALENTMATCH_BROKER_URL": broker,
        "TALENTMATCH_RESULT_BACKEND": results,
        "TALENTMATCH_REMATCH_CHUNK_SIZE": "1",
        "TALENTMATCH_TASK_DELAY_SECONDS": "0.3",
        "TALENTMATCH_CLAIM_TIMEOUT": "3",
        "TALENTMATCH_RECOVERY_INTERVAL": "0.5",
    }
    s = Stack(env, tmp_path)
    yield s
    for proc in s.workers:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                s.kill(proc)
        s.kill(proc)


def entries(engine: Engine) -> dict[tuple[Any, Any], dict[str, Any]]:
    with session_on(engine) as session:
        return {
            (r.requirement_id, r.candidate_id): dict(r._mapping) for r in session.execute(select(ENTRY)).all()
        }


def decisions(rows: dict[tuple[Any, Any], dict[str, Any]]) -> dict[tuple[Any, Any], tuple[Any, ...]]:
    return {key: tuple(row[c] for c in COMPARED) for key, row in rows.items()}


def run_row(engine: Engine, run_id: uuid.UUID) -> Any:
    with session_scope(engine) as session:
        runs.refresh_run(session, run_id)
    with session_on(engine) as session:
        return session.execute(select(RUN).where(RUN.c.id == run_id)).one()


def outcomes(engine: Engine, run_id: uuid.UUID) -> dict[uuid.UUID, Any]:
    with session_on(engine) as session:
        return {r.requirement_id: r for r in session.execute(select(MRR).where(MRR.c.run_id == run_id))}


def prepare(engine: Engine) -> tuple[Seeded, list[tuple[Any, Any, str]]]:
    """A matched world, then recruiter work on it, then candidate changes that move the ranks."""
    seeded = seed(engine, 300, 14)
    with session_scope(engine) as session:
        first = runs.start_run(session, dispatch=lambda task, args: None).id
    runs.run_inline(runtime_on(engine), first)
    with session_on(engine) as session:
        picked = session.execute(
            select(ENTRY.c.requirement_id, ENTRY.c.candidate_id).where(ENTRY.c.rank.in_([1, 2])).limit(4)
        ).all()
    notes = [(rid, cid, f"recruiter note {i}") for i, (rid, cid) in enumerate(picked)]
    with session_scope(engine) as session:
        for rid, cid, note in notes:
            session.execute(
                update(ENTRY)
                .where(ENTRY.c.requirement_id == rid, ENTRY.c.candidate_id == cid)
                .values(stage="shortlisted", client_note=note)
            )
    changed = [
        CandidateIn.model_validate({**c.model_dump(mode="json"), "hourly_rate": c.hourly_rate * 0.6})
        for c in seeded.candidates[::5]
    ]
    with session_scope(engine) as session:
        importing.import_candidates(session, changed)
    return seeded, notes


def wait_for(engine: Engine, run_id: uuid.UUID, done: Any, timeout: float, stack: Stack) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = run_row(engine, run_id)
        if done(row):
            return row
        time.sleep(0.05)
    pytest.fail(f"run {run_id} stuck at {run_row(engine, run_id)}\n{stack.logs()}")


def test_a_rematch_survives_a_killed_worker(engine: Engine, stack: Stack) -> None:
    _, notes = prepare(engine)
    before = entries(engine)
    # The first worker may match exactly two requirements (two tokens), then waits at the next
    # one holding its claim: the kill lands mid-run however fast or loaded the machine is.
    gate = stack.cwd / "gate"
    gate.mkdir()
    for token in ("1", "2"):
        (gate / token).touch()
    first_worker = stack.start_worker("worker-1", TALENTMATCH_TASK_GATE_DIR=str(gate))
    out = stack.cli("rematch")
    found = re.search(r"run ([0-9a-f-]{36}) queued: (\d+)", out)
    assert found, out
    run_id, total = uuid.UUID(found[1]), int(found[2])

    def mid_run(row: Any) -> bool:
        if row.processed < 2:
            return False
        with session_on(engine) as session:
            return (
                session.scalar(select(MRR.c.id).where(MRR.c.run_id == run_id, MRR.c.status == "running"))
                is not None
            )

    at_kill = wait_for(engine, run_id, mid_run, 60, stack)
    stack.kill(first_worker)
    assert at_kill.processed == 2 < total
    assert run_row(engine, run_id).status == "running"

    stack.start_worker("worker-2")
    final = wait_for(engine, run_id, lambda r: r.status in ("succeeded", "failed"), 60, stack)
    assert (final.status, final.processed, final.failed, final.total) == ("succeeded", total, 0, total)
    crashed = outcomes(engine, run_id)
    assert len(crashed) == total and {r.status for r in crashed.values()} == {"succeeded"}
    assert max(r.attempts for r in crashed.values()) >= 2  # a claim of the dead worker was taken over
    after = entries(engine)

    for rid, cid, note in notes:
        assert (after[(rid, cid)]["stage"], after[(rid, cid)]["client_note"]) == ("shortlisted", note)
    by_requirement: dict[Any, list[int]] = {}
    for (rid, _), row in after.items():
        if row["state"] == "active":
            by_requirement.setdefault(rid, []).append(row["rank"])
    assert all(sorted(ranks) == list(range(1, len(ranks) + 1)) for ranks in by_requirement.values())
    assert sum(r.entered + r.moved + r.left for r in crashed.values()) > 0

    # The same run over the same starting state, uninterrupted, in this process.
    with session_scope(engine) as session:
        session.execute(delete(ENTRY))
        session.execute(insert(ENTRY), list(before.values()))
        clean_id = runs.start_run(session, list(crashed), dispatch=lambda task, args: None).id
    assert runs.run_inline(runtime_on(engine), clean_id).status.value == "succeeded"
    assert decisions(entries(engine)) == decisions(after)
    clean = outcomes(engine, clean_id)
    assert {rid: (r.entered, r.left, r.moved, r.eligible) for rid, r in clean.items()} == {
        rid: (r.entered, r.left, r.moved, r.eligible) for rid, r in crashed.items()
    }

    # And once more through the worker, waiting on the progress: nothing left to change.
    out = stack.cli("rematch", "--wait")
    assert f"succeeded: {total}/{total} requirements (0 failed)" in out, out
    assert "0 entered, 0 left, 0 moved" in out, out
