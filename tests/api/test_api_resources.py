"""The API's resources end to end on SQLite and PostgreSQL: what each role can do and see."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from matcher.models import ApiKey
from tests.api.conftest import World, clone, loose_requirement, present_some
from tests.helpers import example, jsonl, missing_id

V1 = "/api/v1"


def _shortlist(world: World, who: str, slug: str = "acme", **params: object) -> dict:
    r = world.http.get(
        f"{V1}/requirements/{world.requirements[slug]}/shortlist", params=params, headers=world.auth(who)
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_creating_a_requirement_matches_it_and_the_run_is_readable(world: World) -> None:
    page = _shortlist(world, "recruiter")
    assert page["view"] == "staff"
    assert len(page["items"]) > 5
    assert [e["rank"] for e in page["items"]] == list(range(1, len(page["items"]) + 1))
    scores = [e["score"] for e in page["items"]]
    assert scores == sorted(scores, reverse=True)
    first = page["items"][0]
    assert first["reasons"] and set(first["components"]) >= {"must_have", "rate", "timezone"}
    assert {e["stage"] for e in page["items"]} == {"new"}
    client = _shortlist(world, "acme")
    assert (client["view"], client["items"], client["more_under_review"]) == ("client", [], 0)
    run = world.http.get(f"{V1}/match-runs/{world.runs['acme']}", headers=world.auth("acme")).json()
    assert run["status"] == "succeeded" and run["total"] == run["processed"] == 1
    assert run["entered"] == len(page["items"]) or run["entered"] >= len(page["items"])


def test_client_sees_only_what_was_presented_and_nothing_that_identifies(world: World) -> None:
    rid = world.requirements["acme"]
    staff = _shortlist(world, "recruiter", limit=200)
    entry, sent, rejected = staff["items"][0], staff["items"][1], staff["items"][2]
    person = next(c for c in world.candidates if c["external_id"] == entry["candidate"]["external_id"])
    assert entry["candidate"]["name"] == person["name"] and entry["candidate"]["email"] == person["email"]
    note = f"called {person['name']} on {person['email']}"
    r = world.http.patch(
        f"{V1}/requirements/{rid}/shortlist/{entry['candidate']['id']}",
        json={"stage": "shortlisted", "note": note},
        headers=world.auth("recruiter"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["entry"]["stage"] == "shortlisted"
    assert [e["text"] for e in r.json()["events"] if e["kind"] == "note"] == [note]
    r = world.http.patch(
        f"{V1}/requirements/{rid}/shortlist/{rejected['candidate']['id']}",
        json={"stage": "rejected"},
        headers=world.auth("recruiter"),
    )
    assert r.status_code == 200, r.text
    r = world.http.post(
        f"{V1}/requirements/{rid}/shortlist/{sent['candidate']['id']}/present",
        json={"note_for_client": "Ten years of Django"},
        headers=world.auth("recruiter"),
    )
    assert r.status_code == 200, r.text
    handle = r.json()["entry"]["handle"]
    url = f"{V1}/requirements/{rid}/shortlist"
    for text in (
        world.http.get(url, params={"limit": 200, "state": "all"}, headers=world.auth("acme")).text,
        world.http.get(url, params={"format": "csv", "state": "all"}, headers=world.auth("acme")).text,
    ):
        assert len(text) > 300
        lowered = text.lower()
        leaked = [s for s in world.personal_strings() if s.lower() in lowered]
        assert leaked == []
        for internal in ("notes", "shortlisted", "rejected", "called", sent["candidate"]["id"], "rank"):
            assert internal not in lowered
    client = _shortlist(world, "acme", limit=200)
    assert [i["handle"] for i in client["items"]] == [handle]
    assert client["more_under_review"] == 1  # the shortlisted one
    item = client["items"][0]
    assert (item["stage"], item["note_for_client"]) == ("presented", "Ten years of Django")
    assert set(item["candidate"]) == {
        "track",
        "seniority",
        "years_experience",
        "skills",
        "timezone",
        "hourly_rate",
        "currency",
        "available_from",
        "hours_per_week",
    }
    assert set(item) == {
        "handle",
        "stage",
        "presented_at",
        "note_for_client",
        "feedback",
        "candidate",
        "score",
        "components",
        "reasons",
    }
    for stage in ("shortlisted", "rejected", "new"):
        assert _shortlist(world, "acme", stage=stage)["items"] == []


def test_clients_answer_presented_candidates_by_handle(world: World) -> None:
    rid = world.requirements["acme"]
    present_some(world, 3)
    handles = [i["handle"] for i in _shortlist(world, "acme")["items"]]
    assert len(handles) == 3
    url = f"{V1}/requirements/{rid}/presented"
    acme, recruiter = world.auth("acme"), world.auth("recruiter")
    r = world.http.post(f"{url}/{handles[0]}/answer", json={"action": "interested"}, headers=acme)
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "client_interested"
    r = world.http.post(f"{url}/{handles[1]}/answer", json={"action": "decline"}, headers=acme)
    assert r.status_code == 422
    r = world.http.post(
        f"{url}/{handles[1]}/answer",
        json={"action": "decline", "reason": "rate", "comment": "over our budget"},
        headers=acme,
    )
    assert r.status_code == 200, r.text
    assert r.json()["feedback"]["decline_reason"] == "rate"
    assert r.json()["feedback"]["comment"] == "over our budget"
    again = world.http.post(f"{url}/{handles[1]}/answer", json={"action": "interested"}, headers=acme)
    assert again.status_code == 409 and "cannot move" in again.json()["detail"]
    other = world.http.post(
        f"{url}/{handles[2]}/answer", json={"action": "interested"}, headers=world.auth("globex")
    )
    assert other.status_code == 404
    unknown = world.http.post(f"{url}/ZZZZ-ZZZZ/answer", json={"action": "interested"}, headers=acme)
    assert unknown.status_code == 404
    answered = _shortlist(world, "acme")["items"]
    assert [i["stage"] for i in answered] == ["client_interested", "declined_by_client", "presented"]
    board = {i["handle"]: i for i in _shortlist(world, "recruiter", limit=200)["items"]}
    assert board[handles[1]]["decline_reason"] == "rate"
    attention = world.http.get(f"{V1}/attention", params={"requirement_id": rid}, headers=recruiter).json()
    assert {(a["kind"], a["stage"]) for a in attention} == {
        ("client_answer", "client_interested"),
        ("client_answer", "declined_by_client"),
    }
    cid = board[handles[0]]["candidate"]["id"]
    timeline = world.http.get(f"{V1}/requirements/{rid}/shortlist/{cid}/timeline", headers=recruiter).json()
    kinds = [(e["kind"], e["actor"].split(":")[0]) for e in timeline["events"]]
    assert kinds == [("score", "matching"), ("presented", "recruiter"), ("client", "client")]
    # a recruiter acting on the answer takes it off the list
    world.http.patch(
        f"{V1}/requirements/{rid}/shortlist/{cid}", json={"note": "call them"}, headers=recruiter
    )
    left = world.http.get(f"{V1}/attention", params={"requirement_id": rid}, headers=recruiter).json()
    assert [a["stage"] for a in left] == ["declined_by_client"]


def test_the_pipeline_rejects_moves_it_does_not_allow(world: World) -> None:
    rid = world.requirements["acme"]
    cid = _shortlist(world, "recruiter")["items"][0]["candidate"]["id"]
    url = f"{V1}/requirements/{rid}/shortlist/{cid}"
    h = world.auth("recruiter")
    r = world.http.patch(url, json={"stage": "hired"}, headers=h)
    assert r.status_code == 409 and "allowed: rejected, reviewing, shortlisted" in r.json()["detail"]
    assert world.http.patch(url, json={"stage": "rejected"}, headers=h).status_code == 200
    r = world.http.post(f"{url}/present", json={}, headers=h)
    assert r.status_code == 409 and "cannot be presented" in r.json()["detail"]
    unchanged = world.http.patch(url, json={}, headers=h)
    assert unchanged.status_code == 200 and unchanged.json()["entry"]["stage"] == "rejected"
    assert world.http.patch(url, json={"decline_reason": "rate"}, headers=h).status_code == 409
    missing = f"{V1}/requirements/{rid}/shortlist/{missing_id()}"
    assert world.http.patch(missing, json={"note": "x"}, headers=h).status_code == 404


def test_shortlist_filters_pagination_and_csv(world: World) -> None:
    full = _shortlist(world, "recruiter", limit=200)["items"]
    seen, cursor = [], None
    while True:
        params: dict[str, object] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = _shortlist(world, "recruiter", **params)
        seen += [e["candidate"]["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [e["candidate"]["id"] for e in full]
    target = full[1]["candidate"]["id"]
    world.http.patch(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist/{target}",
        json={"stage": "reviewing"},
        headers=world.auth("recruiter"),
    )
    only = _shortlist(world, "recruiter", stage="reviewing")["items"]
    assert [e["candidate"]["id"] for e in only] == [target]
    r = world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist",
        params={"format": "csv"},
        headers=world.auth("recruiter"),
    )
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["candidate_id"] for row in rows] == [e["candidate"]["id"] for e in full]
    assert rows[1]["stage"] == "reviewing" and rows[0]["name"]
    assert all(len(row["score"].partition(".")[2]) <= 2 for row in rows)
    bad = world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist",
        params={"cursor": "not-a-cursor"},
        headers=world.auth("recruiter"),
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"


def test_shortlist_stage_must_be_a_known_value(world: World) -> None:
    entry = _shortlist(world, "recruiter")["items"][0]
    r = world.http.patch(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist/{entry['candidate']['id']}",
        json={"stage": "maybe"},
        headers=world.auth("recruiter"),
    )
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["field"] == "stage"


def test_client_requirement_rules(world: World) -> None:
    own = loose_requirement("req-2", "acme")
    r = world.http.post(f"{V1}/requirements", json=own, headers=world.auth("acme"))
    assert r.status_code == 201 and r.json()["client"] == "acme"
    other = loose_requirement("req-3", "globex")
    r = world.http.post(f"{V1}/requirements", json=other, headers=world.auth("acme"))
    assert r.status_code == 403
    again = world.http.post(f"{V1}/requirements", json=own, headers=world.auth("acme"))
    assert again.status_code == 409
    listed = world.http.get(f"{V1}/requirements", headers=world.auth("acme")).json()["items"]
    assert {i["client"] for i in listed} == {"acme"} and len(listed) == 2
    everyone = world.http.get(f"{V1}/requirements", headers=world.auth("recruiter")).json()["items"]
    assert {i["client"] for i in everyone} == {"acme", "globex"}
    runs = world.http.get(f"{V1}/match-runs", headers=world.auth("globex")).json()
    assert [r["id"] for r in runs] == [world.runs["globex"]]

    rid = world.requirements["acme"]
    changed = clone(loose_requirement("req-acme", None), title="Changed title", max_hourly_rate=10)
    r = world.http.put(f"{V1}/requirements/{rid}", json=changed, headers=world.auth("acme"))
    assert r.status_code == 200 and r.json()["title"] == "Changed title"
    assert r.json()["latest_run_id"] != world.runs["acme"]
    assert _shortlist(world, "acme")["items"] == []
    moved = clone(changed, client="globex")
    assert (
        world.http.put(f"{V1}/requirements/{rid}", json=moved, headers=world.auth("recruiter")).status_code
        == 409
    )
    closed = world.http.post(f"{V1}/requirements/{rid}/close", headers=world.auth("acme"))
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_requirement_list_pagination(world: World) -> None:
    for i in range(5):
        body = loose_requirement(f"extra-{i}", "acme")
        assert (
            world.http.post(f"{V1}/requirements", json=body, headers=world.auth("admin")).status_code == 201
        )
    seen, cursor = [], None
    while True:
        params: dict[str, object] = {"limit": 2, "client": "acme"}
        if cursor:
            params["cursor"] = cursor
        page = world.http.get(f"{V1}/requirements", params=params, headers=world.auth("recruiter")).json()
        seen += [i["external_id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(["req-acme", *(f"extra-{i}" for i in range(5))])
    assert len(seen) == len(set(seen))


def test_candidates_crud_filters_and_cursor(world: World) -> None:
    h = world.auth("recruiter")
    page = world.http.get(f"{V1}/candidates", params={"limit": 7}, headers=h).json()
    ids = [c["external_id"] for c in page["items"]]
    while page["next_cursor"]:
        page = world.http.get(
            f"{V1}/candidates", params={"limit": 7, "cursor": page["next_cursor"]}, headers=h
        ).json()
        ids += [c["external_id"] for c in page["items"]]
    assert ids == sorted(c["external_id"] for c in world.candidates)

    by_text = world.http.get(f"{V1}/candidates", params={"skill": "postgres", "limit": 200}, headers=h).json()
    by_key = world.http.get(
        f"{V1}/candidates", params={"skill": "postgresql", "limit": 200}, headers=h
    ).json()
    assert by_text["items"] and by_text == by_key
    assert all(any(s["skill_key"] == "postgresql" for s in c["resolved_skills"]) for c in by_key["items"])
    seniors = world.http.get(
        f"{V1}/candidates", params={"seniority": "senior", "track": "engineer", "limit": 200}, headers=h
    ).json()["items"]
    assert seniors and all(c["seniority"] == "senior" and c["track"] == "engineer" for c in seniors)

    new = example("candidate")
    created = world.http.post(f"{V1}/candidates", json=new, headers=h)
    assert created.status_code == 201
    cid = created.json()["id"]
    patched = world.http.patch(
        f"{V1}/candidates/{cid}", json={"hourly_rate": 80, "languages": ["English"]}, headers=h
    )
    assert patched.status_code == 200 and patched.json()["hourly_rate"] == 80
    assert patched.json()["name"] == new["name"] and patched.json()["languages"] == ["English"]
    replaced = world.http.put(
        f"{V1}/candidates/{cid}", json=clone(new, external_id="cand-renamed"), headers=h
    )
    assert replaced.status_code == 200 and replaced.json()["external_id"] == "cand-renamed"
    taken = world.http.put(
        f"{V1}/candidates/{cid}", json=clone(new, external_id=world.candidates[0]["external_id"]), headers=h
    )
    assert taken.status_code == 409
    bad = world.http.patch(f"{V1}/candidates/{cid}", json={"timezone": "Mars/Olympus"}, headers=h)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "timezone"


def test_bulk_import_is_all_or_nothing_with_line_numbers(world: World) -> None:
    h = {**world.auth("recruiter"), "Content-Type": "application/x-ndjson"}
    good = [clone(example("candidate"), external_id=f"bulk-{i}", email=f"b{i}@example.com") for i in range(3)]
    broken = [good[0], clone(good[1], track="designer"), clone(good[2], hourly_rate=-1)]
    r = world.http.post(f"{V1}/candidates/import", content=jsonl(broken), headers=h)
    assert r.status_code == 422
    assert {(e["line"], e["field"]) for e in r.json()["errors"]} == {(2, "track"), (3, "hourly_rate")}
    none = world.http.get(f"{V1}/candidates", params={"limit": 200}, headers=world.auth("recruiter")).json()
    assert not any(c["external_id"].startswith("bulk-") for c in none["items"])
    r = world.http.post(f"{V1}/candidates/import", content=jsonl(good), headers=h)
    assert r.status_code == 200 and r.json() == {"created": 3, "updated": 0}
    too_many = [clone(good[0], external_id=f"many-{i}") for i in range(world.settings.max_import_records + 1)]
    r = world.http.post(f"{V1}/candidates/import", content=jsonl(too_many), headers=h)
    assert r.status_code == 413
    r = world.http.post(f"{V1}/candidates/import", content=b"\xff\xfe", headers=h)
    assert r.status_code == 422


def test_body_limit_counts_bytes_even_without_content_length(world: World) -> None:
    limit = world.settings.max_body_bytes
    h = {**world.auth("recruiter"), "Content-Type": "application/x-ndjson"}
    r = world.http.post(f"{V1}/candidates/import", content=b" " * (limit + 1), headers=h)
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"

    def chunks():
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    r = world.http.post(f"{V1}/candidates/import", content=chunks(), headers=h)
    assert r.status_code == 413 and r.json()["type"] == "/problems/payload-too-large"


def test_problem_details_for_bad_input_and_unknown_routes(world: World) -> None:
    h = world.auth("admin")
    for r in (
        world.http.post(
            f"{V1}/candidates", content=b"{not json", headers={**h, "Content-Type": "application/json"}
        ),
        world.http.get(f"{V1}/candidates", params={"limit": 100000}, headers=h),
        world.http.get(f"{V1}/candidates/not-a-uuid", headers=h),
        world.http.get(f"{V1}/nowhere", headers=h),
        world.http.delete(f"{V1}/me", headers=h),
    ):
        assert r.status_code in (404, 405, 422), r.text
        assert r.headers["content-type"] == "application/problem+json"
        body = r.json()
        assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == r.status_code
        assert "Traceback" not in r.text


def test_api_keys_are_hashed_revocable_and_admin_managed(world: World) -> None:
    h = world.auth("admin")
    r = world.http.post(f"{V1}/api-keys", json={"role": "client", "client": "initech"}, headers=h)
    assert r.status_code == 201
    key, info = r.json()["key"], r.json()["info"]
    assert (
        key.startswith(info["prefix"] + "_")
        and info["prefix"].startswith("tm_")
        and len(info["prefix"]) == 11
    )
    me = world.http.get(f"{V1}/me", headers={"Authorization": f"Bearer {key}"}).json()
    assert me == {"role": "client", "client": "initech", "key_prefix": info["prefix"]}
    with world.app.state.runtime.session_scope() as s:
        stored = s.exec(select(ApiKey).where(ApiKey.prefix == info["prefix"])).scalar_one()
        assert stored.key_hash != key and key not in (stored.key_hash, stored.prefix, stored.label)
        assert len(stored.key_hash) == 64
    listed = world.http.get(f"{V1}/api-keys", headers=h)
    assert info["prefix"] in listed.text and key not in listed.text
    used = next(k for k in listed.json() if k["prefix"] == info["prefix"])
    assert info["last_used_at"] is None and used["last_used_at"] is not None
    assert world.http.post(f"{V1}/api-keys", json={"role": "client"}, headers=h).status_code == 422
    assert world.http.delete(f"{V1}/api-keys/{info['id']}", headers=h).status_code == 200
    assert world.http.get(f"{V1}/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    assert world.http.delete(f"{V1}/api-keys/{info['id']}", headers=h).status_code == 409
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    assert world.http.get(f"{V1}/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    assert world.http.delete(f"{V1}/api-keys/{missing_id()}", headers=h).status_code == 404


def test_weight_profile_versions_and_preview(world: World) -> None:
    h = world.auth("admin")
    profiles = world.http.get(f"{V1}/weight-profiles", headers=h).json()
    default = next(p for p in profiles if p["track"] == "developer" and p["is_default"])
    assert world.http.get(f"{V1}/weight-profiles/{default['id']}", headers=h).json() == default

    rate_only = {"components": {"rate": 1}, "dimensions": {"communication": 1}}
    preview = world.http.post(
        f"{V1}/weight-profiles/preview",
        json={"requirement_id": world.requirements["acme"], "top": 5, **rate_only},
        headers=h,
    )
    assert preview.status_code == 200, preview.text
    p = preview.json()
    assert len(p["before"]) == len(p["after"]) == 5
    before_ids = [e["candidate"]["id"] for e in _shortlist(world, "recruiter", limit=5)["items"]]
    assert [e["candidate_id"] for e in p["before"]] == before_ids
    rates = {
        c["id"]: c["hourly_rate"]
        for c in (e["candidate"] for e in _shortlist(world, "recruiter", limit=200, state="all")["items"])
    }
    after_rates = [rates.get(e["candidate_id"]) for e in p["after"]]
    assert None not in after_rates
    assert world.http.get(f"{V1}/weight-profiles", headers=h).json() == profiles

    version = world.http.post(
        f"{V1}/weight-profiles", json={"name": default["name"], "track": "developer", **rate_only}, headers=h
    )
    assert version.status_code == 201, version.text
    assert version.json()["version"] == default["version"] + 1
    after = [e["candidate"]["id"] for e in _shortlist(world, "recruiter", limit=5)["items"]]
    assert after == [e["candidate_id"] for e in p["after"]]
    wrong_track = world.http.post(
        f"{V1}/weight-profiles", json={"name": default["name"], "track": "engineer", **rate_only}, headers=h
    )
    assert wrong_track.status_code == 409


def test_match_runs_start_and_progress(world: World) -> None:
    r = world.http.post(
        f"{V1}/match-runs",
        json={"requirement_ids": [world.requirements["acme"]]},
        headers=world.auth("recruiter"),
    )
    assert r.status_code == 202
    run = world.http.get(f"{V1}/match-runs/{r.json()['id']}", headers=world.auth("acme")).json()
    assert (
        run["status"] == "succeeded"
        and run["fraction"] == 1.0
        and run["requested_by"] is None  # which staff key started it is not the client's business
    )
    staff_view = world.http.get(f"{V1}/match-runs/{r.json()['id']}", headers=world.auth("recruiter")).json()
    assert staff_view["requested_by"].startswith("recruiter:")
    everything = world.http.post(f"{V1}/match-runs", json={}, headers=world.auth("admin"))
    assert everything.status_code == 202 and everything.json()["total"] == 2
    assert (
        world.http.get(f"{V1}/match-runs/{everything.json()['id']}", headers=world.auth("acme")).status_code
        == 404
    )
    missing = world.http.post(
        f"{V1}/match-runs", json={"requirement_ids": [str(missing_id())]}, headers=world.auth("admin")
    )
    assert missing.status_code == 404


def test_only_open_requirements_are_rematched_on_request(world: World) -> None:
    """The API enforces what the UI's re-match button does: a closed requirement is not matched."""
    r = world.http.post(
        f"{V1}/requirements", json=loose_requirement("closing-soon", None), headers=world.auth("acme")
    )
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    open_run = world.http.post(
        f"{V1}/match-runs", json={"requirement_ids": [rid]}, headers=world.auth("recruiter")
    )
    assert open_run.status_code == 202, open_run.text
    assert world.http.post(f"{V1}/requirements/{rid}/close", headers=world.auth("acme")).status_code == 200
    refused = world.http.post(
        f"{V1}/match-runs",
        json={"requirement_ids": [world.requirements["acme"], rid]},
        headers=world.auth("recruiter"),
    )
    assert refused.status_code == 409, refused.text
    assert rid in refused.json()["detail"] and "only open requirements" in refused.json()["detail"]
    runs = world.http.get(f"{V1}/match-runs", headers=world.auth("recruiter")).json()
    latest_manual = next(run for run in runs if run["trigger"] == "manual")
    assert latest_manual["id"] == open_run.json()["id"]  # the refused request started nothing


