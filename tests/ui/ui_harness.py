"""The world the UI tests work in: the whole app on a fresh migrated database, seeded with the
fixtures generator and matched, one API key per role, and two client accounts.

``serve(app)`` runs the app with uvicorn on 127.0.0.1 and a free port in a background thread,
for the browser tests. Re-matches started by the app run in a background thread of the test
process (``threaded_dispatch``): the page sees a run in progress and follows it, as it would
with Celery workers. A test that wants to see a run in progress closes ``UiWorld.gate`` first
and opens it once it has seen it: no timing decides what the page shows.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from api.app import create_app
from matcher.models import Client, EntryState, Requirement, Role, ShortlistEntry
from matcher.runtime import Runtime
from matcher.services import runs
from matcher.services.accounts import service as accounts
from matcher.services.imports import seeding
from matcher.settings import Settings
from tests.helpers import example, runtime_on, session_on, session_scope

#: The operator that makes the tests' keys (an admin at the console).
SYSTEM = accounts.Principal.console("system")

SEED = 7
#: Longest a held re-match waits for its gate (a test that forgets to open it fails, not hangs).
GATE_TIMEOUT = 120.0
#: The client whose key the tests use, and another one whose requirements it must not see.
OWN_CLIENT = "globex-logistics"
OTHER_CLIENT = "contoso-media"
CHROMIUM_ENV = "TALENTMATCH_CHROMIUM"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@dataclass
class UiWorld:
    app: FastAPI
    engine: Engine
    settings: Settings
    keys: dict[str, str]
    requirements: dict[str, list[uuid.UUID]] = field(default_factory=dict)
    """Client slug -> its requirements' ids (seeded ones)."""
    threads: list[threading.Thread] = field(default_factory=list)
    gate: threading.Event = field(default_factory=threading.Event)
    """Open (set): re-matches the app starts run at once. Closed: they wait until it opens."""

    def first_requirement(self, slug: str) -> uuid.UUID:
        return self.requirements[slug][0]

    def shortlist_size(self, requirement_id: uuid.UUID) -> int:
        """How many entries the requirement's current shortlist has (its active ones)."""
        with session_on(self.engine) as s:
            return int(
                s.exec(
                    select(func.count()).where(
                        ShortlistEntry.requirement_id == requirement_id,
                        ShortlistEntry.state == EntryState.active,
                    )
                ).one()
            )

    def busiest_requirement(self, slug: str) -> uuid.UUID:
        """The client's requirement with the longest current shortlist (the most to look at);
        of equals, the first by reference, so the choice never depends on row order."""
        with session_on(self.engine) as s:
            sizes = dict(
                s.exec(
                    select(ShortlistEntry.requirement_id, func.count())
                    .where(
                        col(ShortlistEntry.requirement_id).in_(self.requirements[slug]),
                        ShortlistEntry.state == EntryState.active,
                    )
                    .group_by(col(ShortlistEntry.requirement_id))
                ).all()
            )
        ordered = self.requirements[slug]
        best = max(ordered, key=lambda rid: (sizes.get(rid, 0), -ordered.index(rid)))
        assert sizes.get(best, 0) > 0, f"every requirement of {slug} has an empty shortlist"
        return best

    def wait_for_runs(self, timeout: float = 60.0) -> None:
        self.gate.set()
        deadline = time.monotonic() + timeout
        for thread in list(self.threads):
            thread.join(max(0.0, deadline - time.monotonic()))
            assert not thread.is_alive(), "a background re-match did not finish in time"


def ui_settings(db_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(
        database_url=db_url,
        broker_url=f"sqla+sqlite:///{tmp_path / 'broker.db'}",
        result_backend=f"db+sqlite:///{tmp_path / 'results.db'}",
        session_secret="ui-test-secret-" + uuid.uuid4().hex,
        **overrides,
    )


def threaded_dispatch(
    runtime: Runtime, threads: list[threading.Thread], gate: threading.Event
) -> runs.Dispatch:
    """Match a run's chunks in a background thread once ``gate`` is open, like a worker that picks
    the task up from a queue."""
    inline = runs.inline_dispatch(runtime)

    def work(task: str, args: list[Any]) -> None:
        if gate.wait(GATE_TIMEOUT):
            inline(task, args)

    def send(task: str, args: list[Any]) -> None:
        thread = threading.Thread(target=work, args=(task, args), daemon=True, name=f"rematch-{args[0]}")
        threads.append(thread)
        thread.start()

    return send


@contextmanager
def ui_world(
    engine: Engine, settings: Settings, *, candidates: int = 120, requirements: int = 8
) -> Iterator[UiWorld]:
    """Seed (the import's re-match runs inline, so every shortlist is filled), make keys; the
    re-matches the app starts then run in background threads."""
    seeder = runtime_on(engine)
    with seeder.dispatcher.using(runs.inline_dispatch(seeder)), seeder.session_scope() as session:
        seeding.seed(session, candidates=candidates, requirements=requirements, seed=SEED)
    with session_scope(engine) as session:
        keys = {
            "admin": accounts.create_key(session, SYSTEM, Role.admin, label="ui admin").secret,
            "recruiter": accounts.create_key(session, SYSTEM, Role.recruiter, label="ui recruiter").secret,
            "client": accounts.create_key(session, SYSTEM, Role.client, client=OWN_CLIENT).secret,
            "other": accounts.create_key(session, SYSTEM, Role.client, client=OTHER_CLIENT).secret,
        }
        by_client: dict[str, list[uuid.UUID]] = {}
        rows = session.exec(
            select(Requirement.id, Client.slug)
            .join(Client, Client.id == Requirement.client_id)  # type: ignore[arg-type]
            .order_by(col(Requirement.external_id))
        ).all()
        for rid, slug in rows:
            by_client.setdefault(slug, []).append(rid)
    threads: list[threading.Thread] = []
    gate = threading.Event()
    gate.set()
    app = create_app(settings, engine)
    with app.state.runtime.dispatcher.using(threaded_dispatch(app.state.runtime, threads, gate)):
        world = UiWorld(app, engine, settings, keys, by_client, threads, gate)
        try:
            yield world
        finally:
            world.wait_for_runs()


def loose_requirement(external_id: str, **changes: Any) -> dict[str, Any]:
    """A requirement (import format, no client) that many generated developers pass."""
    req = example("requirement")
    req.pop("client")
    req.pop("education")
    req.update(
        external_id=external_id,
        title="Python backend developer, data APIs",
        track="developer",
        seniority="mid",
        min_years_experience=0,
        must_have=[{"name": "Python"}],
        nice_to_have=[{"name": "PostgreSQL"}, {"name": "Docker"}],
        max_hourly_rate=5000,
        min_overlap_hours=0,
        start_by="2030-01-01",
        hours_per_week=10,
    )
    req.update(changes)
    return req


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True, name="ui-test-server")
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def chromium_path() -> str:
    """Debian's Chromium (or ``TALENTMATCH_CHROMIUM``); skip without one, fail under CI."""
    candidates = [os.environ.get(CHROMIUM_ENV), "/usr/bin/chromium", shutil.which("chromium")]
    for path in candidates:
        if path and os.path.exists(path):
            return path
    message = f"browser tests need Chromium: install Debian's chromium or set {CHROMIUM_ENV}"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message)
    pytest.skip(message)
