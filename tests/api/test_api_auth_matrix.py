"""Authorization over every route and method of the app, generated from ``app.routes``.

Each (method, path) must be classified in ``ACCESS`` with a request that is valid for it: a
route added without an entry fails ``test_every_route_is_classified``. Then, for every route:
no key and a bad key get 401; a client key gets 403 on staff and admin routes, a recruiter key
403 on admin routes; and on the routes a client may use with an id, another client's key gets
404, whatever the method.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts

from api.app import create_app
from matcher.settings import Settings
from tests.api.conftest import World, loose_requirement
from tests.helpers import example, jsonl


class Access(Enum):
    PUBLIC = "no key needed"
    ANY = "any key; a client sees only its own objects"
    STAFF = "recruiter or admin"
    ADMIN = "admin only"


@dataclass(frozen=True)
class Call:
    """How to call one route: its access class and a valid request for the acme world."""

    access: Access
    path: Callable[[World], str]
    body: Callable[[World], Any] | None = None
    ndjson: bool = False
    owned: bool = False
    """The route takes the id of a client-owned object (another client must get 404)."""


V1 = "/api/v1"


def _req(w: World) -> str:
    return w.requirements["acme"]


def _entry(w: World, stage: str | None = None) -> str:
    params = {"stage": stage} if stage else {}
    page = w.http.get(
        f"{V1}/requirements/{_req(w)}/shortlist", params=params, headers=w.auth("recruiter")
    ).json()
    return str(page["items"][0]["candidate"]["id"])


def _presented(w: World) -> str:
    """The handle of a candidate newly presented to acme (a fresh one for every call)."""
    cid = _entry(w, "new")
    r = w.http.post(
        f"{V1}/requirements/{_req(w)}/shortlist/{cid}/present", json={}, headers=w.auth("recruiter")
    )
    return str(r.json()["entry"]["handle"])


def _candidate(w: World) -> str:
    page = w.http.get(f"{V1}/candidates", params={"limit": 1}, headers=w.auth("recruiter")).json()
    return str(page["items"][0]["id"])


def _spare_key(w: World) -> str:
    created = w.http.post(f"{V1}/api-keys", json={"role": "recruiter"}, headers=w.auth("admin")).json()
    return str(created["info"]["id"])


def _profile(w: World) -> str:
    return str(w.http.get(f"{V1}/weight-profiles", headers=w.auth("admin")).json()[0]["id"])


_WEIGHTS = {"components": {"must_have": 1, "rate": 1}, "dimensions": {"communication": 1}}

ACCESS: dict[tuple[str, str], Call] = {
    ("GET", "/healthz"): Call(Access.PUBLIC, lambda w: "/healthz"),
    ("GET", "/readyz"): Call(Access.PUBLIC, lambda w: "/readyz"),
    ("GET", f"{V1}/me"): Call(Access.ANY, lambda w: f"{V1}/me"),
    ("GET", f"{V1}/skills"): Call(Access.ANY, lambda w: f"{V1}/skills?prefix=post"),
    ("GET", f"{V1}/skills/resolve"): Call(Access.ANY, lambda w: f"{V1}/skills/resolve?name=Pyhton"),
    ("GET", f"{V1}/api-keys"): Call(Access.ADMIN, lambda w: f"{V1}/api-keys"),
    ("POST", f"{V1}/api-keys"): Call(
        Access.ADMIN, lambda w: f"{V1}/api-keys", lambda w: {"role": "recruiter", "label": "matrix"}
    ),
    ("DELETE", f"{V1}/api-keys/{{key_id}}"): Call(Access.ADMIN, lambda w: f"{V1}/api-keys/{_spare_key(w)}"),
    ("POST", f"{V1}/candidates"): Call(
        Access.STAFF,
        lambda w: f"{V1}/candidates",
        lambda w: {**example("candidate"), "external_id": "matrix-1"},
    ),
    ("POST", f"{V1}/candidates/import"): Call(
        Access.STAFF,
        lambda w: f"{V1}/candidates/import",
        lambda w: jsonl([example("candidate")]),
        ndjson=True,
    ),
    ("GET", f"{V1}/candidates"): Call(Access.STAFF, lambda w: f"{V1}/candidates"),
    ("GET", f"{V1}/candidates/{{candidate_id}}"): Call(
        Access.STAFF, lambda w: f"{V1}/candidates/{_candidate(w)}"
    ),
    ("PUT", f"{V1}/candidates/{{candidate_id}}"): Call(
        Access.STAFF,
        lambda w: f"{V1}/candidates/{_candidate(w)}",
        lambda w: {**example("candidate"), "external_id": "matrix-2"},
    ),
    ("PATCH", f"{V1}/candidates/{{candidate_id}}"): Call(
        Access.STAFF, lambda w: f"{V1}/candidates/{_candidate(w)}", lambda w: {"hourly_rate": 50}
    ),
    ("GET", f"{V1}/candidates/{{candidate_id}}/matches"): Call(
        Access.STAFF, lambda w: f"{V1}/candidates/{_candidate(w)}/matches"
    ),
    ("POST", f"{V1}/requirements/{{requirement_id}}/shortlist/{{candidate_id}}"): Call(
        Access.STAFF, lambda w: f"{V1}/requirements/{_req(w)}/shortlist/{_entry(w)}"
    ),
    ("POST", f"{V1}/candidates/skills-from-text"): Call(
        Access.STAFF,
        lambda w: f"{V1}/candidates/skills-from-text",
        lambda w: {"text": "Skills\n- Python (5 years), PostgreSQL"},
    ),
    ("DELETE", f"{V1}/candidates/{{candidate_id}}"): Call(
        Access.ADMIN, lambda w: f"{V1}/candidates/{_candidate(w)}"
    ),
    ("POST", f"{V1}/requirements"): Call(
        Access.ANY, lambda w: f"{V1}/requirements", lambda w: loose_requirement("matrix-req", None)
    ),
    ("POST", f"{V1}/requirements/import"): Call(
        Access.STAFF,
        lambda w: f"{V1}/requirements/import",
        lambda w: jsonl([loose_requirement("matrix-imp", "acme")]),
        ndjson=True,
    ),
    ("POST", f"{V1}/requirements/draft"): Call(
        Access.ANY,
        lambda w: f"{V1}/requirements/draft",
        lambda w: {"text": "Senior Python developer, 5+ years of Python, $70/h, CET, start 1 March 2027"},
    ),
    ("GET", f"{V1}/requirements"): Call(Access.ANY, lambda w: f"{V1}/requirements"),
    ("GET", f"{V1}/requirements/{{requirement_id}}"): Call(
        Access.ANY, lambda w: f"{V1}/requirements/{_req(w)}", owned=True
    ),
    ("PUT", f"{V1}/requirements/{{requirement_id}}"): Call(
        Access.ANY,
        lambda w: f"{V1}/requirements/{_req(w)}",
        lambda w: loose_requirement("req-acme", None),
        owned=True,
    ),
    ("POST", f"{V1}/requirements/{{requirement_id}}/close"): Call(
        Access.ANY, lambda w: f"{V1}/requirements/{_req(w)}/close", owned=True
    ),
    ("GET", f"{V1}/requirements/{{requirement_id}}/shortlist"): Call(
        Access.ANY, lambda w: f"{V1}/requirements/{_req(w)}/shortlist", owned=True
    ),
    ("PATCH", f"{V1}/requirements/{{requirement_id}}/shortlist/{{candidate_id}}"): Call(
        Access.STAFF,
        lambda w: f"{V1}/requirements/{_req(w)}/shortlist/{_entry(w)}",
        lambda w: {"note": "matrix"},
    ),
    ("POST", f"{V1}/requirements/{{requirement_id}}/shortlist/{{candidate_id}}/present"): Call(
        Access.STAFF,
        lambda w: f"{V1}/requirements/{_req(w)}/shortlist/{_entry(w, 'new')}/present",
        lambda w: {"note_for_client": "matrix"},
    ),
    ("GET", f"{V1}/requirements/{{requirement_id}}/shortlist/{{candidate_id}}/timeline"): Call(
        Access.STAFF, lambda w: f"{V1}/requirements/{_req(w)}/shortlist/{_entry(w)}/timeline"
    ),
    ("POST", f"{V1}/requirements/{{requirement_id}}/presented/{{handle}}/answer"): Call(
        Access.ANY,
        lambda w: f"{V1}/requirements/{_req(w)}/presented/{_presented(w)}/answer",
        lambda w: {"action": "decline", "reason": "other", "comment": "matrix"},
        owned=True,
    ),
    ("GET", f"{V1}/attention"): Call(Access.STAFF, lambda w: f"{V1}/attention"),
    ("GET", f"{V1}/requirements/{{requirement_id}}/diagnosis"): Call(
        Access.ANY, lambda w: f"{V1}/requirements/{_req(w)}/diagnosis", owned=True
    ),
    ("GET", f"{V1}/candidates/{{candidate_id}}/pipeline"): Call(
        Access.STAFF, lambda w: f"{V1}/candidates/{_entry(w)}/pipeline"
    ),
    ("POST", f"{V1}/match-runs"): Call(
        Access.STAFF, lambda w: f"{V1}/match-runs", lambda w: {"requirement_ids": [_req(w)]}
    ),
    ("GET", f"{V1}/match-runs"): Call(Access.ANY, lambda w: f"{V1}/match-runs"),
    ("GET", f"{V1}/match-runs/{{run_id}}"): Call(
        Access.ANY, lambda w: f"{V1}/match-runs/{w.runs['acme']}", owned=True
    ),
    ("GET", f"{V1}/weight-profiles"): Call(Access.ADMIN, lambda w: f"{V1}/weight-profiles"),
    ("POST", f"{V1}/weight-profiles"): Call(
        Access.ADMIN,
        lambda w: f"{V1}/weight-profiles",
        lambda w: {"name": "matrix", "track": "engineer", **_WEIGHTS},
    ),
    ("POST", f"{V1}/weight-profiles/preview"): Call(
        Access.ADMIN,
        lambda w: f"{V1}/weight-profiles/preview",
        lambda w: {"requirement_id": _req(w), **_WEIGHTS},
    ),
    ("GET", f"{V1}/weight-profiles/{{profile_id}}"): Call(
        Access.ADMIN, lambda w: f"{V1}/weight-profiles/{_profile(w)}"
    ),
}


def app_routes() -> set[tuple[str, str]]:
    """Every (method, path) the app serves and documents."""
    app = create_app(Settings(database_url="sqlite://"))
    out = set()
    for route in iter_route_contexts(app.routes):
        if not route.include_in_schema or route.path_format is None:
            continue
        for method in route.methods or ():
            if method != "HEAD":
                out.add((method, route.path_format))
    return out


ROUTES = sorted(app_routes())


def test_every_route_is_classified() -> None:
    assert set(ROUTES) - set(ACCESS) == set(), "classify the new route(s) in ACCESS"
    assert set(ACCESS) - set(ROUTES) == set(), "ACCESS lists routes the app no longer has"


def _send(world: World, method: str, call: Call, headers: dict[str, str]) -> Any:
    kwargs: dict[str, Any] = {"headers": dict(headers)}
    if call.body is not None:
        body = call.body(world)
        if call.ndjson:
            kwargs["content"] = body
            kwargs["headers"]["Content-Type"] = "application/x-ndjson"
        else:
            kwargs["json"] = body
    return world.http.request(method, call.path(world), **kwargs)


def _problem(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_route_access(world: World, method: str, path: str) -> None:
    call = ACCESS[(method, path)]
    if call.access is Access.PUBLIC:
        assert _send(world, method, call, {}).status_code == 200
        return
    _problem(_send(world, method, call, {}), 401)
    _problem(_send(world, method, call, {"Authorization": "Bearer tm_00000000_forged"}), 401)
    _problem(_send(world, method, call, {"Authorization": "Basic dXNlcjpwYXNz"}), 401)
    if call.access in (Access.STAFF, Access.ADMIN):
        _problem(_send(world, method, call, world.auth("acme")), 403)
    if call.access is Access.ADMIN:
        _problem(_send(world, method, call, world.auth("recruiter")), 403)
    if call.owned:
        _problem(_send(world, method, call, world.auth("globex")), 404)
    allowed = {
        Access.ANY: "acme",
        Access.STAFF: "recruiter",
        Access.ADMIN: "admin",
    }[call.access]
    ok = _send(world, method, call, world.auth(allowed))
    assert ok.status_code < 300, ok.text
