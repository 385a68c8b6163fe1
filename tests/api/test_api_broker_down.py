"""With the broker unreachable, writes still succeed, say the re-match is pending, and the
run is re-dispatched as soon as a sweep finds the broker back, not after the claim timeout
(issue 16, item 5)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from matcher.models import MatchRun
from matcher.services import runs
from tasks.dispatch import CelerySender
from tests.api.conftest import World, clone, loose_requirement
from tests.helpers import example, session_on

V1 = "/api/v1"
RUN = MatchRun.__table__  # type: ignore[attr-defined]
#: Nothing listens on port 1: connections are refused at once.
DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down(world: World) -> Iterator[CelerySender]:
    dead = CelerySender(DEAD_BROKER)
    with world.app.state.runtime.dispatcher.using(dead):
        yield dead


def _dispatched_at(world: World, run_id: str) -> object:
    with session_on(world.engine) as s:
        return s.execute(select(RUN.c.dispatched_at).where(RUN.c.id == uuid.UUID(run_id))).scalar_one()


def test_writes_succeed_and_say_the_rematch_is_pending(world: World, broker_down: CelerySender) -> None:
    r = world.http.post(
        f"{V1}/requirements", json=loose_requirement("while-down", None), headers=world.auth("acme")
    )
    assert r.status_code == 201, r.text
    assert r.json()["rematch_pending"] is True
    rid = r.json()["id"]
    candidate = clone(example("candidate"), external_id="while-down", track="developer")
    r = world.http.post(f"{V1}/candidates", json=candidate, headers=world.auth("recruiter"))
    assert r.status_code == 201 and r.json()["rematch_pending"] is True
    r = world.http.post(f"{V1}/match-runs", json={"requirement_ids": [rid]}, headers=world.auth("recruiter"))
    assert r.status_code == 202 and r.json()["rematch_pending"] is True
    run_id = r.json()["id"]
    assert _dispatched_at(world, run_id) is None  # the failed dispatch handed it to the next sweep
    assert (
        world.http.get(f"{V1}/match-runs/{run_id}", headers=world.auth("recruiter")).json()["status"]
        == "queued"
    )

    # the broker is back: the very next sweep dispatches it, no claim timeout to wait for
    with world.app.state.runtime.session_scope() as session:
        recovered = runs.recover_stalled_runs(session, dispatch=runs.inline_dispatch(world.app.state.runtime))
    assert uuid.UUID(run_id) in recovered
    run = world.http.get(f"{V1}/match-runs/{run_id}", headers=world.auth("recruiter")).json()
    assert run["status"] == "succeeded"
    page = world.http.get(f"{V1}/requirements/{rid}/shortlist", headers=world.auth("recruiter")).json()
    assert page["items"]


def test_a_reachable_queue_is_not_pending(world: World) -> None:
    r = world.http.post(
        f"{V1}/requirements", json=loose_requirement("while-up", None), headers=world.auth("acme")
    )
    assert r.status_code == 201 and r.json()["rematch_pending"] is False


def test_the_ui_warns_that_the_rematch_is_pending(world: World, broker_down: CelerySender) -> None:
    rid = world.requirements["acme"]
    assert (
        world.http.get(f"{V1}/requirements/{rid}", headers=world.auth("acme")).json()["rematch_pending"]
        is False
    )
    from tests.ui.test_ui_session import token_of

    http = world.http
    token = token_of(http.get("/").text)
    assert http.post("/sign-in", data={"api_key": world.keys["acme"], "csrf_token": token}).status_code in (
        200,
        303,
    )
    page = http.get(f"/requirements/{rid}", params={"pending": "1"})
    assert page.status_code == 200
    assert "data-rematch-pending" in page.text and "Warning" in page.text
