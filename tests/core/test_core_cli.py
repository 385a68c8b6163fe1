"""``talentmatch rank`` on files, with the real skill resolver."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from matcher.cli import app
from tests.helpers import example, jsonl

runner = CliRunner()
TODAY = "2026-11-01"


def person(external_id: str, **changes: Any) -> dict[str, Any]:
    record = example("candidate")
    record.update(external_id=external_id, email=f"{external_id}@example.com", **changes)
    return record


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """The shared example requirement (Berlin, 75 USD, Python + PostgreSQL) and a small pool."""
    pool = [
        person("alias-match"),  # the example: Python, Postgres (alias), k8s, Kafka
        person(
            "related-match",
            skills=[
                {"name": "Django", "years": 5, "last_used": 2026},
                {"name": "PostgreSQL", "years": 4, "last_used": 2026},
            ],
        ),
        person("too-expensive", hourly_rate=95),
        person("wrong-track", track="developer"),
    ]
    req = tmp_path / "req.json"
    req.write_text(json.dumps(example("requirement")))
    cands = tmp_path / "cands.jsonl"
    cands.write_text(jsonl(pool))
    return {"req": req, "cands": cands, "dir": tmp_path}


def run(files: dict[str, Path], *extra: str) -> Any:
    args = ["rank", "--requirement", str(files["req"]), "--candidates", str(files["cands"])]
    # A wide console, so that table cells are not wrapped in the middle of what is checked.
    return runner.invoke(app, [*args, "--today", TODAY, *extra], env={"COLUMNS": "250"})


def ranked_json(files: dict[str, Path], *extra: str) -> list[dict[str, Any]]:
    result = run(files, "--json", *extra)
    assert result.exit_code == 0, result.output
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def test_json_is_best_first_and_leaves_out_the_ineligible(files: dict[str, Path]) -> None:
    data = ranked_json(files)
    assert [(d["rank"], d["external_id"]) for d in data] == [
        (1, "alias-match"),
        (2, "wrong-track"),  # the example candidate, 15 points lower for the other track
        (3, "related-match"),
    ]
    for item in data:
        assert 0 <= item["score"] <= 100
        assert set(item["components"]["role_fit"]) == {"value", "weight", "points"}
        assert item["reasons"] and item["eligible"]
    assert data[0]["score"] > data[1]["score"]


def test_reasons_name_how_skills_were_resolved(files: dict[str, Path]) -> None:
    by_id = {d["external_id"]: d for d in ranked_json(files)}
    alias, related, other = by_id["alias-match"], by_id["related-match"], by_id["wrong-track"]
    assert other["score"] == pytest.approx(alias["score"] - 15.0)
    assert "developer-vetted for an engineer role: -15.0 points" in other["reasons"]
    assert any(
        r.startswith("must-have PostgreSQL: PostgreSQL, alias; 6 of 3 years") for r in alias["reasons"]
    )
    assert any(r.startswith("must-have Python: Django -> Python, related") for r in related["reasons"])
    python = next(m for m in related["skill_matches"] if m["required_key"] == "python")
    assert (python["matched"], python["matched_key"]) == ("Django", "django")
    assert 0 < python["relation"] < 1


def test_include_ineligible_marks_them_with_reasons(files: dict[str, Path]) -> None:
    spec = example("requirement")
    spec["track_is_hard"] = True
    files["req"].write_text(json.dumps(spec))
    hard = {d["external_id"]: d for d in ranked_json(files, "--include-ineligible")}
    assert hard["wrong-track"]["exclusions"] == ["vetted for the developer track, requirement is engineer"]
    files["req"].write_text(json.dumps(example("requirement")))
    data = ranked_json(files, "--include-ineligible")
    tail = {d["external_id"]: d for d in data[3:]}
    assert set(tail) == {"too-expensive"}
    assert all(d["rank"] is None and not d["eligible"] for d in tail.values())
    assert tail["too-expensive"]["exclusions"] == ["rate 95 USD/h above budget 75 USD/h"]


def test_top_limits_the_ranked(files: dict[str, Path]) -> None:
    assert [d["external_id"] for d in ranked_json(files, "--top", "1")] == ["alias-match"]


def test_table_shows_ranks_scores_and_reasons(files: dict[str, Path]) -> None:
    spec = example("requirement")
    spec["nice_to_have"].append({"name": "Frobnicator"})
    files["req"].write_text(json.dumps(spec))
    result = run(files, "--include-ineligible")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "req-payments-01" in out and "backend-engineer@v1" in out
    assert "alias-match" in out and "ineligible: rate 95 USD/h" in out
    assert "3 ranked (of 4 candidates)" in out
    assert "not in the skill taxonomy, matched by name only: Frobnicator" in out


def test_today_moves_recency(files: dict[str, Path]) -> None:
    now = {d["external_id"]: d["score"] for d in ranked_json(files)}
    later = run(files, "--json", "--today", "2035-01-01")
    # --today given twice: the last one wins, as for any click option.
    assert later.exit_code == 0, later.output
    then = {d["external_id"]: d["score"] for d in json.loads(later.stdout)}
    assert then["alias-match"] < now["alias-match"]


def test_profile_file_overrides_the_default(files: dict[str, Path]) -> None:
    profile = files["dir"] / "cheap.json"
    profile.write_text(
        json.dumps(
            {
                "name": "price-only",
                "version": 1,
                "track": "engineer",
                "components": {"rate": 1},
                "dimensions": {"communication": 1},
            }
        )
    )
    weak = {"status": "passed", "scores": {"system_design": 2, "architecture": 2}}
    pool = [person("cheap", hourly_rate=40, vetting=weak), person("dear", hourly_rate=70)]
    files["cands"].write_text(jsonl(pool))
    assert [d["external_id"] for d in ranked_json(files)] == ["dear", "cheap"]
    data = ranked_json(files, "--profile", str(profile))
    assert [d["external_id"] for d in data] == ["cheap", "dear"]
    assert {d["profile"] for d in data} == {"price-only@v1"}


def test_profile_for_the_other_track_is_refused(files: dict[str, Path]) -> None:
    profile = files["dir"] / "dev.json"
    profile.write_text(
        json.dumps(
            {
                "name": "dev",
                "version": 1,
                "track": "developer",
                "components": {"rate": 1},
                "dimensions": {"testing": 1},
            }
        )
    )
    result = run(files, "--profile", str(profile))
    assert result.exit_code == 1
    assert "weight profile dev@v1 is for the developer track" in result.stderr


@pytest.mark.parametrize(
    ("which", "content", "message"),
    [
        (
            "cands",
            jsonl([person("ok"), person("bad", years_experience=-1)]),
            "line 2: years_experience: Input should be greater than or equal to 0",
        ),
        ("cands", '{"external_id": "x", oops}\n', "line 1: (record): invalid JSON"),
        ("cands", jsonl([person("ok"), person("typed", hourly_rate="55")]), "line 2: hourly_rate: "),
        ("req", json.dumps({**example("requirement"), "budget": 1}), "budget: unknown field"),
        (
            "req",
            jsonl([example("requirement"), {**example("requirement"), "external_id": "r2"}]),
            "expected one requirement, found 2",
        ),
    ],
)
def test_bad_input_is_one_readable_line(
    files: dict[str, Path], which: str, content: str, message: str
) -> None:
    files[which].write_text(content)
    result = run(files)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_bad_today_and_missing_file(files: dict[str, Path]) -> None:
    result = run(files, "--today", "next week")
    assert result.exit_code == 1 and "is not a date" in result.stderr
    files["cands"].unlink()
    result = run(files)
    assert result.exit_code == 1 and "no such file" in result.stderr


def test_help_states_the_tie_break_and_ties_say_what_decided(files: dict[str, Path]) -> None:
    from matcher.cli.rank import RANK_HELP
    from matcher.core.ranking import TIE_BREAK

    assert TIE_BREAK in RANK_HELP
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert TIE_BREAK.replace("score, highest first", "Order and ties**: score, highest first") in " ".join(
        readme.split()
    )
    twin = person("alias-twin")
    files["cands"].write_text(jsonl([person("alias-match"), twin]))
    result = run(files)
    assert result.exit_code == 0, result.output
    assert "tied with alias-match at" in result.stdout
    assert "must-haves equal; behind by external id" in result.stdout
