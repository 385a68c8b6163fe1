"""Shortlist pages joined from each entry's stored JSON (``services/shortlists/fragments``), and
their entity tags. On SQLite and PostgreSQL.

The stored JSON must always be what the rows say now: after every kind of write (a run, a
pipeline move, a presentation, a client answer, a candidate change and its re-match, an
erasure) a page joined from it equals the page built from the rows, in both views; an erased
person leaves no token in it; and the entity tag changes with every byte of the page.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from matcher.models.tables import ENTRY
from matcher.services.candidates.erasure import identity_tokens
from matcher.services.shortlists import fragments, pages
from tests.api.conftest import World, present_some

V1 = "/api/v1"
VIEWS = ("acme", "recruiter")
PARAMS: list[dict[str, Any]] = [{}, {"limit": 3}, {"state": "all", "limit": 200}, {"stage": "presented"}]


def _get(world: World, who: str, headers: dict[str, Any] | None = None, **params: Any) -> Any:
    return world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist",
        params=params,
        headers={**world.auth(who), **(headers or {})},
    )


def _pages(world: World) -> list[bytes]:
    out = []
    for who in VIEWS:
        for params in PARAMS:
            r = _get(world, who, **params)
            assert r.status_code == 200, r.text
            out.append(r.content)
    return out


def _from_rows(world: World, monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The same pages with every stored fragment ignored (as of another version)."""
    with monkeypatch.context() as m:
        m.setattr(pages, "version", lambda: "another-version")
        return _pages(world)


def _stored(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(ENTRY.c.candidate_id, ENTRY.c.stage, ENTRY.c.staff_json, ENTRY.c.client_json).where(
                    ENTRY.c.json_version == fragments.version()
                )
            )
        )


