"""The pipeline across re-matches, through the API on SQLite and PostgreSQL: anonymous handles
never change, and nobody a recruiter presented vanishes when a re-match drops them."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from matcher.models import MatchRun, MatchRunRequirement, RunStatus
from tests.api.conftest import World, present_some

V1 = "/api/v1"


def _staff(world: World, **params: Any) -> list[dict[str, Any]]:
    r = world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist",
        params={"limit": 200, **params},
        headers=world.auth("recruiter"),
    )
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def _client(world: World) -> dict[str, Any]:
    r = world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist", headers=world.auth("acme")
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def _patch_rate(world: World, candidate_id: str, rate: float) -> None:
    r = world.http.patch(
        f"{V1}/candidates/{candidate_id}", json={"hourly_rate": rate}, headers=world.auth("recruiter")
    )
    assert r.status_code == 200, r.text


def test_handles_survive_rematches_that_reorder_the_list(world: World) -> None:
    presented = present_some(world, 3, start=2)
    before = {e["candidate"]["id"]: e["handle"] for e in _staff(world)}
    client_handles = [i["handle"] for i in _client(world)["items"]]
    assert client_handles == [before[p["candidate"]["id"]] for p in presented]
    rng = random.Random(12)
    order = [e["candidate"]["id"] for e in _staff(world, state="active")]
    for round_ in range(3):
        for cid in rng.sample(order, 15):  # each change re-matches the requirement
            _patch_rate(world, cid, rng.choice([20, 45, 90, 140, 400]))
        now = [e["candidate"]["id"] for e in _staff(world, state="active")]
        assert now != order, f"re-match {round_ + 1} did not reorder the list"
        order = now
        after = {e["candidate"]["id"]: e["handle"] for e in _staff(world, state="all")}
        assert {cid: after[cid] for cid in before} == before
        assert [i["handle"] for i in _client(world)["items"]] == client_handles


def test_a_presented_candidate_made_ineligible_stays_flagged_with_its_current_score(world: World) -> None:
    rid = world.requirements["acme"]
    (shown,) = present_some(world, 1, start=0)
    cid = shown["candidate"]["id"]
    old_score = shown["score"]
    _patch_rate(world, cid, 9000)  # the requirement's budget is 5000 USD/h

    current = {e["candidate"]["id"]: e for e in _staff(world)}
    assert cid in current, "the presented candidate vanished from the recruiter's default view"
    entry = current[cid]
    assert (entry["state"], entry["stage"], entry["rank"]) == ("ineligible", "presented", None)
    assert "above budget" in entry["reasons"][0]
    timeline = world.http.get(
        f"{V1}/requirements/{rid}/shortlist/{cid}/timeline", headers=world.auth("recruiter")
    ).json()
    assert "above budget" in (timeline["entry"]["current_reason"] or "")
    last = [e for e in timeline["events"] if e["kind"] == "score"][-1]
    assert (last["score_before"], last["score_after"], last["state"]) == (
        old_score,
        entry["score"],
        "ineligible",
    )
    assert entry["score"] != old_score, "the ineligible entry kept its old score"
    assert last["match_run_id"] is not None

    attention = world.http.get(f"{V1}/attention", headers=world.auth("recruiter")).json()
    flagged = [a for a in attention if a["candidate_id"] == cid]
    assert [(a["kind"], a["requirement_id"]) for a in flagged] == [("became_ineligible", rid)]
    assert "above budget" in flagged[0]["detail"] and flagged[0]["score"] == entry["score"]

    pipeline = world.http.get(f"{V1}/candidates/{cid}/pipeline", headers=world.auth("recruiter")).json()
    on = {p["requirement_id"]: p for p in pipeline}
    assert on[rid]["entry"]["stage"] == "presented" and on[rid]["events"][-1]["kind"] == "score"
    assert [i["stage"] for i in _client(world)["items"]] == ["presented"]


def _finished_run(world: World, changes: list[dict[str, Any]], at: dt.datetime) -> None:
    with world.app.state.runtime.session_scope() as session:
        run = MatchRun(status=RunStatus.succeeded, trigger="test", finished_at=at)
        session.add(run)
        session.flush()
        session.add(
            MatchRunRequirement(
                run_id=run.id,
                requirement_id=uuid.UUID(world.requirements["acme"]),
                status=RunStatus.succeeded,
                changes=changes,
                finished_at=at,
            )
        )


def test_strong_newcomers_of_a_later_run_need_attention_but_not_those_of_the_first(world: World) -> None:
    """The requirement's first run brought everyone in (not news); a later run that brings a
    candidate into the top 5 puts them on the attention list until a recruiter moves them."""
    rid = world.requirements["acme"]
    h = world.auth("recruiter")
    assert [
        a for a in world.http.get(f"{V1}/attention", headers=h).json() if a["kind"] == "strong_entrant"
    ] == []
    staff = _staff(world, state="active")
    second, tenth = staff[1]["candidate"]["id"], staff[9]["candidate"]["id"]
    later = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    _finished_run(
        world,
        [
            {"candidate_id": second, "before": None, "after": 2},
            {"candidate_id": tenth, "before": None, "after": 10},
        ],
        later,
    )
    strong = [a for a in world.http.get(f"{V1}/attention", headers=h).json() if a["kind"] == "strong_entrant"]
    assert [(a["candidate_id"], a["requirement_id"], a["detail"]) for a in strong] == [
        (second, rid, "new at rank 2")
    ]
    world.http.patch(f"{V1}/requirements/{rid}/shortlist/{second}", json={"stage": "reviewing"}, headers=h)
    assert [
        a for a in world.http.get(f"{V1}/attention", headers=h).json() if a["kind"] == "strong_entrant"
    ] == []
