"""API test fixtures: the app on a test database, one key per role, and a seeded world.

The world has generated candidates (their names and emails are the personal data the tests
look for), two client accounts with one requirement each, created through the API so that
matching runs (inline, in the test process) and fills the shortlists.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlalchemy.engine import Engine

from api.app import create_app
from fixtures.generator import generate_candidates
from matcher.models import Role
from matcher.schemas import CandidateIn
from matcher.services import runs
from matcher.services.accounts import service as accounts
from matcher.services.imports import importing
from matcher.settings import Settings
from tests.helpers import example, session_scope
from tests.suite_clock import TODAY

#: The operator that makes the tests' keys (an admin at the console).
SYSTEM = accounts.Principal.console("system")

CANDIDATES = 80
SEED = 7


def loose_requirement(external_id: str, client: str | None, track: str = "developer") -> dict[str, Any]:
    """A requirement most of the generated pool of ``track`` passes, so shortlists fill up."""
    req = example("requirement")
    req.update(
        external_id=external_id,
        track=track,
        seniority="mid",
        min_years_experience=0,
        must_have=[{"name": "Python"}],
        nice_to_have=[{"name": "PostgreSQL"}, {"name": "Docker"}],
        max_hourly_rate=5000,
        min_overlap_hours=0,
        start_by="2030-01-01",
        hours_per_week=10,
        status="open",
    )
    req.pop("education")
    if client is None:
        req.pop("client")
    else:
        req["client"] = client
    return req


def make_settings(db_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(
        database_url=db_url,
        broker_url=f"sqla+sqlite:///{tmp_path / 'broker.db'}",
        result_backend=f"db+sqlite:///{tmp_path / 'results.db'}",
        **overrides,
    )


@dataclass
class World:
    app: FastAPI
    http: TestClient
    engine: Engine
    settings: Settings
    keys: dict[str, str]
    candidates: list[dict[str, Any]]
    requirements: dict[str, str] = field(default_factory=dict)
    """Client slug -> id of its requirement."""
    runs: dict[str, str] = field(default_factory=dict)
    """Client slug -> id of the run its requirement's creation started."""

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}

    def personal_strings(self) -> list[str]:
        """Everything that identifies a seeded person (what a client must never see)."""
        out = []
        for c in self.candidates:
            out += [c["name"], c["email"], c["external_id"]]
            if c.get("headline"):
                out.append(c["headline"])
        return out


def make_keys(engine: Engine) -> dict[str, str]:
    with session_scope(engine) as session:
        return {
            "admin": accounts.create_key(session, SYSTEM, Role.admin, label="test admin").secret,
            "recruiter": accounts.create_key(session, SYSTEM, Role.recruiter).secret,
            "acme": accounts.create_key(session, SYSTEM, Role.client, client="acme").secret,
            "globex": accounts.create_key(session, SYSTEM, Role.client, client="globex").secret,
        }


def seed_candidates(engine: Engine, count: int = CANDIDATES) -> list[dict[str, Any]]:
    records = list(generate_candidates(count, SEED, anchor=TODAY))
    with session_scope(engine) as session:
        importing.import_candidates(
            session, TypeAdapter(list[CandidateIn]).validate_python(records), rematch=False
        )
    return records


@pytest.fixture
def api_settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path, max_body_bytes=2_000_000, max_import_records=500)


@pytest.fixture
def app(api_settings: Settings, engine: Engine) -> Iterator[FastAPI]:
    """The API on the test database; re-matches run inline, right after each commit."""
    app = create_app(api_settings, engine)
    runtime = app.state.runtime
    with runtime.dispatcher.using(runs.inline_dispatch(runtime)):
        yield app


@pytest.fixture
def world(app: FastAPI, engine: Engine, api_settings: Settings) -> Iterator[World]:
    with TestClient(app, raise_server_exceptions=False) as http:
        w = World(
            app=app,
            http=http,
            engine=engine,
            settings=api_settings,
            keys=make_keys(engine),
            candidates=seed_candidates(engine),
        )
        for slug in ("acme", "globex"):
            body = loose_requirement(f"req-{slug}", None)
            r = http.post("/api/v1/requirements", json=body, headers=w.auth(slug))
            assert r.status_code == 201, r.text
            w.requirements[slug] = r.json()["id"]
            w.runs[slug] = r.json()["latest_run_id"]
        yield w


def present_some(world: World, count: int, slug: str = "acme", start: int = 0) -> list[dict[str, Any]]:
    """Present the staff shortlist's entries ``start .. start + count`` to the client (in rank
    order); their staff entries."""
    rid = world.requirements[slug]
    items = world.http.get(
        f"/api/v1/requirements/{rid}/shortlist", params={"limit": 200}, headers=world.auth("recruiter")
    ).json()["items"][start : start + count]
    for item in items:
        r = world.http.post(
            f"/api/v1/requirements/{rid}/shortlist/{item['candidate']['id']}/present",
            json={"note_for_client": f"strong on the backend (rank {item['rank']})"},
            headers=world.auth("recruiter"),
        )
        assert r.status_code == 200, r.text
    return list(items)


def clone(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(record)
    out.update(changes)
    return out


_CASES_KEY = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def schemathesis_cases(request: pytest.FixtureRequest) -> list[str]:
    """Operation label of every schemathesis case that ran (reported at the end)."""
    return request.config.stash.setdefault(_CASES_KEY, [])


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    cases = config.stash.get(_CASES_KEY, [])
    if cases:
        terminalreporter.write_line(
            f"schemathesis: {len(cases)} cases over {len(set(cases))} operations passed the default checks"
        )
