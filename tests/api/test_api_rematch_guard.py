"""Dates have a horizon, and a re-match trigger never fails the write that fired it (issue 16, item 1)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import select, update

from matcher.models import Requirement
from matcher.services.runs import triggers
from tests.api.conftest import World, clone, loose_requirement
from tests.helpers import example, session_on

V1 = "/api/v1"
REQ = Requirement.__table__  # type: ignore[attr-defined]


def _candidate(external_id: str) -> dict[str, Any]:
    return clone(example("candidate"), external_id=external_id, track="developer")


def _fields(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize("start_by", ["9999-12-31", "0001-01-01", "2101-01-01", "1999-12-31"])
def test_start_by_beyond_the_horizon_is_refused_with_its_field(world: World, start_by: str) -> None:
    body = clone(loose_requirement("far-future", None), start_by=start_by, min_overlap_hours=3)
    r = world.http.post(f"{V1}/requirements", json=body, headers=world.auth("acme"))
    assert r.status_code == 422, r.text
    assert any(f.endswith("start_by") for f in _fields(r)), r.text


def test_available_from_beyond_the_horizon_is_refused(world: World) -> None:
    body = clone(_candidate("far-cand"), available_from="9999-12-31")
    r = world.http.post(f"{V1}/candidates", json=body, headers=world.auth("recruiter"))
    assert r.status_code == 422, r.text
    assert any(f.endswith("available_from") for f in _fields(r)), r.text


def test_the_horizon_is_stated_in_the_openapi_schema(world: World) -> None:
    schema = world.http.get("/openapi.json").json()["components"]["schemas"]
    start_by = schema["RequirementPayload"]["properties"]["start_by"]
    assert start_by["formatMaximum"] == "2100-12-31" and start_by["formatMinimum"] == "2000-01-01"
    rate = schema["RequirementPayload"]["properties"]["max_hourly_rate"]
    assert rate["minimum"] >= 1 and rate["maximum"] <= 10_000


def _legacy_far_requirement(world: World) -> uuid.UUID:
    """A requirement stored before the horizon existed: start_by on the last representable day."""
    body = clone(loose_requirement("legacy-far", None), min_overlap_hours=3)
    r = world.http.post(f"{V1}/requirements", json=body, headers=world.auth("acme"))
    assert r.status_code == 201, r.text
    rid = uuid.UUID(r.json()["id"])
    with world.app.state.runtime.session_scope() as session:
        session.execute(update(REQ).where(REQ.c.id == rid).values(start_by=dt.date.max))
    return rid


def test_a_requirement_with_an_extreme_stored_date_cannot_block_candidate_writes(world: World) -> None:
    _legacy_far_requirement(world)
    r = world.http.post(f"{V1}/candidates", json=_candidate("after-far"), headers=world.auth("recruiter"))
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    r = world.http.patch(
        f"{V1}/candidates/{cid}", json={"hours_per_week": 30}, headers=world.auth("recruiter")
    )
    assert r.status_code == 200, r.text


def test_a_failing_trigger_keeps_the_write_records_it_for_recruiters_and_is_retried(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("pre-filter exploded")

    monkeypatch.setattr(triggers, "_open_of", broken)
    body = clone(loose_requirement("trigger-fails", None))
    r = world.http.post(f"{V1}/requirements", json=body, headers=world.auth("acme"))
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert r.json()["rematch_error"] is None  # a client never sees internal errors

    staff = world.http.get(f"{V1}/requirements/{rid}", headers=world.auth("recruiter")).json()
    assert "pre-filter exploded" in staff["rematch_error"]
    assert staff["rematch_failed_at"] is not None

    monkeypatch.undo()
    with world.app.state.runtime.session_scope() as session:
        run = triggers.retry_failed_triggers(session)
        assert run is not None and run.total == 1
    with session_on(world.engine) as session:
        error = session.execute(select(REQ.c.rematch_error).where(REQ.c.id == uuid.UUID(rid))).scalar_one()
    assert error is None
    page = world.http.get(f"{V1}/requirements/{rid}/shortlist", headers=world.auth("recruiter")).json()
    assert len(page["items"]) > 0  # the retried run (inline here) matched it
    with world.app.state.runtime.session_scope() as session:
        assert triggers.retry_failed_triggers(session) is None  # nothing left to retry


def test_a_failing_candidate_trigger_keeps_the_candidate(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise OverflowError("date value out of range")

    monkeypatch.setattr(triggers, "affected_by_candidates", broken)
    r = world.http.post(f"{V1}/candidates", json=_candidate("kept"), headers=world.auth("recruiter"))
    assert r.status_code == 201, r.text
    assert (
        world.http.get(f"{V1}/candidates/{r.json()['id']}", headers=world.auth("recruiter")).status_code
        == 200
    )
    staff = world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}", headers=world.auth("recruiter")
    ).json()
    assert "OverflowError" in staff["rematch_error"]


def test_clients_see_only_run_ids_they_may_read_and_never_who_started_runs(world: World) -> None:
    req = world.http.get(f"{V1}/requirements/{world.requirements['acme']}", headers=world.auth("acme")).json()
    assert req["latest_run_id"] is not None  # the run its own creation started
    r = world.http.post(f"{V1}/candidates", json=_candidate("moves-runs"), headers=world.auth("recruiter"))
    assert r.status_code == 201, r.text
    staff = world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}", headers=world.auth("recruiter")
    ).json()
    assert staff["latest_run_id"] != req["latest_run_id"]  # a candidate run over both clients
    assert (
        world.http.get(f"{V1}/match-runs/{staff['latest_run_id']}", headers=world.auth("acme")).status_code
        == 404
    )
    for who in ("acme", "globex"):
        for rq in world.http.get(f"{V1}/requirements", headers=world.auth(who)).json()["items"]:
            if rq["latest_run_id"] is not None:
                run = world.http.get(f"{V1}/match-runs/{rq['latest_run_id']}", headers=world.auth(who))
                assert run.status_code == 200 and run.json()["requested_by"] is None
        for item in world.http.get(f"{V1}/match-runs", headers=world.auth(who)).json():
            assert item["requested_by"] is None
    staff_run = world.http.get(f"{V1}/match-runs/{req['latest_run_id']}", headers=world.auth("recruiter"))
    assert staff_run.json()["requested_by"].startswith("client:")