def test_health_and_readiness(world: World, tmp_path) -> None:
    assert world.http.get("/healthz").json() == {"status": "ok"}
    ready = world.http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "broker": "ok"}
    world.app.state.settings = world.settings.model_copy(update={"broker_url": "redis://127.0.0.1:1/0"})
    down = world.http.get("/readyz")
    assert down.status_code == 503 and down.json()["errors"][0]["field"] == "broker"


def test_json_types_are_not_coerced(world: World) -> None:
    h = world.auth("recruiter")
    body = example("candidate")
    body["hourly_rate"] = "70"
    body["available_from"] = 0
    body["skills"][0]["years"] = True
    r = world.http.post(f"{V1}/candidates", json=body, headers=h)
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"hourly_rate", "available_from", "skills.0.years"}
    patch = world.http.patch(
        f"{V1}/candidates/{_first_candidate(world)}",
        json={"vetting": {"status": "passed", "scores": {"security": "4"}}},
        headers=h,
    )
    assert patch.status_code == 422 and patch.json()["errors"][0]["field"] == "vetting.scores.security"
    req = loose_requirement("typed", "acme")
    req["start_by"] = 20300101
    r = world.http.post(f"{V1}/requirements", json=req, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "start_by"


def test_unknown_query_parameters_are_rejected(world: World) -> None:
    r = world.http.get(f"{V1}/candidates", params={"seniorty": "senior"}, headers=world.auth("recruiter"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.seniorty"


def _first_candidate(world: World) -> str:
    page = world.http.get(f"{V1}/candidates", params={"limit": 1}, headers=world.auth("recruiter")).json()
    return str(page["items"][0]["id"])


def test_nul_is_refused_everywhere_before_the_database(world: World) -> None:
    h = world.auth("recruiter")
    body = clone(example("candidate"), name="Asha\x00Rao")
    r = world.http.post(f"{V1}/candidates", json=body, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "name"
    entry = _shortlist(world, "recruiter")["items"][0]["candidate"]["id"]
    r = world.http.patch(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist/{entry}",
        json={"note": "a\x00"},
        headers=h,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "note"
    r = world.http.get(f"{V1}/candidates", params={"skill": "py\x00thon"}, headers=h)
    assert r.status_code == 422
    lines = jsonl([example("candidate")]) + '{"external_id": "x\\u0000y"}\n'
    r = world.http.post(
        f"{V1}/candidates/import",
        content=lines.replace("\\u0000", "\x00"),
        headers={**h, "Content-Type": "application/x-ndjson"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["line"] == 2


def test_skills_autocomplete_and_resolve_for_any_key(world: World) -> None:
    r = world.http.get(f"{V1}/skills", params={"prefix": "Postg"}, headers=world.auth("acme"))
    assert r.status_code == 200, r.text
    assert r.json()[0] == {
        "id": "postgresql",
        "name": "PostgreSQL",
        "category": "database",
        "matched": "PostgreSQL",
    }
    by_alias = world.http.get(f"{V1}/skills", params={"prefix": "k8"}, headers=world.auth("acme")).json()
    assert [s["id"] for s in by_alias] == ["kubernetes"]
    limited = world.http.get(f"{V1}/skills", params={"prefix": "j", "limit": 3}, headers=world.auth("acme"))
    assert len(limited.json()) == 3

    def understood(name: str) -> dict:
        r = world.http.get(f"{V1}/skills/resolve", params={"name": name}, headers=world.auth("recruiter"))
        assert r.status_code == 200, r.text
        return r.json()

    assert understood("Pyhton")["understood"] == "Pyhton -> Python"
    assert understood("k8s")["understood"] == "k8s -> Kubernetes"
    combined = understood("Java/J2EE")
    assert (combined["method"], [p["id"] for p in combined["parts"]]) == ("combined", ["java", "jakarta-ee"])
    assert understood("xyzzy")["understood"] == "unknown: kept as typed"
    assert understood("Scalar")["note"] == "simple-icons:Scalar is not in the taxonomy"
    bad = world.http.get(f"{V1}/skills", params={"prefix": ""}, headers=world.auth("acme"))
    assert bad.status_code == 422
