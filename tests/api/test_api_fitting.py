"""Fitting, auditing and publishing over a database of simulated decisions (SQLite and
PostgreSQL): the admin's API, the CLI, and the refusals."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from typer.testing import CliRunner

from matcher.cli import app as cli
from matcher.core.audit import AuditStage, Grouping
from matcher.core.fit_data import PROFILE_KEYS
from matcher.models import Decision, ProfileEvaluation, WeightProfileRecord
from matcher.services import candidate_pool
from matcher.services.decisions import simulate
from tests.api.conftest import World, loose_requirement
from tests.helpers import session_on

V1 = "/api/v1"
EXTRA_REQUIREMENTS = 11
runner = CliRunner()


@pytest.fixture
def decided(world: World) -> Iterator[World]:
    """The world with 13 developer requirements, 20 candidates decided on each from a hidden
    preference, and everyone's self-identification."""
    for i in range(EXTRA_REQUIREMENTS):
        body = loose_requirement(f"req-extra-{i}", None)
        body["nice_to_have"] = [
            {"name": n} for n in ("PostgreSQL", "Docker", "Kubernetes", "Redis")[: 1 + i % 4]
        ]
        r = world.http.post(f"{V1}/requirements", json=body, headers=world.auth("acme"))
        assert r.status_code == 201, r.text
    with world.app.state.runtime.session_scope() as s:
        moves = simulate.simulate_decisions(s, seed=5, decided=20)
        people = simulate.simulate_self_identification(s, seed=5)
    assert moves > 13 * 20 and people == len(world.candidates)
    yield world


def test_fit_report_publish_and_evaluation_through_the_api(decided: World) -> None:
    world = decided
    assert (
        world.http.get(
            f"{V1}/weight-profiles/fit", params={"track": "developer"}, headers=world.auth("recruiter")
        ).status_code
        == 403
    )
    r = world.http.get(
        f"{V1}/weight-profiles/fit", params={"track": "developer", "seed": 1}, headers=world.auth("admin")
    )
    assert r.status_code == 200, r.text
    rep = r.json()
    fit = rep["fit"]
    assert fit["outcomes"] >= 13 * 20 - 5 and fit["current"] == "backend-developer@v1"
    assert [i["key"] for i in fit["intervals"]] == list(PROFILE_KEYS)
    assert sum(fit["proposed"]["components"].values()) == pytest.approx(1.0)
    assert all(0 <= i["low"] <= i["high"] <= 1 for i in fit["intervals"])
    ev = fit["evaluation"]
    assert ev["train_requirements"] + ev["test_requirements"] == 13
    assert len(rep["moves"]) == 13 and all(m["entered"] == m["left"] for m in rep["moves"])
    assert rep["audit_current"]["profile"] == "backend-developer@v1"
    assert rep["audit_proposed"]["profile"] == "backend-developer@v2"

    plain = world.http.post(
        f"{V1}/weight-profiles/fit/publish",
        json={"track": "developer", "seed": 1},
        headers=world.auth("admin"),
    )
    if ev["beats_current"]:
        assert plain.status_code == 201, plain.text
    else:
        assert plain.status_code == 409 and "not published" in plain.text and "do not beat" in plain.text
        plain = world.http.post(
            f"{V1}/weight-profiles/fit/publish",
            json={"track": "developer", "seed": 1, "force": True},
            headers=world.auth("admin"),
        )
        assert plain.status_code == 201, plain.text
    published = plain.json()
    assert (published["name"], published["version"]) == ("backend-developer", 2)
    assert published["report"]["fit"] == fit  # the same seed gives the same fit
    with session_on(world.engine) as s:
        row = s.exec(select(WeightProfileRecord).where(WeightProfileRecord.version == 2)).one()
        assert row.is_default and row.components == pytest.approx(fit["proposed"]["components"])
        assert s.exec(select(ProfileEvaluation)).one().weight_profile_id == row.id
    attached = world.http.get(
        f"{V1}/weight-profiles/{published['weight_profile_id']}/evaluation", headers=world.auth("admin")
    )
    assert attached.status_code == 200 and set(attached.json()["audit"]) == {"current", "proposed"}
    assert attached.json()["evaluation"]["verdict"] == ev["verdict"]


