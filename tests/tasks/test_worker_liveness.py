"""A whole worker (main process and pool) killed mid-run, with the production defaults for
claim_timeout and recovery_interval: the run finishes within 60 s of the kill (issue 16,
item 4). ``test_worker_crash`` is the model; it shrinks the timeouts to seconds, this does not."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from tests.helpers import session_on
from tests.tasks.test_worker_crash import MRR, Stack, prepare, wait_for
from tests.tasks.test_worker_crash import stack as crash_stack

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


@pytest.fixture
def stack(db_url: str, tmp_path: Path) -> Iterator[Stack]:
    """The crash test's stack, but with the default claim timeout and sweep interval."""
    fixture = crash_stack.__wrapped__(db_url, tmp_path)  # type: ignore[attr-defined]
    s = next(fixture)
    for name in ("TALENTMATCH_CLAIM_TIMEOUT", "TALENTMATCH_RECOVERY_INTERVAL"):
        s.env.pop(name)
    s.env["TALENTMATCH_TASK_DELAY_SECONDS"] = "0.5"
    yield s
    for _ in fixture:
        pass


def test_a_killed_worker_stalls_its_run_for_seconds_not_minutes(engine: Engine, stack: Stack) -> None:
    prepare(engine)
    gate = stack.cwd / "gate"  # one requirement matched, then the worker holds its next claim
    gate.mkdir()
    (gate / "1").touch()
    first = stack.start_worker("worker-1", TALENTMATCH_TASK_GATE_DIR=str(gate))
    out = stack.cli("rematch")
    found = re.search(r"run ([0-9a-f-]{36}) queued: (\d+)", out)
    assert found, out
    run_id, total = uuid.UUID(found[1]), int(found[2])

    def claimed(row: Any) -> bool:
        with session_on(engine) as session:
            running = session.scalar(
                select(MRR.c.id).where(MRR.c.run_id == run_id, MRR.c.status == "running")
            )
        return row.processed == 1 and running is not None

    wait_for(engine, run_id, claimed, 90, stack)
    stack.kill(first)  # the whole process group: main process and pool children
    killed_at = time.monotonic()
    stack.start_worker("worker-2")
    final = wait_for(engine, run_id, lambda r: r.status in ("succeeded", "failed"), 60, stack)
    took = time.monotonic() - killed_at
    print(f"\nrun of {total} requirements finished {took:.1f} s after the whole worker was killed")
    assert (final.status, final.processed, final.failed) == ("succeeded", total, 0)
    assert took <= 60, f"the run finished {took:.0f} s after the kill"
    with session_on(engine) as session:
        attempts = list(session.scalars(select(MRR.c.attempts).where(MRR.c.run_id == run_id)))
    assert max(attempts) >= 2  # a claim of the dead worker was taken over
