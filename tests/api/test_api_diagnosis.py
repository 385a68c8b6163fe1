"""Diagnosis of empty or thin shortlists and the warnings given when a requirement is posted."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import World, loose_requirement

V1 = "/api/v1"


def _post(world: World, body: dict[str, Any]) -> dict[str, Any]:
    r = world.http.post(f"{V1}/requirements", json=body, headers=world.auth("acme"))
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_a_requirement_nobody_meets_is_posted_with_warnings_and_diagnosed(world: World) -> None:
    body = loose_requirement("impossible", None)
    body.update(
        max_hourly_rate=5,
        start_by="2020-01-06",
        must_have=[{"name": "COBOL"}, {"name": "Python"}],
        must_have_is_hard=True,
    )
    posted = _post(world, body)
    warnings = posted["warnings"]
    assert any("start date 2020-01-06 is in the past" in w for w in warnings), warnings
    assert any(w.startswith("the budget 5 USD/h is below the rate of") for w in warnings), warnings
    assert any("nobody in the pool has COBOL" in w for w in warnings), warnings

    r = world.http.get(f"{V1}/requirements/{posted['id']}/diagnosis", headers=world.auth("acme"))
    assert r.status_code == 200, r.text
    d = r.json()
    assert (d["eligible"], d["shortlist_size"], d["thin"]) == (0, 0, True)
    by_key = {f["key"]: f for f in d["filters"]}
    assert by_key["rate"]["excluded"] == d["pool"] > 0
    assert by_key["availability"]["excluded"] == d["pool"]  # nobody was available in 2020
    cobol = next(f for k, f in by_key.items() if k.startswith("must_have:") and "COBOL" in f["label"])
    assert (cobol["excluded"], cobol["hard"]) == (d["pool"], True)
    counts = [f["excluded"] for f in d["filters"]]
    assert counts == sorted(counts, reverse=True)
    text = r.text.lower()
    assert not [s for s in world.personal_strings() if s.lower() in text]


def test_an_ordinary_requirement_has_no_warnings_and_its_counts_add_up(world: World) -> None:
    d = world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}/diagnosis", headers=world.auth("acme")
    ).json()
    assert d["warnings"] == []
    assert d["eligible"] >= d["shortlist_size"] > 0
    assert d["pool"] + d["not_in_pool"] == len(world.candidates)
    assert all(f["excluded"] <= d["pool"] - d["eligible"] for f in d["filters"] if f["hard"])
    assert (
        world.http.get(
            f"{V1}/requirements/{world.requirements['acme']}/diagnosis", headers=world.auth("globex")
        ).status_code
        == 404
    )