def _assert_current(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _pages(world) == _from_rows(world, monkeypatch)


def _staff_items(world: World, **params: Any) -> list[dict[str, Any]]:
    return list(_get(world, "recruiter", limit=200, **params).json()["items"])


def test_the_stored_json_is_what_the_rows_say_after_every_kind_of_write(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid = world.requirements["acme"]
    recruiter = world.auth("recruiter")
    stored = _stored(world.engine)
    assert len(stored) >= 10, "the run did not store its entries' JSON"
    assert all(s.staff_json and s.client_json is None for s in stored), "an unpresented entry has client JSON"
    _assert_current(world, monkeypatch)

    shown = present_some(world, 4)
    presented = {s.candidate_id for s in _stored(world.engine) if s.client_json is not None}
    assert {str(c) for c in presented} == {s["candidate"]["id"] for s in shown}
    _assert_current(world, monkeypatch)

    first = shown[0]["candidate"]["id"]
    r = world.http.patch(
        f"{V1}/requirements/{rid}/shortlist/{first}", json={"stage": "withdrawn"}, headers=recruiter
    )
    assert r.status_code == 200, r.text
    _assert_current(world, monkeypatch)

    handle = shown[1]["handle"]
    answer = {"action": "decline", "reason": "skills", "comment": "too dear for us"}
    r = world.http.post(
        f"{V1}/requirements/{rid}/presented/{handle}/answer", json=answer, headers=world.auth("acme")
    )
    assert r.status_code == 200, r.text
    _assert_current(world, monkeypatch)

    for item, rate in zip(shown[2:], (31, 4321), strict=True):  # a card change and its re-match
        r = world.http.patch(
            f"{V1}/candidates/{item['candidate']['id']}", json={"hourly_rate": rate}, headers=recruiter
        )
        assert r.status_code == 200, r.text
    _assert_current(world, monkeypatch)
    rates = {c["handle"]: c["candidate"]["hourly_rate"] for c in _get(world, "acme").json()["items"]}
    assert (rates[shown[2]["handle"]], rates[shown[3]["handle"]]) == (31, 4321)
    assert len(_stored(world.engine)) >= len(stored), "the re-match left entries without stored JSON"


def test_a_candidate_change_forgets_the_stored_json_until_the_shortlist_is_written_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no re-match after it (``rematch=False``), the changed card is built from the rows."""
    from matcher.db import session_scope
    from matcher.schemas import CandidateIn
    from matcher.services.imports import importing

    (shown,) = present_some(world, 1)
    record = next(c for c in world.candidates if c["external_id"] == shown["candidate"]["external_id"])
    with session_scope(world.engine) as session:
        importing.import_candidates(
            session, [CandidateIn.model_validate({**record, "hourly_rate": 77.5})], rematch=False
        )
    assert shown["candidate"]["id"] not in {str(s.candidate_id) for s in _stored(world.engine)}
    assert [c["candidate"]["hourly_rate"] for c in _get(world, "acme").json()["items"]] == [77.5]
    _assert_current(world, monkeypatch)


def test_an_erased_person_leaves_no_token_in_any_stored_json(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid = world.requirements["acme"]
    (victim,) = present_some(world, 1)
    name, email = victim["candidate"]["name"], victim["candidate"]["email"]
    other = _staff_items(world, stage="new")[0]["candidate"]["id"]
    r = world.http.post(
        f"{V1}/requirements/{rid}/shortlist/{other}/present",
        json={"note_for_client": f"a peer of {name} ({email})"},
        headers=world.auth("recruiter"),
    )
    assert r.status_code == 200, r.text
    # The whole name, the email and its local part (the domain and single words are other
    # people's too); the person's own entries hold no token of identity_tokens at all.
    tokens = [name.lower(), email.lower(), email.split("@")[0].lower()]
    text = "\n".join(f"{s.staff_json}\n{s.client_json}" for s in _stored(world.engine)).lower()
    assert name.lower() in text and email.lower() in text, "the test needs the person in the stored JSON"

    r = world.http.delete(f"{V1}/candidates/{victim['candidate']['id']}", headers=world.auth("admin"))
    assert r.status_code == 200, r.text
    after = _stored(world.engine)
    erased = [s for s in after if str(s.candidate_id) == victim["candidate"]["id"]]
    assert erased and all(s.client_json is None for s in erased)
    text = "\n".join(f"{s.staff_json}\n{s.client_json}" for s in after).lower()
    assert not [t for t in tokens if t in text]
    own = "\n".join(f"{s.staff_json}" for s in erased).lower()
    assert not [t for t in identity_tokens(name, email) if len(t) >= 4 and t.lower() in own]
    assert "[erased]" in text, "the note on the other entry was not serialised again"
    _assert_current(world, monkeypatch)


def test_the_etag_names_the_page_and_changes_with_it(world: World) -> None:
    rid = world.requirements["acme"]
    present_some(world, 3)
    tags = {}
    for who in VIEWS:
        r = _get(world, who)
        assert r.headers["cache-control"] == "private, no-cache" and "Authorization" in r.headers["vary"]
        tags[who] = r.headers["etag"]
        again = _get(world, who, {"If-None-Match": tags[who]})
        assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", tags[who])
        assert _get(world, who, {"If-None-Match": f'"x", W/{tags[who]}'}).status_code == 304
    assert tags["acme"] != tags["recruiter"]
    assert _get(world, "recruiter", {"If-None-Match": tags["acme"]}).status_code == 200
    assert _get(world, "acme", {"If-None-Match": tags["recruiter"]}).status_code == 200
    assert _get(world, "acme", {"If-None-Match": tags["acme"]}, limit=2).status_code == 200

    shown = _staff_items(world)[0]["candidate"]["id"]  # a pipeline move
    r = world.http.patch(
        f"{V1}/requirements/{rid}/shortlist/{shown}",
        json={"stage": "withdrawn"},
        headers=world.auth("recruiter"),
    )
    assert r.status_code == 200, r.text
    for who in VIEWS:
        r = _get(world, who, {"If-None-Match": tags[who]})
        assert r.status_code == 200 and r.headers["etag"] != tags[who], who
        tags[who] = r.headers["etag"]

    unpresented = _staff_items(world, stage="new")[0]["candidate"]["id"]  # a re-match, staff only
    r = world.http.patch(
        f"{V1}/candidates/{unpresented}", json={"hourly_rate": 4999}, headers=world.auth("recruiter")
    )
    assert r.status_code == 200, r.text
    assert _get(world, "recruiter", {"If-None-Match": tags["recruiter"]}).status_code == 200
    assert _get(world, "acme", {"If-None-Match": tags["acme"]}).status_code == 304


@pytest.mark.parametrize(
    "value",
    [
        "",
        "*",
        "garbage",
        '"',
        'W/"',
        ",,,",
        "W/W/x",
        "x" * 8000,
        '"\u00e9t\u00e9"'.encode(),
    ],
)
def test_any_if_none_match_is_a_200_or_a_304(world: World, value: str | bytes) -> None:
    r = _get(world, "acme", {"If-None-Match": value})
    assert r.status_code == (304 if value == "*" else 200), r.text


@pytest.mark.parametrize(
    ("who", "state"), [("recruiter", "all"), ("recruiter", "current"), ("acme", "current")]
)
def test_following_the_cursors_reads_the_list_once_in_order(world: World, who: str, state: str) -> None:
    present_some(world, 9)
    whole = _get(world, who, state=state, limit=200).json()
    assert whole["next_cursor"] is None and len(whole["items"]) >= 9
    paged, cursor = [], None
    while True:
        page = _get(world, who, state=state, limit=4, **({"cursor": cursor} if cursor else {})).json()
        paged += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert paged == whole["items"]
