"""The shortlist read path: one query per page, the body serialised once, no connection held
while a request waits for a worker thread. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest
from anyio import to_thread
from pydantic import TypeAdapter
from sqlalchemy import select, update
from sqlmodel import Session, create_engine

from api.app import create_app
from api.routers.requirements import ShortlistPage
from matcher.db import session_scope
from matcher.models import CandidateSkill
from matcher.services.accounts import service as accounts
from matcher.services.cursors import encode_cursor
from matcher.services.shortlists import fragments
from matcher.services.shortlists import rows as shortlist_rows
from matcher.services.shortlists import service as shortlists
from tests.api.conftest import World, present_some
from tests.helpers import missing_id

V1 = "/api/v1"
PARAMS: list[dict[str, object]] = [
    {},
    {"limit": 7},
    {"limit": 7, "cursor": "next"},  # the next_cursor of the page of 7
    {"state": "all", "limit": 200},
]


def _body(world: World, who: str, **params: object) -> bytes:
    if params.get("cursor") == "next":
        params["cursor"] = json.loads(_body(world, who, limit=params["limit"]))["next_cursor"]
        assert params["cursor"], "the test needs a second page"
    r = world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist", params=params, headers=world.auth(who)
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    return r.content


@pytest.mark.parametrize("who", ["acme", "recruiter"])
def test_the_body_is_what_the_response_model_makes_of_the_page(world: World, who: str) -> None:
    """Byte for byte what FastAPI's response_model serialisation of ``get_shortlist`` gives."""
    present_some(world, 9)
    adapter = TypeAdapter(ShortlistPage)
    for params in PARAMS:
        body = _body(world, who, **params)
        if params.get("cursor") == "next":
            params = {**params, "cursor": json.loads(_body(world, who, limit=params["limit"]))["next_cursor"]}
        with Session(world.engine) as session:
            caller = accounts.authenticate(session, world.keys[who])
            page = shortlists.get_shortlist(
                session,
                caller,
                uuid.UUID(world.requirements["acme"]),
                cursor=str(params.get("cursor", "")),
                limit=int(str(params.get("limit", 50))),
                state=shortlists.StateFilter(params.get("state", "current")),
            )
        assert body == adapter.dump_json(page, by_alias=True), params


def test_skills_in_the_page_query_equal_the_skill_rows(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL aggregates each card's skills into the page query; they must be exactly what
    the skill rows give (order, and floats to the last bit), which SQLite always reads. The
    skills are changed behind the services' back, so the test forgets the stored entry JSON
    itself, as any writer of candidate data must: the pages are built from the rows."""
    present_some(world, 9)
    thirds = [k / 3 for k in range(1, 8)]
    with session_scope(world.engine) as session:
        skill_ids = session.execute(select(CandidateSkill.id)).scalars().all()
        for i, skill_id in enumerate(skill_ids):
            session.execute(
                update(CandidateSkill).where(CandidateSkill.id == skill_id).values(years=thirds[i % 7])
            )
        fragments.forget_candidates(session, session.scalars(select(CandidateSkill.candidate_id)).all())
    together = {who: [_body(world, who, **p) for p in PARAMS] for who in ("acme", "recruiter")}
    monkeypatch.setattr(shortlist_rows, "is_postgres", lambda _session: False)
    apart = {who: [_body(world, who, **p) for p in PARAMS] for who in ("acme", "recruiter")}
    assert together == apart
    items = json.loads(together["recruiter"][0])["items"]
    years = {s["years"] for e in items for s in e["candidate"]["skills"]}
    assert years and years <= set(thirds)


def test_another_clients_requirement_is_a_404_whatever_the_query(world: World) -> None:
    url = f"{V1}/requirements/{world.requirements['acme']}/shortlist"
    beyond = encode_cursor([1, "9999-12-31T00:00:00+00:00", "ZZZZ-ZZZZ"])  # after any presented card
    for params in ({}, {"cursor": "not-a-cursor"}, {"cursor": beyond}, {"stage": "hired"}):
        r = world.http.get(url, params=params, headers=world.auth("globex"))
        assert r.status_code == 404, (params, r.text)
    assert (
        world.http.get(url, params={"cursor": "not-a-cursor"}, headers=world.auth("acme")).status_code == 422
    )
    past_the_end = world.http.get(url, params={"cursor": beyond}, headers=world.auth("acme"))
    assert past_the_end.status_code == 200 and past_the_end.json()["items"] == []
    missing = f"{V1}/requirements/{missing_id()}/shortlist"
    assert world.http.get(missing, headers=world.auth("recruiter")).status_code == 404


def test_requests_beyond_the_pool_and_the_threads_do_not_deadlock(world: World) -> None:
    """A pool of one connection, two worker threads and eighteen requests at once (shortlists,
    which end their own transaction, requirements, committed after the route, and 404s, rolled
    back): every request is answered, none waits out the pool timeout. (A request that held its
    connection from the key lookup to the route would wait for a thread that waits for it.)"""
    tight = create_engine(world.engine.url, pool_size=1, max_overflow=0, pool_timeout=5)
    app = create_app(world.settings, tight)
    req = world.requirements["acme"]
    paths = [
        f"{V1}/requirements/{req}/shortlist",
        f"{V1}/requirements/{req}",
        f"{V1}/requirements/{missing_id()}",
    ]

    async def run() -> list[int]:
        to_thread.current_default_thread_limiter().total_tokens = 2
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
            calls = [http.get(paths[i % 3], headers=world.auth("recruiter")) for i in range(18)]
            return [r.status_code for r in await asyncio.gather(*calls)]

    try:
        assert asyncio.run(asyncio.wait_for(run(), timeout=60)) == [200, 200, 404] * 6
    finally:
        tight.dispose()