def test_audit_json_and_csv_are_aggregates_for_admins_only(decided: World) -> None:
    world = decided
    for who in ("recruiter", "acme"):
        assert world.http.get(f"{V1}/audit/impact-ratios", headers=world.auth(who)).status_code == 403
    r = world.http.get(
        f"{V1}/audit/impact-ratios", params={"track": "developer"}, headers=world.auth("admin")
    )
    assert r.status_code == 200, r.text
    (rep,) = r.json()
    with session_on(world.engine) as s:
        pool = len(candidate_pool.load_pool(s))
    assert rep["people"] == pool and rep["profile"] == "backend-developer@v1"
    keyed = {(x["stage"], x["grouping"], x["category"]): x for x in rep["rows"]}
    assert {s for s, _, _ in keyed} == {s.value for s in AuditStage}
    assert {g for _, g, _ in keyed} == {g.value for g in Grouping}
    for stage in AuditStage:
        rows = [x for x in rep["rows"] if x["stage"] == stage.value and x["grouping"] == "sex"]
        assert sum(x["people"] for x in rows) == pool
        ratios = [
            x["impact_ratio"] for x in rows if x["counted"] == "ratio" and x["impact_ratio"] is not None
        ]
        assert not ratios or max(ratios) == pytest.approx(1.0)
    assert keyed[("top_n", "sex", "not_disclosed")]["impact_ratio"] is None
    hired = sum(x["selected"] for x in rep["rows"] if x["stage"] == "hired" and x["grouping"] == "sex")
    with session_on(world.engine) as s:
        logged_hires = len(s.exec(select(Decision).where(Decision.to_stage == "hired")).all())
    assert 0 < hired <= logged_hires

    text = world.http.get(
        f"{V1}/audit/impact-ratios",
        params={"track": "developer", "format": "csv"},
        headers=world.auth("admin"),
    ).text
    lines = list(csv.DictReader(io.StringIO(text)))
    assert len(lines) == len(rep["rows"]) and lines[0]["track"] == "developer"
    for person in world.candidates:
        assert person["external_id"] not in text and person["name"] not in text
    assert (
        world.http.get(
            f"{V1}/audit/impact-ratios", params={"profile": "v9"}, headers=world.auth("admin")
        ).status_code
        == 422
    )
    assert (
        world.http.get(
            f"{V1}/audit/impact-ratios", params={"profile": "9"}, headers=world.auth("admin")
        ).status_code
        == 404
    )


def test_the_cli_fits_audits_and_says_why_it_refuses(
    decided: World, cli_database: str, tmp_path: Path
) -> None:
    result = runner.invoke(cli, ["weights", "fit", "--track", "developer", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "held-out (" in result.output and "NDCG@10" in result.output
    assert "dimension.delivery" in result.output and "beat the current profile" in result.output
    out = tmp_path / "audit.csv"
    result = runner.invoke(cli, ["audit", "impact-ratios", "--track", "developer", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    assert "backend-developer@v1" in result.output and out.read_text().startswith("track,profile,stage")
    result = runner.invoke(cli, ["audit", "impact-ratios", "--profile", "7"])
    assert result.exit_code != 0
    result = runner.invoke(cli, ["weights", "fit", "--track", "engineer"])
    assert result.exit_code != 0


def test_fitting_refuses_below_the_minimum(world: World) -> None:
    r = world.http.get(
        f"{V1}/weight-profiles/fit", params={"track": "developer"}, headers=world.auth("admin")
    )
    assert r.status_code == 409 and "too few decisions to fit" in r.text and "at least 200" in r.text
    r = world.http.post(
        f"{V1}/weight-profiles/fit/publish",
        json={"track": "developer", "force": True},
        headers=world.auth("admin"),
    )
    assert r.status_code == 409


TOKEN = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


def _ui(world: World, who: str) -> tuple[TestClient, str]:
    http = TestClient(world.app, raise_server_exceptions=False, follow_redirects=False)
    token = TOKEN.findall(http.get("/").text)[0]
    assert http.post("/sign-in", data={"api_key": world.keys[who], "csrf_token": token}).status_code == 303
    return http, TOKEN.findall(http.get("/requirements").text)[0]


def test_the_admin_page_fits_audits_downloads_and_publishes(decided: World) -> None:
    http, token = _ui(decided, "admin")
    page = http.get("/admin/decisions", params={"track": "developer"})
    assert page.status_code == 200 and "Impact ratios under the current profile" in page.text
    assert "Download CSV" in page.text and "Proposed weights" not in page.text
    page = http.get("/admin/decisions", params={"track": "developer", "fit": 1, "seed": 1})
    assert page.status_code == 200 and "Proposed weights for the developer track" in page.text
    assert "NDCG@10" in page.text and "Publish as the next version" in page.text
    refused = http.get("/admin/decisions", params={"track": "engineer", "fit": 1})
    assert refused.status_code == 200 and "too few decisions to fit" in refused.text
    download = http.get("/admin/audit.csv", params={"track": "developer"})
    assert download.status_code == 200 and download.text.startswith("track,profile,stage")
    assert (
        http.post("/admin/decisions/publish", data={"csrf_token": token, "track": "nope"}).status_code == 422
    )
    done = http.post(
        "/admin/decisions/publish",
        data={"csrf_token": token, "track": "developer", "seed": "1", "force": "1"},
    )
    assert done.status_code == 303, done.text
    with session_on(decided.engine) as s:
        assert s.exec(select(ProfileEvaluation)).one() is not None
    recruiter, _ = _ui(decided, "recruiter")
    for url in ("/admin/decisions", "/admin/audit.csv"):
        assert recruiter.get(url).status_code == 403
