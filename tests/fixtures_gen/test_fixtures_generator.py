"""The fixtures generator: valid import-format records, deterministic, with realistic shape."""

from __future__ import annotations

import io
import json
import statistics
import zoneinfo
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fixtures.generator import (
    ANCHOR_DATE,
    DEFAULT_CLIENTS,
    generate_candidates,
    generate_requirements,
    jsonl_chunks,
    write_jsonl,
)
from fixtures.vocab import SENIORITY_YEARS, SPELLINGS
from matcher.cli import app
from matcher.errors import ValidationFailed
from matcher.schemas import CandidateIn, Dimension, RequirementIn
from tests.suite_clock import TODAY

N = 2000
DESIGN = ("system_design", "architecture", "security", "data_modeling", "performance")
EXECUTION = ("api_implementation", "integration", "code_quality", "testing", "delivery")


@pytest.fixture(scope="module")
def candidates() -> list[dict[str, Any]]:
    return list(generate_candidates(N, seed=11))


@pytest.fixture(scope="module")
def requirements() -> list[dict[str, Any]]:
    return list(generate_requirements(N, seed=11))


def test_every_candidate_validates_and_is_numbered(candidates: list[dict[str, Any]]) -> None:
    for record in candidates:
        CandidateIn.model_validate(record)
    assert [c["external_id"] for c in candidates[:3]] == ["cand-0000000", "cand-0000001", "cand-0000002"]
    assert candidates[-1]["external_id"] == f"cand-{N - 1:07d}"


def test_every_requirement_validates_and_is_numbered(requirements: list[dict[str, Any]]) -> None:
    for record in requirements:
        RequirementIn.model_validate(record)
    assert requirements[7]["external_id"] == "req-00007"


def test_records_are_json_ready(candidates: list[dict[str, Any]]) -> None:
    record = candidates[0]
    assert json.loads(json.dumps(record)) == record
    assert date.fromisoformat(record["available_from"])


def test_same_seed_same_output_and_different_seed_different() -> None:
    assert list(generate_candidates(200, seed=5)) == list(generate_candidates(200, seed=5))
    assert list(generate_requirements(100, seed=5)) == list(generate_requirements(100, seed=5))
    a, b = list(generate_candidates(200, seed=5)), list(generate_candidates(200, seed=6))
    assert sum(x != y for x, y in zip(a, b, strict=True)) > 190
    ra, rb = list(generate_requirements(100, seed=5)), list(generate_requirements(100, seed=6))
    assert sum(x != y for x, y in zip(ra, rb, strict=True)) > 90


def test_a_slice_equals_the_same_slice_of_a_bigger_run() -> None:
    whole = list(generate_candidates(300, seed=9))
    assert list(generate_candidates(50, seed=9, start=120)) == whole[120:170]
    reqs = list(generate_requirements(60, seed=9))
    assert list(generate_requirements(10, seed=9, start=33)) == reqs[33:43]
    assert list(generate_candidates(0, seed=9, start=5)) == []


def test_negative_seed_is_its_own_stream() -> None:
    assert list(generate_candidates(20, seed=-3)) != list(generate_candidates(20, seed=3))


def test_dates_follow_the_anchor_not_the_clock() -> None:
    later = ANCHOR_DATE + timedelta(days=100)
    base = list(generate_candidates(50, seed=2))
    moved = list(generate_candidates(50, seed=2, anchor=later))
    for a, b in zip(base, moved, strict=True):
        shift = date.fromisoformat(b["available_from"]) - date.fromisoformat(a["available_from"])
        assert shift == timedelta(days=100)
    for record in generate_requirements(200, seed=2):
        days = (date.fromisoformat(record["start_by"]) - ANCHOR_DATE).days
        assert 14 <= days <= 90


def test_available_from_is_around_the_anchor(candidates: list[dict[str, Any]]) -> None:
    offsets = [(date.fromisoformat(c["available_from"]) - ANCHOR_DATE).days for c in candidates]
    assert min(offsets) >= -30
    assert max(offsets) <= 90
    assert any(o <= 0 for o in offsets)
    assert any(o > 30 for o in offsets)


def _mean_score(records: list[dict[str, Any]], track: str, dims: tuple[str, ...]) -> float:
    values = [
        score
        for record in records
        if record["track"] == track
        for dim, score in record["vetting"]["scores"].items()
        if dim in dims
    ]
    return statistics.mean(values)


def test_design_scores_favour_engineers_and_execution_scores_developers(
    candidates: list[dict[str, Any]],
) -> None:
    assert _mean_score(candidates, "engineer", DESIGN) > _mean_score(candidates, "developer", DESIGN) + 0.3
    assert (
        _mean_score(candidates, "developer", EXECUTION) > _mean_score(candidates, "engineer", EXECUTION) + 0.3
    )
    comm_gap = _mean_score(candidates, "engineer", ("communication",)) - _mean_score(
        candidates, "developer", ("communication",)
    )
    assert abs(comm_gap) < 0.3


