"""Erasure: after ``DELETE /candidates/{id}`` the person's name and email are nowhere.

The whole database is dumped (every text and JSON column of every table) and searched, and so
is what the re-match dispatched to the task queue and the result backend's database.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from matcher.services import runs
from tests.api.conftest import World

V1 = "/api/v1"


def dump_text(engine: Engine) -> str:
    """Every text and JSON value of every column of every table, one per line, lower-cased."""
    out = []
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                out += [json.dumps(v, ensure_ascii=False) for v in row if isinstance(v, str | list | dict)]
    return "\n".join(out).lower()


def dump_any_database(url: str) -> str:
    """Every value of every table of a database we do not model (the result backend)."""
    engine = create_engine(url)
    out = []
    try:
        with engine.connect() as conn:
            for name in inspect(conn).get_table_names():
                for row in conn.exec_driver_sql(f'SELECT * FROM "{name}"'):
                    out += [repr(v) for v in row]
    finally:
        engine.dispose()
    return "\n".join(out).lower()


def test_erasure_removes_the_person_everywhere(world: World) -> None:
    staff = world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist", headers=world.auth("recruiter")
    ).json()
    entry = staff["items"][0]
    cid = entry["candidate"]["id"]
    name, email = entry["candidate"]["name"], entry["candidate"]["email"]
    other = staff["items"][1]["candidate"]["id"]
    for target, note in ((cid, f"Spoke to {name.upper()} ({email}), keen"), (other, f"better than {name}")):
        r = world.http.patch(
            f"{V1}/requirements/{world.requirements['acme']}/shortlist/{target}",
            json={"stage": "shortlisted", "note": note},
            headers=world.auth("recruiter"),
        )
        assert r.status_code == 200
    before = dump_text(world.engine)
    assert name.lower() in before and email.lower() in before

    sent: list[str] = []
    inline = runs.inline_dispatch(world.app.state.runtime)

    def recording(task: str, args: list[Any]) -> None:
        sent.append(json.dumps(args))
        inline(task, args)

    with world.app.state.runtime.dispatcher.using(recording):
        r = world.http.delete(f"{V1}/candidates/{cid}", headers=world.auth("admin"))
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["shortlist_entries"] >= 1 and report["notes_scrubbed"] == 2

    after = dump_text(world.engine)
    assert name.lower() not in after
    assert email.lower() not in after
    assert "[erased]" in after
    if world.engine.dialect.name == "sqlite":  # nor in the file's free pages or its journal
        with world.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        path = Path(str(world.engine.url.database))
        raw = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
        assert name.encode() not in raw and email.encode() not in raw
    assert sent, "the erasure re-matches the requirements the candidate was on"
    for message in sent:
        assert all(uuid.UUID(i) for i in json.loads(message)[1])
        assert name.lower() not in message.lower() and email.lower() not in message.lower()
    backend = Path(world.settings.result_backend.removeprefix("db+sqlite:///"))
    if backend.exists():
        results = dump_any_database(f"sqlite:///{backend}")
        assert name.lower() not in results and email.lower() not in results

    assert world.http.get(f"{V1}/candidates/{cid}", headers=world.auth("recruiter")).status_code == 404
    assert world.http.delete(f"{V1}/candidates/{cid}", headers=world.auth("admin")).status_code == 404
    history = world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist",
        params={"state": "erased"},
        headers=world.auth("recruiter"),
    ).json()["items"]
    assert [e["candidate"]["id"] for e in history] == [cid]
    erased = history[0]
    assert erased["candidate"]["name"] is None and erased["candidate"]["email"] is None
    assert erased["candidate"]["headline"] is None and erased["stage"] == "shortlisted"
    assert erased["rank"] is None
    timeline = world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist/{cid}/timeline",
        headers=world.auth("recruiter"),
    ).json()
    notes = [e["text"] for e in timeline["events"] if e["kind"] == "note"]
    assert notes == ["Spoke to [erased] ([erased]), keen"]
    active = world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist", headers=world.auth("recruiter")
    ).json()["items"]
    assert cid not in [e["candidate"]["id"] for e in active]
    assert [e["rank"] for e in active] == list(range(1, len(active) + 1))
    audit = world.http.get(f"{V1}/candidates", params={"limit": 200}, headers=world.auth("recruiter")).json()
    assert cid not in [c["id"] for c in audit["items"]]
