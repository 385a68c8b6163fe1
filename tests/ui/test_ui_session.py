"""The UI's session cookie, CSRF protection and authorization, over HTTP (no browser).

Runs on SQLite and PostgreSQL like every storage test. The browser tests cover the pages'
behaviour; these pin the security properties one request at a time.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update as sa_update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from api.ui.session import COOKIE
from matcher.models import (
    ApiKey,
    CandidatePersonal,
    Client,
    EventKind,
    PipelineEvent,
    Requirement,
    ShortlistEntry,
)
from matcher.services.accounts import service as accounts
from matcher.services.shortlists import pipeline
from matcher.services.shortlists.pipeline import Presentation
from tests.helpers import missing_id, session_on
from tests.ui.ui_harness import OTHER_CLIENT, OWN_CLIENT, UiWorld, ui_settings, ui_world

#: The operator that makes the tests' keys (an admin at the console).
SYSTEM = accounts.Principal.console("system")

TOKEN = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


@pytest.fixture
def world(engine: Engine, db_url: str, tmp_path: Path) -> Iterator[UiWorld]:
    with ui_world(engine, ui_settings(db_url, tmp_path), candidates=60, requirements=6) as w:
        yield w


def token_of(html: str) -> str:
    found = TOKEN.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def browser(world: UiWorld) -> TestClient:
    return TestClient(world.app, raise_server_exceptions=False, follow_redirects=False)


def sign_in(world: UiWorld, who: str) -> tuple[TestClient, str]:
    """A client signed in with the ``who`` key, and the CSRF token of its session."""
    http = browser(world)
    token = token_of(http.get("/").text)
    r = http.post("/sign-in", data={"api_key": world.keys[who], "csrf_token": token})
    assert r.status_code == 303, r.text
    return http, token_of(http.get("/requirements").text)


def an_entry(world: UiWorld, requirement_id: uuid.UUID) -> ShortlistEntry:
    with session_on(world.engine) as s:
        entry = s.exec(
            select(ShortlistEntry).where(
                ShortlistEntry.requirement_id == requirement_id, ShortlistEntry.rank == 1
            )
        ).first()
    assert entry is not None, "the seeded requirement has an empty shortlist"
    return entry


def test_signing_in_sets_a_signed_httponly_cookie_that_holds_the_key_id_not_the_key(world: UiWorld) -> None:
    http = browser(world)
    first = http.get("/")
    assert first.status_code == 200
    visitor_cookie = first.headers["set-cookie"]
    assert "HttpOnly" in visitor_cookie and "SameSite=lax" in visitor_cookie
    assert "Secure" not in visitor_cookie
    r = http.post("/sign-in", data={"api_key": world.keys["recruiter"], "csrf_token": token_of(first.text)})
    assert r.status_code == 303 and r.headers["location"] == "/requirements"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=" in cookie
    value = http.cookies[COOKIE]
    secret = world.keys["recruiter"]
    # The key is its prefix, "_" and 43 random characters: neither the key nor its random part
    # (which alone is the secret) may be in the cookie. Whole parts, not its last "_" piece, which
    # may be a single letter (token_urlsafe uses "_"), so this holds for every possible key.
    random_part = secret[accounts.PREFIX_LEN + 1 :]
    assert len(random_part) >= 40
    assert secret not in value and random_part not in value
    with session_on(world.engine) as s:
        key_id = s.exec(select(ApiKey.id).where(ApiKey.prefix == secret[: accounts.PREFIX_LEN])).one()
    payload = json.loads(base64.urlsafe_b64decode(value.split(".")[0] + "=="))
    assert payload["k"] == str(key_id)
    assert http.get("/requirements").status_code == 200


def test_cookies_are_secure_when_configured(engine: Engine, db_url: str, tmp_path: Path) -> None:
    with ui_world(
        engine, ui_settings(db_url, tmp_path, secure_cookies=True), candidates=5, requirements=1
    ) as world:
        r = browser(world).get("/")
        assert "Secure" in r.headers["set-cookie"]


def test_a_bad_key_is_refused_and_pages_need_a_session(world: UiWorld) -> None:
    http = browser(world)
    token = token_of(http.get("/").text)
    r = http.post("/sign-in", data={"api_key": "tm_nosuchke_" + "x" * 40, "csrf_token": token})
    assert r.status_code == 401
    assert "invalid or revoked API key" in r.text
    r = http.get("/requirements?status=open")
    assert r.status_code == 303
    assert r.headers["location"] == "/?next=%2Frequirements%3Fstatus%3Dopen"


def test_posts_need_the_sessions_csrf_token(world: UiWorld) -> None:
    rid = world.busiest_requirement(OWN_CLIENT)
    entry = an_entry(world, rid)
    url = f"/requirements/{rid}/entries/{entry.candidate_id}"
    http, token = sign_in(world, "recruiter")
    _, other_token = sign_in(world, "admin")
    assert http.post(url, data={"stage": "shortlisted"}).status_code == 403
    assert http.post(url, data={"stage": "shortlisted", "csrf_token": other_token}).status_code == 403
    assert http.post(url, data={"stage": "shortlisted", "csrf_token": "0" * 64}).status_code == 403
    assert an_entry(world, rid).stage == "new"
    r = http.post(url, data={"stage": "shortlisted", "note": "ok"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 303
    saved = an_entry(world, rid)
    assert saved.stage == "shortlisted"
    with session_on(world.engine) as session:
        notes = session.exec(
            select(PipelineEvent.text).where(
                PipelineEvent.candidate_id == saved.candidate_id, PipelineEvent.kind == EventKind.note
            )
        ).all()
    assert notes == ["ok"]
    anonymous = browser(world)
    anonymous.get("/")
    refused = anonymous.post("/sign-in", data={"api_key": world.keys["recruiter"]})
    assert refused.status_code == 403
    assert anonymous.get("/requirements").status_code == 303


def test_signing_in_replaces_the_csrf_nonce(world: UiWorld) -> None:
    http = browser(world)
    before = token_of(http.get("/").text)
    http.post("/sign-in", data={"api_key": world.keys["recruiter"], "csrf_token": before})
    after = token_of(http.get("/requirements").text)
    assert after != before
    rid = world.busiest_requirement(OWN_CLIENT)
    entry = an_entry(world, rid)
    r = http.post(
        f"/requirements/{rid}/entries/{entry.candidate_id}", data={"stage": "rejected", "csrf_token": before}
    )
    assert r.status_code == 403


def test_sign_out_and_revocation_end_the_session(world: UiWorld) -> None:
    http, token = sign_in(world, "recruiter")
    r = http.post("/sign-out", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert f"{COOKIE}=" in r.headers["set-cookie"] and "Max-Age=0" in r.headers["set-cookie"]
    assert http.get("/requirements").status_code == 303

    http, _ = sign_in(world, "recruiter")
    with world.app.state.runtime.session_scope() as s:
        accounts.revoke_key(s, SYSTEM, world.keys["recruiter"][: accounts.PREFIX_LEN])
    r = http.get("/requirements")
    assert r.status_code == 303 and r.headers["location"].startswith("/?next=")


def test_a_tampered_cookie_is_no_session(world: UiWorld) -> None:
    http, _ = sign_in(world, "recruiter")
    value = http.cookies[COOKIE]
    forged = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    http.cookies.clear()
    http.cookies.set(COOKIE, forged)
    assert http.get("/requirements").status_code == 303


def test_sign_in_only_redirects_to_local_pages(world: UiWorld) -> None:
    http = browser(world)
    token = token_of(http.get("/").text)
    for target, expected in (
        ("//evil.example/x", "/requirements"),
        ("https://evil.example", "/requirements"),
    ):
        r = http.post("/sign-in", data={"api_key": world.keys["client"], "csrf_token": token, "next": target})
        assert r.headers["location"] == expected
        http = browser(world)
        token = token_of(http.get("/").text)
    rid = world.busiest_requirement(OWN_CLIENT)
    r = http.post(
        "/sign-in",
        data={"api_key": world.keys["client"], "csrf_token": token, "next": f"/requirements/{rid}"},
    )
    assert r.headers["location"] == f"/requirements/{rid}"


def test_a_client_sees_its_own_anonymised_shortlists_and_nothing_else(world: UiWorld) -> None:
    http, token = sign_in(world, "client")
    own = world.busiest_requirement(OWN_CLIENT)
    other = world.first_requirement(OTHER_CLIENT)
    assert "No candidates have been presented to you yet" in http.get(f"/requirements/{own}").text
    with world.app.state.runtime.session_scope() as s:
        recruiter = accounts.authenticate(s, world.keys["recruiter"])
        shown = pipeline.present(s, recruiter, own, an_entry(world, own).candidate_id, Presentation())
    page = http.get(f"/requirements/{own}")
    assert page.status_code == 200
    assert f"Candidate {shown.entry.handle}" in page.text and "Request interview" in page.text
    with session_on(world.engine) as s:
        personal = s.exec(
            select(CandidatePersonal.name, CandidatePersonal.email)
            .join(ShortlistEntry, col(ShortlistEntry.candidate_id) == col(CandidatePersonal.candidate_id))
            .where(ShortlistEntry.requirement_id == own)
        ).all()
    assert personal
    assert [v for pair in personal for v in pair if v in page.text] == []
    listing = http.get("/requirements?status=any").text
    assert str(own) in listing and str(other) not in listing

    entry = an_entry(world, own)
    for path in (
        f"/requirements/{other}",
        f"/requirements/{other}/progress",
        f"/requirements/{missing_id()}",
    ):
        r = http.get(path)
        assert r.status_code == 404, path
        assert "text/html" in r.headers["content-type"] or path.endswith("/progress")
    for path in (
        f"/candidates/{entry.candidate_id}",
        f"/requirements/{own}/changes",
        f"/requirements/{own}/board",
        f"/requirements/{own}/timeline/{entry.candidate_id}",
        "/attention",
        "/admin/profiles",
    ):
        assert http.get(path).status_code == 403, path
    posts = (
        f"/requirements/{own}/entries/{entry.candidate_id}",
        f"/requirements/{own}/entries/{entry.candidate_id}/present",
        f"/requirements/{own}/rematch",
    )
    for path in posts:
        assert http.post(path, data={"stage": "withdrawn", "csrf_token": token}).status_code == 403, path
    assert an_entry(world, own).stage == "presented"


def test_staff_pages_by_role(world: UiWorld) -> None:
    recruiter, _ = sign_in(world, "recruiter")
    admin, _ = sign_in(world, "admin")
    rid = world.busiest_requirement(OTHER_CLIENT)
    entry = an_entry(world, rid)
    for path in (f"/requirements/{rid}", f"/requirements/{rid}/changes", f"/candidates/{entry.candidate_id}"):
        assert recruiter.get(path).status_code == 200, path
    assert recruiter.get("/admin/profiles").status_code == 403
    assert admin.get(f"/admin/profiles?requirement={rid}").status_code == 200
    assert recruiter.get("/requirements/not-a-uuid").status_code == 404
    assert recruiter.get(f"/candidates/{missing_id()}").status_code == 404
    for path in (
        f"/requirements/{rid}/board",
        f"/requirements/{rid}/timeline/{entry.candidate_id}",
        "/attention",
    ):
        assert recruiter.get(path).status_code == 200, path


def test_unknown_ui_addresses_get_the_html_404_page_and_the_api_keeps_problem_json(world: UiWorld) -> None:
    http, _ = sign_in(world, "recruiter")
    for path in ("/no/such/page", "/requirements/x/y/z", "/candidates"):
        r = http.get(path)
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("text/html") and "There is no such page." in r.text
        assert r.headers["x-frame-options"] == "DENY"
    for path in ("/api/v1/no/such/thing", "/api/v1/requirements/x/y"):
        r = http.get(path)
        assert r.status_code == 404, path
        assert r.headers["content-type"] == "application/problem+json" and r.json()["status"] == 404


def test_pages_send_security_headers_and_stay_out_of_the_api_schema(world: UiWorld) -> None:
    http = browser(world)
    r = http.get("/")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert http.get("/static/ui.js").status_code == 200
    assert http.get("/static/../app.py").status_code == 404
    paths = set(world.app.openapi()["paths"])
    assert all(p.startswith(("/api/", "/healthz", "/readyz")) for p in paths), paths


def test_the_requirement_form_shows_how_each_skill_is_understood_before_saving(world: UiWorld) -> None:
    http, token = sign_in(world, "client")
    data = {
        "csrf_token": token,
        "action": "check",
        "external_id": "req-check-1",
        "title": "Checking skills",
        "must_have.0.name": "Pyhton",
        "must_have.1.name": "k8s",
        "nice_to_have.0.name": "Frobnicator",
        "nice_to_have.1.name": "Java/J2EE",
    }
    r = http.post("/requirements/new", data=data)
    assert r.status_code == 200, r.text
    assert "Understood as: Pyhton -&gt; Python" in r.text
    assert "Understood as: k8s -&gt; Kubernetes" in r.text
    assert "Understood as: unknown: kept as typed" in r.text
    assert "Understood as: Java/J2EE -&gt; Java + Jakarta EE" in r.text
    with session_on(world.engine) as s:
        assert s.exec(select(Requirement).where(Requirement.external_id == "req-check-1")).first() is None


def test_compact_list_compare_and_csv_export(world: UiWorld) -> None:
    http, _ = sign_in(world, "recruiter")
    rid = world.first_requirement(OWN_CLIENT)
    first = an_entry(world, rid)
    with world.app.state.runtime.session_scope() as s:
        s.execute(
            sa_update(CandidatePersonal)
            .where(col(CandidatePersonal.candidate_id) == first.candidate_id)
            .values(name='=HYPERLINK("http://evil.example","x")')
        )
    page = http.get(f"/requirements/{rid}/list")
    assert page.status_code == 200
    rows = re.findall(r'<tr id="r-([0-9a-f-]{36})"', page.text)
    assert len(rows) >= 3 and rows[0] == str(first.candidate_id)
    assert 'class="chip chip-' in page.text
    cheap = http.get(f"/requirements/{rid}/list", params={"max_rate": "1"})
    assert cheap.status_code == 200 and 'id="r-' not in cheap.text
    assert http.get(f"/requirements/{rid}/list", params={"max_rate": "lots"}).status_code == 422
    compared = http.get(f"/requirements/{rid}/compare", params=[("c", rows[0]), ("c", rows[2])])
    assert compared.status_code == 200
    assert compared.text.count('scope="row"') >= 9 and "Must have (points)" in compared.text
    assert http.get(f"/requirements/{rid}/compare", params={"c": rows[0]}).status_code == 422

    exported = http.get(f"/requirements/{rid}/export.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert table[0]["name"].startswith("'=HYPERLINK")
    for row in table:
        for key in ("score", "hourly_rate", "years_experience", *(k for k in row if k.startswith("points_"))):
            assert len(row[key].partition(".")[2]) <= 2, (key, row[key])


def _requirement_form(**values: str) -> dict[str, str]:
    form = {
        "title": "Go developer, billing",
        "external_id": "ui-life-1",
        "track": "developer",
        "seniority": "mid",
        "must_have.0.name": "Go",
        "max_hourly_rate": "120",
        "currency": "USD",
        "hours_per_week": "20",
        "timezone": "Europe/Berlin",
        "min_overlap_hours": "0",
        "start_by": "2030-01-01",
        "headcount": "1",
        "education.min_degree": "none",
    }
    form.update(values)
    return form


def _status(world: UiWorld, rid: uuid.UUID) -> tuple[str, str]:
    with session_on(world.engine) as s:
        req = s.get(Requirement, rid)
        assert req is not None
        return req.status, req.title


def test_requirement_lifecycle_in_the_ui(world: UiWorld) -> None:
    http, token = sign_in(world, "client")
    own = world.busiest_requirement(OWN_CLIENT)
    page = http.get(f"/requirements/{own}/edit")
    assert page.status_code == 200 and "Save and re-match" in page.text
    title_before = _status(world, own)[1]
    assert f'value="{title_before}"' in page.text
    form = {
        k: v
        for k, v in re.findall(
            r'<input id="f-[^"]+" name="([^"]+)" (?:type="[^"]+" )?value="([^"]*)"', page.text
        )
    }
    for name, value in re.findall(
        r'<select id="f-[^"]+" name="([^"]+)"[^>]*>.*?<option value="([^"]*)" selected', page.text, re.S
    ):
        form[name] = value
    form["title"] = "Renamed by the client"
    r = http.post(f"/requirements/{own}/edit", data={**form, "csrf_token": token})
    assert r.status_code == 303, r.text
    assert _status(world, own) == ("open", "Renamed by the client")
    for target in ("paused", "open", "closed", "open"):
        r = http.post(f"/requirements/{own}/status", data={"status": target, "csrf_token": token})
        assert r.status_code == 303 and _status(world, own)[0] == target
    other = world.busiest_requirement(OTHER_CLIENT)  # an open one (it has a shortlist)
    assert http.get(f"/requirements/{other}/edit").status_code == 404
    r = http.post(f"/requirements/{other}/status", data={"status": "closed", "csrf_token": token})
    assert r.status_code == 404 and _status(world, other)[0] == "open"
    world.wait_for_runs()


def test_a_recruiter_picks_the_client_and_creates_one_only_on_purpose(world: UiWorld) -> None:
    http, token = sign_in(world, "recruiter")
    page = http.get("/requirements/new").text
    assert f'<option value="{OWN_CLIENT}"' in page and 'name="new_client"' in page
    typo = http.post(
        "/requirements/new", data={**_requirement_form(client=OWN_CLIENT + "x"), "csrf_token": token}
    )
    assert typo.status_code == 422 and "not an existing client account" in typo.text
    none = http.post("/requirements/new", data={**_requirement_form(), "csrf_token": token})
    assert none.status_code == 422 and "choose the client this requirement is for" in none.text
    with session_on(world.engine) as s:
        before = len(s.exec(select(Client)).all())
    r = http.post("/requirements/new", data={**_requirement_form(client=OWN_CLIENT), "csrf_token": token})
    assert r.status_code == 303, r.text
    r = http.post(
        "/requirements/new",
        data={**_requirement_form(external_id="ui-life-2", new_client="initech"), "csrf_token": token},
    )
    assert r.status_code == 303, r.text
    with session_on(world.engine) as s:
        assert len(s.exec(select(Client)).all()) == before + 1
    world.wait_for_runs()


def test_the_timeline_page_moves_and_notes(world: UiWorld) -> None:
    http, token = sign_in(world, "recruiter")
    rid = world.first_requirement(OWN_CLIENT)
    cid = an_entry(world, rid).candidate_id
    url = f"/requirements/{rid}/timeline/{cid}"
    assert "entered the shortlist" in http.get(url).text
    r = http.post(
        f"/requirements/{rid}/entries/{cid}",
        data={
            "stage": "reviewing",
            "note": "Check references first",
            "back": "timeline",
            "csrf_token": token,
        },
    )
    assert r.status_code == 303 and r.headers["location"] == url
    page = http.get(url).text
    assert "note: Check references first" in page and "stage New → Reviewing" in page
    refused = http.post(f"/requirements/{rid}/entries/{cid}", data={"stage": "hired", "csrf_token": token})
    assert refused.status_code == 409 and "cannot move a candidate from reviewing to hired" in refused.text