def test_scores_are_half_steps_and_vetting_mix_is_realistic(candidates: list[dict[str, Any]]) -> None:
    statuses = Counter(c["vetting"]["status"] for c in candidates)
    assert 0.75 < statuses["passed"] / N < 0.85
    assert 0.08 < statuses["pending"] / N < 0.16
    assert 0.05 < statuses["failed"] / N < 0.11
    all_dims = {d.value for d in Dimension}
    partial = 0
    for c in candidates:
        scores = c["vetting"]["scores"]
        assert all(0 <= s <= 5 and (s * 2) == int(s * 2) for s in scores.values())
        partial += c["vetting"]["status"] != "pending" and set(scores) != all_dims
        if c["vetting"]["status"] == "pending":
            assert "vetted_on" not in c["vetting"]
    assert 0 < partial < N * 0.25


def test_scores_rise_with_seniority(candidates: list[dict[str, Any]]) -> None:
    def mean_for(level: str) -> float:
        return statistics.mean(
            s for c in candidates if c["seniority"] == level for s in c["vetting"]["scores"].values()
        )

    assert mean_for("junior") < mean_for("mid") < mean_for("senior") < mean_for("principal")


def test_time_zones_are_real_iana_names(
    candidates: list[dict[str, Any]], requirements: list[dict[str, Any]]
) -> None:
    zones = zoneinfo.available_timezones()
    cand_zones = Counter(c["timezone"] for c in candidates)
    assert set(cand_zones) <= zones
    assert {r["timezone"] for r in requirements} <= zones
    assert len(cand_zones) >= 12
    assert cand_zones.most_common(1)[0][0] == "Asia/Kolkata"


def test_emails_are_unique_and_on_example_domains(candidates: list[dict[str, Any]]) -> None:
    emails = [c["email"] for c in candidates]
    assert len(set(emails)) == len(emails)
    assert {e.rsplit("@", 1)[1] for e in emails} <= {"example.com", "example.org", "example.net"}
    assert len({c["name"] for c in candidates}) > N * 0.9


def test_skills_fit_the_experience(candidates: list[dict[str, Any]]) -> None:
    for c in candidates:
        lo, hi = SENIORITY_YEARS[c["seniority"]]
        assert lo <= c["years_experience"] <= hi
        assert 4 <= len(c["skills"]) <= 14
        for skill in c["skills"]:
            assert skill.get("years", 0) <= c["years_experience"]
            assert skill.get("last_used", ANCHOR_DATE.year) <= ANCHOR_DATE.year
        # The primary language comes first; its framework has no more years than it.
        lang, framework = c["skills"][0], c["skills"][1]
        if "years" in lang and "years" in framework:
            assert framework["years"] <= lang["years"]


def test_skill_names_are_mostly_canonical_with_common_variants(candidates: list[dict[str, Any]]) -> None:
    names = [s["name"] for c in candidates for s in c["skills"]]
    canonical = sum(n in SPELLINGS for n in names) / len(names)
    assert 0.62 < canonical < 0.78
    seen = set(names)
    assert {"Postgres", "k8s", "NodeJS", "RoR", "Golang", "C Sharp"} & seen
    typos = {t for spelling in SPELLINGS.values() for t in spelling.typos}
    assert 0 < sum(n in typos for n in names) / len(names) < 0.08


def test_developers_list_more_web_skills_engineers_more_architecture(
    candidates: list[dict[str, Any]],
) -> None:
    def share(track: str, wanted: set[str]) -> float:
        profiles = [c for c in candidates if c["track"] == track]
        hits = sum(any(s["name"] in wanted for s in c["skills"]) for c in profiles)
        return hits / len(profiles)

    web = {"HTML5", "CSS3", "jQuery", "OpenAPI", "GraphQL"}
    architecture = {"Microservices", "Distributed systems", "System design", "Terraform", "Cassandra"}
    assert share("developer", web) > share("engineer", web) + 0.2
    assert share("engineer", architecture) > share("developer", architecture) + 0.2


def test_rates_and_currencies_are_plausible(candidates: list[dict[str, Any]]) -> None:
    currencies = Counter(c["currency"] for c in candidates)
    assert currencies.most_common(1)[0][0] == "USD"
    assert {"EUR", "INR"} <= set(currencies)
    usd = {
        level: statistics.median(
            c["hourly_rate"] for c in candidates if c["seniority"] == level and c["currency"] == "USD"
        )
        for level in ("junior", "mid", "senior", "lead")
    }
    assert usd["junior"] < usd["mid"] < usd["senior"] < usd["lead"]


