"""The decision log and self-identification, through the API on SQLite and PostgreSQL.

Every pipeline move is logged with the snapshot the candidate had then (a later re-score does not
rewrite it), the profile version in force and who decided; erasure keeps only anonymous decision
rows. Self-identification is admin-only and never reaches a recruiter, a client, a shortlist, a
CSV export or the scorer.
"""

from __future__ import annotations

import ast
import uuid
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from matcher.models import Candidate, Decision, SelfIdentification, ShortlistEntry
from matcher.services import candidate_pool
from tests.api.conftest import World
from tests.helpers import session_on

V1 = "/api/v1"
ROOT = Path(__file__).resolve().parents[2]


def _staff_items(world: World, slug: str = "acme") -> list[dict[str, Any]]:
    r = world.http.get(
        f"{V1}/requirements/{world.requirements[slug]}/shortlist",
        params={"limit": 200},
        headers=world.auth("recruiter"),
    )
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def _ok(r: Any) -> Any:
    assert r.status_code == 200, r.text
    return r.json()


def _walk_to_hired(world: World, cid: str) -> str:
    """Shortlist, present, client interested, offer, hired; the entry's handle."""
    rid = world.requirements["acme"]
    base = f"{V1}/requirements/{rid}/shortlist/{cid}"
    _ok(world.http.patch(base, json={"stage": "shortlisted"}, headers=world.auth("recruiter")))
    entry = _ok(
        world.http.post(f"{base}/present", json={"note_for_client": "x"}, headers=world.auth("recruiter"))
    )
    handle = entry["entry"]["handle"]
    _ok(
        world.http.post(
            f"{V1}/requirements/{rid}/presented/{handle}/answer",
            json={"action": "interested", "comment": "sounds good"},
            headers=world.auth("acme"),
        )
    )
    _ok(world.http.patch(base, json={"stage": "offer"}, headers=world.auth("recruiter")))
    _ok(world.http.patch(base, json={"stage": "hired"}, headers=world.auth("recruiter")))
    return str(handle)


def _entry(s: Session, world: World, cid: str) -> ShortlistEntry:
    return s.exec(
        select(ShortlistEntry).where(
            ShortlistEntry.candidate_id == uuid.UUID(cid),
            ShortlistEntry.requirement_id == uuid.UUID(world.requirements["acme"]),
        )
    ).one()


def _decisions(world: World, **where: Any) -> list[Decision]:
    with session_on(world.engine) as s:
        query = select(Decision).order_by(Decision.id)  # type: ignore[arg-type]
        for name, value in where.items():
            query = query.where(getattr(Decision, name) == value)
        return list(s.exec(query))


def test_every_move_is_logged_with_the_snapshot_of_that_moment(world: World) -> None:
    items = _staff_items(world)
    cid = items[0]["candidate"]["id"]
    _ok(
        world.http.patch(
            f"{V1}/requirements/{world.requirements['acme']}/shortlist/{items[1]['candidate']['id']}",
            json={"stage": "rejected"},
            headers=world.auth("recruiter"),
        )
    )
    _walk_to_hired(world, cid)
    with session_on(world.engine) as s:
        entry = _entry(s, world, cid)
        cand = s.get(Candidate, uuid.UUID(cid))
        assert cand is not None
        values = {k: v["value"] for k, v in entry.components.items()}
        score, profile_id, scores = entry.score, entry.weight_profile_id, dict(cand.vetting_scores)
    logged = _decisions(world, candidate_id=uuid.UUID(cid))
    assert [(d.from_stage, d.to_stage, d.mover) for d in logged] == [
        ("new", "shortlisted", "recruiter"),
        ("shortlisted", "presented", "recruiter"),
        ("presented", "client_interested", "client"),
        ("client_interested", "offer", "recruiter"),
        ("offer", "hired", "recruiter"),
    ]
    assert {d.actor.split(":")[0] for d in logged} == {"recruiter", "client"}
    assert all(d.components == values and d.score == score for d in logged)
    assert all(d.dimensions == scores and d.weight_profile_id == profile_id for d in logged)
    assert all(d.track == "developer" and not d.other_track for d in logged)
    assert len({d.subject for d in logged}) == 1
    rejected = _decisions(world, candidate_id=uuid.UUID(items[1]["candidate"]["id"]))
    assert [(d.to_stage, d.mover) for d in rejected] == [("rejected", "recruiter")]

    # a new profile version re-scores the entry; the logged snapshot stays what it was
    body = {
        "name": "backend-developer",
        "track": "developer",
        "components": {"rate": 5, "must_have": 1},
        "dimensions": {"delivery": 1},
    }
    assert world.http.post(f"{V1}/weight-profiles", json=body, headers=world.auth("admin")).status_code == 201
    with session_on(world.engine) as s:
        rescored = _entry(s, world, cid)
        assert rescored.score != score and rescored.weight_profile_id != profile_id
    again = _decisions(world, candidate_id=uuid.UUID(cid))
    assert [(d.score, d.components, d.weight_profile_id) for d in again] == [
        (score, values, profile_id)
    ] * len(logged)


