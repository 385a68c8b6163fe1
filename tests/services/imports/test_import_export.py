"""Import/export in the shared format, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from fixtures.generator import generate_candidates, generate_requirements
from matcher.errors import ValidationFailed
from matcher.models import (
    Candidate,
    CandidatePersonal,
    CandidateSkill,
)
from matcher.services.imports import exporting, importing
from tests.helpers import example, import_row_counts, jsonl


def _import(session: Session, text: str) -> importing.ImportResult:
    result = importing.import_candidates(session, importing.parse_candidates(text))
    session.commit()
    return result


def test_three_bad_records_are_all_reported_and_nothing_is_written(session: Session) -> None:
    good = list(generate_candidates(5, seed=7))
    _import(session, jsonl(good[:2]))
    before = import_row_counts(session)

    batch = [dict(r) for r in good]
    batch[1] = {**good[1], "track": "designer"}  # line 2: bad enum
    batch[2] = {**good[2], "hourly_rate": -5}  # line 3: out of range
    batch[4] = {**good[4], "favourite_colour": "blue"}  # line 5: unknown field
    with pytest.raises(ValidationFailed) as info:
        _import(session, jsonl(batch))
    session.rollback()

    errors = {(e.line, e.field) for e in info.value.errors}
    assert errors == {(2, "track"), (3, "hourly_rate"), (5, "favourite_colour")}
    assert "unknown field" in {e.reason for e in info.value.errors if e.line == 5}
    assert import_row_counts(session) == before


def test_reimport_updates_by_external_id(session: Session) -> None:
    rec = example("candidate")
    assert _import(session, jsonl([rec])).created == 1
    rec["hourly_rate"] = 70
    rec["skills"] = [{"name": "Go", "years": 2}]
    result = _import(session, jsonl([rec]))
    assert (result.created, result.updated) == (0, 1)
    cand = session.exec(select(Candidate)).scalars().one()  # type: ignore[call-overload]
    assert cand.hourly_rate == 70
    skills = session.exec(select(CandidateSkill)).scalars().all()  # type: ignore[call-overload]
    assert [(s.raw_name, s.skill_key) for s in skills] == [("Go", "go")]
    assert session.scalar(select(func.count()).select_from(CandidatePersonal)) == 1


def test_skills_keep_raw_text_and_resolution(session: Session) -> None:
    _import(session, jsonl([example("candidate")]))
    rows = session.execute(
        select(CandidateSkill.raw_name, CandidateSkill.skill_key, CandidateSkill.method)
    ).all()
    by_raw = {r.raw_name: (r.skill_key, r.method) for r in rows}
    assert by_raw["Postgres"] == ("postgresql", "alias")
    assert by_raw["k8s"] == ("kubernetes", "alias")
    assert by_raw["Python"][0] == "python"


def test_candidate_round_trip(session: Session) -> None:
    records = list(generate_candidates(40, seed=3))
    _import(session, jsonl(records))
    exported = list(exporting.iter_candidate_records(session))
    assert len(exported) == 40
    again = importing.parse_candidates(jsonl(exported))
    original = importing.parse_candidates(jsonl(records))
    assert sorted(again, key=lambda c: c.external_id) == sorted(original, key=lambda c: c.external_id)


def test_requirements_one_object_array_and_lines(session: Session) -> None:
    req = example("requirement")
    single = importing.parse_requirements(jsonl([req]).strip())
    assert [r.external_id for r in single] == ["req-payments-01"]
    many = list(generate_requirements(6, seed=1))
    import json

    as_array = importing.parse_requirements(json.dumps(many, indent=2))
    as_lines = importing.parse_requirements(jsonl(many))
    assert as_array == as_lines
    result = importing.import_requirements(session, as_lines)
    session.commit()
    assert result.created == 6
    exported = list(exporting.iter_requirement_records(session))
    assert sorted(
        importing.parse_requirements(jsonl(exported)), key=lambda r: (r.client, r.external_id)
    ) == sorted(as_lines, key=lambda r: (r.client, r.external_id))


def test_duplicate_external_id_in_one_file_is_an_error(session: Session) -> None:
    rec = example("candidate")
    with pytest.raises(ValidationFailed) as info:
        importing.parse_candidates(jsonl([rec, rec]))
    assert [(e.line, e.field) for e in info.value.errors] == [(2, "external_id")]


def test_array_errors_carry_their_line(session: Session) -> None:
    good = example("requirement")
    bad = {**good, "external_id": "req-2", "min_overlap_hours": 12}
    import json

    text = json.dumps([good, bad], indent=2)
    with pytest.raises(ValidationFailed) as info:
        importing.parse_requirements(text)
    (err,) = info.value.errors
    assert err.field == "min_overlap_hours"
    assert text.splitlines()[err.line - 1].strip() == "{"
    assert err.line > 10


def test_combined_entry_is_a_skill_per_part_and_exports_as_written(session: Session) -> None:
    rec = example("candidate")
    rec["skills"] = [
        {"name": "Java/J2EE", "years": 6, "last_used": 2025},
        {"name": "Go", "years": 2},
    ]
    _import(session, jsonl([rec]))
    skills = (
        session.exec(select(CandidateSkill).order_by(CandidateSkill.position, CandidateSkill.id))
        .scalars()
        .all()
    )  # type: ignore[call-overload,arg-type]
    assert [(s.position, s.raw_name, s.skill_key, s.method) for s in skills] == [
        (0, "Java/J2EE", "java", "combined"),
        (0, "Java/J2EE", "jakarta-ee", "combined"),
        (1, "Go", "go", "exact"),
    ]
    (exported,) = exporting.iter_candidate_records(session)
    assert exported["skills"] == rec["skills"]


def test_track_is_hard_is_stored_and_exported_only_when_on(session: Session) -> None:
    hard = {**example("requirement"), "external_id": "req-hard", "track_is_hard": True}
    soft = {**example("requirement"), "external_id": "req-soft"}
    importing.import_requirements(session, importing.parse_requirements(jsonl([hard, soft])))
    session.commit()
    exported = {r["external_id"]: r for r in exporting.iter_requirement_records(session)}
    assert exported["req-hard"]["track_is_hard"] is True
    assert "track_is_hard" not in exported["req-soft"]
    with pytest.raises(ValidationFailed) as info:
        importing.parse_requirements(jsonl([{**soft, "track_is_hard": "yes"}]))
    assert [e.field for e in info.value.errors] == ["track_is_hard"]
