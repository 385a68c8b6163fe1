"""An erased person is gone, token by token; clients never read free text (issue 16, items 2 and 3).

The erasure test searches a full ``pg_dump --data-only`` of the PostgreSQL database, and the
raw bytes of the SQLite file and its write-ahead log, for every token of the person's name,
email and phone, after that person's name was copied into notes on several entries, written
into a skill name and the education field, and matched into shortlists.
"""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path
from typing import Any

from tests.api.conftest import World, clone
from tests.helpers import example

V1 = "/api/v1"

YVETTE = {
    "name": "Yvette Quoll",
    "email": "yvette.quoll@quollmail.example.org",
    "phone": "+1 555 0199",
}
#: Every token of the name, the email and the phone (lower case); none occurs elsewhere in the world.
TOKENS = [
    "yvette",
    "quoll",
    "yvette.quoll@quollmail.example.org",
    "quollmail.example.org",
    "quollmail",
    "+1 555 0199",
    "555 0199",
]


def _person(external_id: str, name: str, email: str, phone: str) -> dict[str, Any]:
    first, last = name.split()
    return clone(
        example("candidate"),
        external_id=external_id,
        name=name,
        email=email,
        track="developer",
        seniority="mid",
        headline=f"{name}, call {phone}",
        skills=[
            {"name": "Python", "years": 6, "last_used": 2026},
            {"name": "Postgres", "years": 4, "last_used": 2026},
            {"name": f"{last}DB ({first}'s own project, {phone})", "years": 3, "last_used": 2026},
            {"name": f"{first} {last}'s {last}ORM ({email})", "years": 2, "last_used": 2025},
        ],
        hourly_rate=40,
        available_from="2026-06-01",
        hours_per_week=40,
        education={"degree": "master", "field": f"Computer Science, {name} Academy, {phone}"},
        languages=["English", f"{last}ish"],
    )


def _entries(world: World, who: str, **params: Any) -> list[dict[str, Any]]:
    r = world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist",
        params={"limit": 200, **params},
        headers=world.auth(who),
    )
    assert r.status_code == 200, r.text
    return r.json()["items"]


def _present(world: World, cid: str) -> str:
    """Present the candidate to acme; its handle (what the client knows it by)."""
    r = world.http.post(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist/{cid}/present",
        json={"note_for_client": "worth a call"},
        headers=world.auth("recruiter"),
    )
    assert r.status_code == 200, r.text
    handle: str = r.json()["entry"]["handle"]
    return handle


def _notes(world: World, cid: str) -> list[str]:
    """The texts of the notes in one entry's timeline (staff)."""
    r = world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist/{cid}/timeline",
        headers=world.auth("recruiter"),
    )
    assert r.status_code == 200, r.text
    return [e["text"] for e in r.json()["events"] if e["kind"] == "note"]


def _create(world: World, person: dict[str, Any]) -> str:
    r = world.http.post(f"{V1}/candidates", json=person, headers=world.auth("recruiter"))
    assert r.status_code == 201, r.text
    cid: str = r.json()["id"]
    assert cid in [e["candidate"]["id"] for e in _entries(world, "recruiter")], "matched into acme's list"
    return cid


def _database_text(world: World) -> str:
    """Everything the database holds, lower-cased: a data-only dump (PostgreSQL) or the raw
    bytes of the file and its write-ahead log (SQLite)."""
    url = world.engine.url
    if url.get_backend_name() == "postgresql":
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        dump = subprocess.run(["pg_dump", "--data-only", dsn], capture_output=True, check=True)
        return dump.stdout.decode("utf-8").lower()
    path = Path(str(url.database))
    raw = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    return raw.decode("utf-8", errors="replace").lower()