def test_erasure_keeps_only_anonymous_decisions(world: World) -> None:
    items = _staff_items(world)
    cid = items[0]["candidate"]["id"]
    _walk_to_hired(world, cid)
    other = items[1]["candidate"]["id"]
    for target in (cid, other):
        r = world.http.put(
            f"{V1}/candidates/{target}/self-identification",
            json={"sex": "female", "race_ethnicity": "asian"},
            headers=world.auth("admin"),
        )
        assert r.status_code == 200, r.text
    before = _decisions(world, candidate_id=uuid.UUID(cid))
    entry_id = before[0].subject
    assert world.http.delete(f"{V1}/candidates/{cid}", headers=world.auth("admin")).status_code == 200

    assert _decisions(world, candidate_id=uuid.UUID(cid)) == []
    kept = [
        d
        for d in _decisions(world, requirement_id=uuid.UUID(world.requirements["acme"]))
        if d.candidate_id is None
    ]
    assert [d.id for d in kept] == [d.id for d in before]
    assert [(d.to_stage, d.components, d.dimensions) for d in kept] == [
        (d.to_stage, d.components, d.dimensions) for d in before
    ]
    assert len({d.subject for d in kept}) == 1 and kept[0].subject != entry_id
    with session_on(world.engine) as s:
        assert s.get(ShortlistEntry, entry_id) is not None  # the subject no longer names the entry
        assert s.get(SelfIdentification, uuid.UUID(cid)) is None
        assert s.get(SelfIdentification, uuid.UUID(other)) is not None


RARE = {"sex": "female", "race_ethnicity": "native_hawaiian_or_pacific_islander"}
NEEDLES = ("native_hawaiian", "race_ethnicity", "self_identification", "self-identification")


def _mark_everyone(world: World) -> None:
    for c in _staff_items(world) + _staff_items(world, "globex"):
        r = world.http.put(
            f"{V1}/candidates/{c['candidate']['id']}/self-identification",
            json=RARE,
            headers=world.auth("admin"),
        )
        assert r.status_code == 200, r.text


def test_self_identification_is_for_admins_only(world: World) -> None:
    cid = _staff_items(world)[0]["candidate"]["id"]
    url = f"{V1}/candidates/{cid}/self-identification"
    assert _ok(world.http.get(url, headers=world.auth("admin")))["sex"] == "not_disclosed"
    assert (
        world.http.put(url, json=RARE, headers=world.auth("admin")).json()["race_ethnicity"]
        == RARE["race_ethnicity"]
    )
    for who in ("recruiter", "acme"):
        assert world.http.get(url, headers=world.auth(who)).status_code == 403
        assert world.http.put(url, json=RARE, headers=world.auth(who)).status_code == 403
    bad = world.http.put(url, json={"sex": "unknown"}, headers=world.auth("admin"))
    assert bad.status_code == 422 and "sex" in bad.text


