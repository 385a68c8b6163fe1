"""The doors of issue 17 over the API: a candidate's best open requirements, adding the
candidate to a shortlist, and drafting a requirement from a job description."""

from __future__ import annotations

from tests.api.conftest import World, loose_requirement

V1 = "/api/v1"


def _candidates(w: World) -> list[dict[str, object]]:
    page = w.http.get(f"{V1}/candidates", params={"limit": 100}, headers=w.auth("recruiter")).json()
    return list(page["items"])


def test_best_requirements_match_the_shortlists(world: World) -> None:
    shortlist = world.http.get(
        f"{V1}/requirements/{world.requirements['acme']}/shortlist", headers=world.auth("recruiter")
    ).json()["items"]
    entry = shortlist[0]
    candidate_id = entry["candidate"]["id"]
    r = world.http.get(f"{V1}/candidates/{candidate_id}/matches", headers=world.auth("recruiter"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["open_requirements"] == 2 and body["method"] == "vectorised"
    found = {m["requirement_id"]: m for m in body["items"]}
    match = found[world.requirements["acme"]]
    assert match["score"] == entry["score"]
    assert match["shortlist"]["rank"] == entry["rank"]
    assert match["client"] == "acme" and match["eligible"] is True
    r = world.http.get(
        f"{V1}/candidates/{candidate_id}/matches", params={"top": 0}, headers=world.auth("recruiter")
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"].endswith("top")
    r = world.http.get(f"{V1}/candidates/{candidate_id}/matches", headers=world.auth("acme"))
    assert r.status_code == 403


def test_add_to_shortlist_over_the_api(world: World) -> None:
    # a third requirement: its shortlist holds the best N; someone outside it is added
    body = loose_requirement("req-extra", "acme")
    r = world.http.post(f"{V1}/requirements", json=body, headers=world.auth("recruiter"))
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    listed = world.http.get(f"{V1}/requirements/{rid}/shortlist", headers=world.auth("recruiter")).json()
    on_list = {e["candidate"]["id"] for e in listed["items"]}
    people = [c for c in _candidates(world) if c["id"] not in on_list]
    eligible = None
    for c in people:
        m = world.http.get(
            f"{V1}/candidates/{c['id']}/matches", params={"top": 10}, headers=world.auth("recruiter")
        ).json()
        if any(x["requirement_id"] == rid for x in m["items"]):
            eligible = c
            break
    if eligible is None:  # every eligible person is already on it: adding again keeps the entry
        eligible = {"id": next(iter(on_list))}
    r = world.http.post(
        f"{V1}/requirements/{rid}/shortlist/{eligible['id']}", headers=world.auth("recruiter")
    )
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "shortlisted" and "status" not in r.json()
    timeline = world.http.get(
        f"{V1}/requirements/{rid}/shortlist/{eligible['id']}/timeline", headers=world.auth("recruiter")
    )
    assert timeline.status_code == 200, timeline.text
    assert timeline.json()["entry"]["stage"] == "shortlisted"
    moves = [(e["from_stage"], e["to_stage"]) for e in timeline.json()["events"] if e["kind"] == "stage"]
    assert moves[-1:] == [("new", "shortlisted")]
    r = world.http.post(f"{V1}/requirements/{rid}/shortlist/{eligible['id']}", headers=world.auth("acme"))
    assert r.status_code == 403
    engineer = next((c for c in _candidates(world) if c["track"] == "engineer"), None)
    if engineer is not None:
        r = world.http.post(
            f"{V1}/requirements/{rid}/shortlist/{engineer['id']}", headers=world.auth("recruiter")
        )
        assert r.status_code in (200, 409), r.text
        if r.status_code == 409:
            assert "not eligible" in r.json()["detail"]


def test_draft_from_a_job_description(world: World) -> None:
    text = (
        "# Senior Backend Developer\n\nRequirements:\n- 5+ years of Python\n- PostgreSQL\n\n"
        "Nice to have: Kafka\n\n$60-75/h, CET ± 3 h, start 1 March 2027, 40 h/week. "
        "You will implement APIs for our mobile team and integrate partner systems."
    )
    before = world.http.get(f"{V1}/requirements", headers=world.auth("acme")).json()
    r = world.http.post(f"{V1}/requirements/draft", json={"text": text}, headers=world.auth("acme"))
    assert r.status_code == 200, r.text
    draft = r.json()
    assert draft["requirement"]["must_have"] == [{"name": "Python", "min_years": 5}, {"name": "PostgreSQL"}]
    assert (
        draft["requirement"]["max_hourly_rate"] == 75 and draft["requirement"]["timezone"] == "Europe/Berlin"
    )
    assert draft["requirement"]["track"] == "developer" and draft["missing"] == []
    for f in draft["fields"]:
        for s in f["spans"]:
            assert text[s["start"] : s["end"]] == s["text"]
    after = world.http.get(f"{V1}/requirements", headers=world.auth("acme")).json()
    assert after == before  # nothing saved
    for bad in ({"text": ""}, {"text": "x" * 50_001}, {"text": "a\u0000b"}, {"txt": "x"}, {}):
        r = world.http.post(f"{V1}/requirements/draft", json=bad, headers=world.auth("acme"))
        assert r.status_code == 422, (bad, r.text)


def test_skills_from_cv_text(world: World) -> None:
    r = world.http.post(
        f"{V1}/candidates/skills-from-text",
        json={"text": "Skills\n- Python (5 years), PostgreSQL\n"},
        headers=world.auth("recruiter"),
    )
    assert r.status_code == 200, r.text
    assert [(s["name"], s["years"]) for s in r.json()["skills"]] == [("Python", 5), ("PostgreSQL", None)]
    r = world.http.post(
        f"{V1}/candidates/skills-from-text", json={"text": "Python"}, headers=world.auth("acme")
    )
    assert r.status_code == 403
    r = world.http.post(
        f"{V1}/candidates/skills-from-text", json={"text": ""}, headers=world.auth("recruiter")
    )
    assert r.status_code == 422
