"""Skills with years from a plain-text CV: the service, the CLI and the API."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from matcher.cli import app
from matcher.drafting import skills_from_cv
from matcher.schemas import CandidateSkillIn

CV = """Asha Rao
Backend engineer, Bengaluru

Summary
Nine years building payment systems; Go at my first job.

Technical skills
- Python (7 years), Django, FastAPI
- PostgreSQL: 6 years; Redis
- 3 years of Kubernetes and Docker
- Kafka - 2 yrs
- python scripting

Experience
2019-2026 Acme Payments: Java services, gRPC
"""


def test_skills_section_with_years() -> None:
    found = skills_from_cv(CV)
    assert [(s.name, s.years) for s in found.skills] == [
        ("Python", 7),
        ("Django", None),
        ("FastAPI", None),
        ("PostgreSQL", 6),
        ("Redis", None),
        ("Kubernetes", 3),
        ("Docker", 3),
        ("Apache Kafka", 2),
    ]
    assert found.section is not None and found.section.text.startswith("Technical skills")
    for s in found.skills:
        for where in s.spans:
            assert CV[where.start : where.end] == where.text
        CandidateSkillIn(name=s.name, years=s.years or 0)  # import-format skills


def test_whole_text_without_a_skills_section() -> None:
    found = skills_from_cv("I wrote Go for 4 years and some Rust.")
    assert [(s.name, s.years) for s in found.skills] == [("Go", 4), ("Rust", None)]
    assert found.section is None
    assert skills_from_cv("").skills == []


def test_cli(tmp_path: Path) -> None:
    path = tmp_path / "cv.txt"
    path.write_text(CV, encoding="utf-8")
    out = CliRunner().invoke(app, ["cv-skills", str(path)])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)[0] == {"name": "Python", "years": 7.0}
    out = CliRunner().invoke(app, ["cv-skills", str(path), "--json"])
    assert json.loads(out.stdout)["skills"][3]["spans"][1]["text"] == "6 years"
    out = CliRunner().invoke(app, ["cv-skills", str(tmp_path / "missing.txt")])
    assert out.exit_code == 1 and "no such file" in out.stderr