def test_self_identification_never_reaches_recruiters_clients_shortlists_or_exports(world: World) -> None:
    _mark_everyone(world)
    rid = world.requirements["acme"]
    items = _staff_items(world)
    cid = items[0]["candidate"]["id"]
    handle = _walk_to_hired(world, cid)
    seen = {
        "recruiter candidate": world.http.get(f"{V1}/candidates/{cid}", headers=world.auth("recruiter")),
        "recruiter candidates": world.http.get(f"{V1}/candidates", headers=world.auth("recruiter")),
        "staff shortlist": world.http.get(
            f"{V1}/requirements/{rid}/shortlist", headers=world.auth("recruiter")
        ),
        "staff csv": world.http.get(
            f"{V1}/requirements/{rid}/shortlist", params={"format": "csv"}, headers=world.auth("recruiter")
        ),
        "client shortlist": world.http.get(f"{V1}/requirements/{rid}/shortlist", headers=world.auth("acme")),
        "client csv": world.http.get(
            f"{V1}/requirements/{rid}/shortlist", params={"format": "csv"}, headers=world.auth("acme")
        ),
        "timeline": world.http.get(
            f"{V1}/requirements/{rid}/shortlist/{cid}/timeline", headers=world.auth("recruiter")
        ),
        "attention": world.http.get(f"{V1}/attention", headers=world.auth("recruiter")),
        "admin candidate": world.http.get(f"{V1}/candidates/{cid}", headers=world.auth("admin")),
    }
    for what, r in seen.items():
        assert r.status_code == 200, (what, r.text)
        text = r.text.lower()
        assert not any(n in text for n in NEEDLES), what
    assert handle in seen["client shortlist"].text


def test_self_identification_is_never_an_input_to_scoring(world: World) -> None:
    """The pool the scorer ranks and the shortlist it writes are the same with and without
    anyone's self-identification."""
    with session_on(world.engine) as s:
        before_pool = candidate_pool.load_pool(s)
    before = [(e["candidate"]["id"], e["rank"], e["score"]) for e in _staff_items(world)]
    _mark_everyone(world)
    r = world.http.post(
        f"{V1}/match-runs",
        json={"requirement_ids": [world.requirements["acme"]]},
        headers=world.auth("admin"),
    )
    assert r.status_code in (200, 201, 202), r.text
    with session_on(world.engine) as s:
        after_pool = candidate_pool.load_pool(s)
        assert s.exec(select(SelfIdentification)).first() is not None
    assert after_pool.candidates == before_pool.candidates
    assert [(e["candidate"]["id"], e["rank"], e["score"]) for e in _staff_items(world)] == before


#: The only modules that may read self-identification: its model, its admin service, the audit
#: (aggregates only), erasure (deletes it), the seeding of demo answers and the admin's doors.
ALLOWED = {
    "matcher/models/__init__.py",
    "matcher/models/decisions.py",
    "matcher/core/audit.py",
    "matcher/services/decisions/self_identification.py",
    "matcher/services/decisions/audit.py",
    "matcher/services/decisions/simulate.py",
    "matcher/services/candidates/erasure.py",
    "matcher/models/tables.py",
    "api/routers/decisions.py",
    "api/ui/decisions.py",
    "matcher/migrations/versions/0007_decisions.py",
}


def test_only_the_admin_and_audit_modules_touch_self_identification() -> None:
    """No scoring, ranking, listing or export module can read it: they never name it."""
    names = ("SelfIdentification", "self_identification", "RaceEthnicity")
    touching = set()
    for package in ("matcher", "api", "tasks", "fixtures"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
            used |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
            used |= {
                a.name.split(".")[-1]
                for n in ast.walk(tree)
                if isinstance(n, ast.ImportFrom)
                for a in n.names
            }
            used |= {(n.module or "").split(".")[-1] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
            strings = {
                n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            }
            if used & set(names) or "self_identification" in strings:
                touching.add(str(path.relative_to(ROOT)))
    assert touching <= ALLOWED, sorted(touching - ALLOWED)
    assert "matcher/services/decisions/self_identification.py" in touching
