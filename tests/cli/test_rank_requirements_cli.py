"""``talentmatch rank-requirements`` on files, with the real skill resolver."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from matcher.cli import app
from tests.helpers import example, jsonl

runner = CliRunner()
TODAY = "2026-11-01"


def requirement(external_id: str, **changes: Any) -> dict[str, Any]:
    record = example("requirement")
    record.update(external_id=external_id, **changes)
    return record


def _files(tmp_path: Path) -> tuple[Path, Path]:
    cand = tmp_path / "cand.json"
    cand.write_text(json.dumps(example("candidate")), encoding="utf-8")
    reqs = tmp_path / "reqs.jsonl"
    reqs.write_text(
        jsonl(
            [
                requirement("exact"),  # the example: Python + PostgreSQL, the candidate has both
                requirement("needs-go", must_have=[{"name": "Go", "min_years": 3}]),
                requirement("too-cheap", max_hourly_rate=40),
                # the other track: scored lower, or excluded when the requirement makes it hard
                requirement("developer-track", track="developer"),
                requirement("developers-only", track="developer", track_is_hard=True),
                requirement("closed", status="closed"),
            ]
        ),
        encoding="utf-8",
    )
    return cand, reqs


def test_ranks_open_requirements_best_first(tmp_path: Path) -> None:
    cand, reqs = _files(tmp_path)
    out = runner.invoke(
        app, ["rank-requirements", "-c", str(cand), "-r", str(reqs), "--json", "--today", TODAY]
    )
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert result["candidate"] == "cand-0042"
    assert result["requirements"] == 5  # the closed one is not considered
    assert [m["requirement"] for m in result["matches"]] == ["exact", "developer-track", "needs-go"]
    exact, other_track, go = result["matches"]
    assert [m["rank"] for m in result["matches"]] == [1, 2, 3]
    assert exact["score"] > other_track["score"] > go["score"]
    assert any("missing must-have Go" in r for r in go["reasons"])
    assert exact["track_penalty"] == 0 and go["track_penalty"] == 0
    assert other_track["track_penalty"] == 15
    assert any(r.startswith("engineer-vetted for a developer role") for r in other_track["reasons"])

    out = runner.invoke(
        app,
        [
            "rank-requirements",
            "-c",
            str(cand),
            "-r",
            str(reqs),
            "--json",
            "--today",
            TODAY,
            "--include-ineligible",
            "--top",
            "1",
        ],
    )
    result = json.loads(out.stdout)
    assert result["matches"][0]["requirement"] == "exact"
    ineligible = {m["requirement"]: m["exclusions"] for m in result["matches"] if not m["eligible"]}
    assert set(ineligible) == {"too-cheap", "developers-only"}
    assert "above budget" in ineligible["too-cheap"][0]
    assert ineligible["developers-only"] == ["vetted for the engineer track, requirement is developer"]


def test_the_score_is_what_rank_gives(tmp_path: Path) -> None:
    cand, reqs = _files(tmp_path)
    reverse = json.loads(
        runner.invoke(
            app, ["rank-requirements", "-c", str(cand), "-r", str(reqs), "--json", "--today", TODAY]
        ).stdout
    )
    req = tmp_path / "one.json"
    req.write_text(
        json.dumps(requirement("needs-go", must_have=[{"name": "Go", "min_years": 3}])), encoding="utf-8"
    )
    forward = json.loads(
        runner.invoke(app, ["rank", "-r", str(req), "-c", str(cand), "--json", "--today", TODAY]).stdout
    )
    go = next(m for m in reverse["matches"] if m["requirement"] == "needs-go")
    assert forward[0]["score"] == go["score"] and forward[0]["reasons"] == go["reasons"]


def test_table_and_errors(tmp_path: Path) -> None:
    cand, reqs = _files(tmp_path)
    out = runner.invoke(app, ["rank-requirements", "-c", str(cand), "-r", str(reqs), "--today", TODAY])
    assert out.exit_code == 0 and "eligible for 3 of 5 requirements" in out.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"external_id": "x"}\n', encoding="utf-8")
    out = runner.invoke(app, ["rank-requirements", "-c", str(cand), "-r", str(bad)])
    assert out.exit_code == 1 and out.stderr.startswith("error: ") and "Traceback" not in out.output
    out = runner.invoke(app, ["rank-requirements", "-c", str(reqs), "-r", str(reqs)])
    assert out.exit_code == 1 and "error:" in out.stderr
    twice = tmp_path / "twice.jsonl"
    twice.write_text(jsonl([requirement("a"), requirement("a")]), encoding="utf-8")
    out = runner.invoke(app, ["rank-requirements", "-c", str(cand), "-r", str(twice)])
    assert out.exit_code == 1 and "duplicate of line 1" in out.stderr
    out = runner.invoke(app, ["rank-requirements", "-c", str(cand), "-r", str(tmp_path / "nope.jsonl")])
    assert out.exit_code == 1 and "no such file" in out.stderr