def test_erasure_leaves_no_token_of_the_person(world: World) -> None:
    cid = _create(world, _person("cand-yq", **YVETTE))
    others = [e["candidate"]["id"] for e in _entries(world, "recruiter") if e["candidate"]["id"] != cid][:2]
    notes = {
        cid: "Ms. Quoll asked for 60 EUR; reach her at yvette.quoll@quollmail.example.org or +1 555 0199",
        others[0]: "Yvette's former colleague, said QUOLL was the stronger one",
        others[1]: "keep next to yvette",
    }
    for target, note in notes.items():
        r = world.http.patch(
            f"{V1}/requirements/{world.requirements['acme']}/shortlist/{target}",
            json={"stage": "shortlisted", "note": note},
            headers=world.auth("recruiter"),
        )
        assert r.status_code == 200, r.text
    r = world.http.patch(
        f"{V1}/candidates/{cid}", json={"hours_per_week": 38}, headers=world.auth("recruiter")
    )
    assert r.status_code == 200, r.text
    before = _database_text(world)
    assert all(t in before for t in TOKENS), [t for t in TOKENS if t not in before]

    r = world.http.delete(f"{V1}/candidates/{cid}", headers=world.auth("admin"))
    assert r.status_code == 200, r.text
    assert r.json()["notes_scrubbed"] == 3

    after = _database_text(world)
    assert [t for t in TOKENS if t in after] == []
    staff = {e["candidate"]["id"]: e for e in _entries(world, "recruiter", state="all")}
    assert staff[cid]["state"] == "erased" and staff[cid]["candidate"]["name"] is None
    assert [s["name"] for s in staff[cid]["candidate"]["skills"]] == ["Python", "PostgreSQL"]
    assert _notes(world, others[0]) == ["[erased]'s former colleague, said [erased] was the stronger one"]
    assert _notes(world, others[1]) == ["keep next to [erased]"]


def test_clients_never_see_an_erased_candidate_in_any_state(world: World) -> None:
    cid = _create(world, _person("cand-gone", "Gone Person", "gone.person@example.com", "+1 555 0111"))
    handle = _present(world, cid)
    assert handle in [e["handle"] for e in _entries(world, "acme")]
    assert world.http.delete(f"{V1}/candidates/{cid}", headers=world.auth("admin")).status_code == 200
    for state in ("erased", "all", "active", "dropped", "ineligible", "current"):
        r = world.http.get(
            f"{V1}/requirements/{world.requirements['acme']}/shortlist",
            params={"limit": 200, "state": state},
            headers=world.auth("acme"),
        )
        assert r.status_code in (200, 422), r.text
        assert handle not in r.text and cid not in r.text, state
    csv_text = world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist",
        params={"format": "csv"},
        headers=world.auth("acme"),
    ).text
    assert handle not in csv_text and cid not in csv_text
    assert cid in [e["candidate"]["id"] for e in _entries(world, "recruiter", state="erased")]


def test_clients_read_only_taxonomy_text_about_a_candidate(world: World) -> None:
    zed = _person("cand-zq", "Zed Quimby", "zed.quimby@example.com", "+1 555 0100")
    cid = _create(world, zed)
    needles = ["zed", "quimby", "zed.quimby@example.com", "555 0100", "academy", "ish"]
    handle = _present(world, cid)
    items = _entries(world, "acme")
    card = next(e for e in items if e["handle"] == handle)
    assert [(s["skill_key"], s["name"]) for s in card["candidate"]["skills"]] == [
        ("python", "Python"),
        ("postgresql", "PostgreSQL"),
    ]
    json_text = world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist",
        params={"limit": 200},
        headers=world.auth("acme"),
    ).text.lower()
    csv_text = world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist",
        params={"format": "csv"},
        headers=world.auth("acme"),
    ).text.lower()
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert any(r["handle"] == handle.lower() for r in rows)
    for text in (json_text, csv_text):
        assert [n for n in needles if n in text] == []
    staff = next(e for e in _entries(world, "recruiter", state="all") if e["candidate"]["id"] == cid)
    assert any("Quimby" in s["name"] for s in staff["candidate"]["skills"])  # staff see what was written
    assert not any("Quimby" in r or "Academy" in r for r in staff["reasons"])  # reasons are taxonomy words
