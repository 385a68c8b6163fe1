"""Small holes a hostile client found (issue 16, item 7): each is refused with a 4xx naming the
field, and an anonymous caller learns first that it needs a key."""

from __future__ import annotations

import json
from typing import Any

import pytest

from matcher.services.cursors import encode_cursor
from tests.api.conftest import World, clone, loose_requirement

V1 = "/api/v1"


def _fields(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


STAFF_ID = "00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize(
    ("who", "keys"),
    [
        *(("recruiter", [0, rank, 1.0, STAFF_ID]) for rank in (10**30, 2**63, -1)),
        *(("recruiter", [flag, 1, 1.0, STAFF_ID]) for flag in (2, -1, True)),
        ("recruiter", [0, 1, 1e400, STAFF_ID]),
        ("recruiter", [0, 1, 1.0, "not-a-uuid"]),
        ("recruiter", [10]),  # an offset cursor of old
        ("acme", [0, "not a time", "ABCD-EFGH"]),
        ("acme", [0, "99999-01-01T00:00:00", "ABCD-EFGH"]),
        ("acme", [0, "2026-12-01T00:00:00", "x" * 65]),
        ("acme", [0, 1, 1.0, STAFF_ID]),  # another view's cursor
    ],
)
def test_a_shortlist_cursor_out_of_range_is_refused(world: World, who: str, keys: list[Any]) -> None:
    r = world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist",
        params={"cursor": encode_cursor(keys)},
        headers=world.auth(who),
    )
    assert r.status_code == 422, r.text
    assert _fields(r) == ["cursor"]


def test_an_anonymous_caller_with_malformed_json_gets_401_first(world: World) -> None:
    for body in (b"{not json", b'{"title": '):
        r = world.http.post(f"{V1}/requirements", content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 401, r.text
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
    r = world.http.post(
        f"{V1}/requirements",
        content=b"{not json",
        headers={"Content-Type": "application/json", **world.auth("acme")},
    )
    assert r.status_code == 422  # with a key, what is wrong with the body


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer tm_nope"}, {"Authorization": "Basic eDp5"}], ids=str
)
def test_every_401_says_how_to_authenticate(world: World, headers: dict[str, str]) -> None:
    r = world.http.get(f"{V1}/me", headers=headers)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="talentmatch"'


@pytest.mark.parametrize(
    "title",
    [
        "\u200b\u200b\u200b",
        "\u200b \ufeff \u2060",
        "Senior \u202egnp.exe",
        "\x1b[31mSenior dev\x1b[0m",
        "a\u2066b",
    ],
)
def test_titles_that_are_not_what_they_show_are_refused(world: World, title: str) -> None:
    body = clone(loose_requirement("odd-title", None), title=title)
    r = world.http.post(f"{V1}/requirements", json=body, headers=world.auth("acme"))
    assert r.status_code == 422, r.text
    assert _fields(r) == ["title"]


@pytest.mark.parametrize("rate", ["1e-320", "0.5", "1e400", "NaN"])
def test_absurd_rates_are_refused(world: World, rate: str) -> None:
    text = json.dumps(loose_requirement("tiny-rate", None)).replace(
        '"max_hourly_rate": 5000', f'"max_hourly_rate": {rate}'
    )
    assert f'"max_hourly_rate": {rate}' in text
    r = world.http.post(
        f"{V1}/requirements", content=text, headers={"Content-Type": "application/json", **world.auth("acme")}
    )
    assert r.status_code == 422, r.text
    assert _fields(r) == ["max_hourly_rate"]


def test_a_five_thousand_digit_headcount_is_refused_by_name(world: World) -> None:
    text = json.dumps(loose_requirement("huge-headcount", None))[:-1] + ', "headcount": ' + "9" * 5000 + "}"
    r = world.http.post(
        f"{V1}/requirements", content=text, headers={"Content-Type": "application/json", **world.auth("acme")}
    )
    assert r.status_code == 422, r.text
    assert _fields(r) == ["headcount"]