def test_requirements_have_realistic_shape(requirements: list[dict[str, Any]]) -> None:
    tracks = Counter(r["track"] for r in requirements)
    assert 0.4 < tracks["engineer"] / N < 0.6
    assert {r["client"] for r in requirements} == set(DEFAULT_CLIENTS)
    statuses = Counter(r["status"] for r in requirements)
    assert statuses.most_common(1)[0][0] == "open"
    for r in requirements:
        assert 2 <= len(r["must_have"]) <= 5
        assert len(r["nice_to_have"]) <= 4
        assert 1 <= r["headcount"] <= 3
        assert 0 <= r["min_overlap_hours"] <= 4
        must = {s["name"] for s in r["must_have"]}
        assert not must & {s["name"] for s in r["nice_to_have"]}
        if r["track"] == "engineer":
            assert "Engineer" in r["title"]
        else:
            assert "Developer" in r["title"]


def test_budgets_let_a_fair_share_of_the_pool_in(
    candidates: list[dict[str, Any]], requirements: list[dict[str, Any]]
) -> None:
    from matcher.schemas import CURRENCY_PER_USD

    def usd(amount: float, currency: str) -> float:
        return amount / CURRENCY_PER_USD[currency]

    fits = []
    for r in requirements[:200]:
        budget = usd(r["max_hourly_rate"], r["currency"])
        pool = [usd(c["hourly_rate"], c["currency"]) for c in candidates if c["seniority"] == r["seniority"]]
        fits.append(sum(rate <= budget for rate in pool) / len(pool))
    assert 0.3 < statistics.median(fits) < 0.95
    assert min(fits) > 0.05


def test_custom_clients_keep_one_time_zone_each() -> None:
    reqs = list(generate_requirements(300, seed=4, clients=["zeta-bank", "omega.retail"]))
    assert {r["client"] for r in reqs} == {"zeta-bank", "omega.retail"}
    for client in ("zeta-bank", "omega.retail"):
        assert len({(r["timezone"], r["currency"]) for r in reqs if r["client"] == client}) == 1
    for r in reqs:
        RequirementIn.model_validate(r)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: generate_candidates(-1, seed=1), "count"),
        (lambda: generate_candidates(1, seed=1, start=-2), "start"),
        (lambda: generate_requirements(1, seed=1, clients=[]), "clients"),
        (lambda: generate_requirements(1, seed=1, clients=["ok", "no spaces"]), "no spaces"),
    ],
)
def test_bad_arguments_are_domain_errors(call: Any, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        call()


def test_write_jsonl_to_a_path_and_to_a_stream(tmp_path: Path) -> None:
    records = list(generate_candidates(25, seed=3))
    path = tmp_path / "c.jsonl"
    assert write_jsonl(iter(records), path) == 25
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == records
    stream = io.StringIO()
    assert write_jsonl(records, stream) == 25
    assert stream.getvalue() == path.read_text(encoding="utf-8")
    assert write_jsonl([], tmp_path / "empty.jsonl") == 0
    assert (tmp_path / "empty.jsonl").read_bytes() == b""


def test_parallel_chunks_match_a_single_process(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    write_jsonl(generate_candidates(95, seed=8, start=10), path)
    single = b"".join(data for _, data in jsonl_chunks("candidates", 95, 8, start=10, chunk_size=20))
    chunks = list(jsonl_chunks("candidates", 95, 8, start=10, workers=2, chunk_size=20))
    assert [n for n, _ in chunks] == [20, 20, 20, 20, 15]
    assert b"".join(data for _, data in chunks) == single == path.read_bytes()


runner = CliRunner()


def test_cli_writes_valid_jsonl_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "cands.jsonl"
    result = runner.invoke(app, ["generate", "candidates", "--count", "40", "--seed", "5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records == list(generate_candidates(40, seed=5, anchor=TODAY))  # around today by default
    for record in records:
        CandidateIn.model_validate(record)
    later = runner.invoke(app, ["generate", "candidates", "-n", "5", "-s", "5", "--anchor", "2030-06-01"])
    assert later.exit_code == 0, later.output
    moved = [json.loads(line) for line in later.stdout.splitlines()]
    assert moved == list(generate_candidates(5, seed=5, anchor=date(2030, 6, 1)))


def test_cli_writes_requirements_to_stdout() -> None:
    result = runner.invoke(
        app,
        ["generate", "requirements", "--count", "12", "--seed", "2", "--clients", "acme-fintech, zeta-bank"],
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 12
    assert {r["client"] for r in records} <= {"acme-fintech", "zeta-bank"}
    for record in records:
        RequirementIn.model_validate(record)


def test_cli_rejects_bad_input_with_one_line(tmp_path: Path) -> None:
    bad_client = runner.invoke(app, ["generate", "requirements", "--count", "3", "--clients", "bad client"])
    assert bad_client.exit_code == 1
    assert "error:" in bad_client.output
    missing_dir = runner.invoke(
        app, ["generate", "candidates", "--count", "3", "--out", str(tmp_path / "nope" / "x.jsonl")]
    )
    assert missing_dir.exit_code == 1
    assert "does not exist" in missing_dir.output
