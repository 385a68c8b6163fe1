"""The file import is as strict as the API's bodies (``matcher.json_types``), on SQLite
and PostgreSQL: NUL in any text (PostgreSQL cannot store it) and JSON values of the wrong JSON
type (which pydantic's lax mode would coerce: ``"years": "5"``, ``"hourly_rate": true``,
``"available_from": 0``) are refused with their line and field, and nothing is written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from fixtures.generator import generate_candidates, generate_requirements
from matcher.errors import ValidationFailed
from matcher.services.imports import exporting, importing
from tests.helpers import import_row_counts, jsonl, run_cli

Record = dict[str, Any]
NUL = "text must not contain NUL (\\u0000)"
NUMBER_GOT_TEXT = "expected a number, got text"


def _set(path: str, value: Any) -> Callable[[Record], None]:
    """Set the dotted ``path`` (list positions as numbers) of a record to ``value``."""

    def change(record: Record) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        target: Any = record
        for p in parents:
            target = target[p]
        target[last] = value

    return change


#: (change, field reported, reason reported)
BAD_CANDIDATES = {
    "nul in name": (_set("name", "Asha\x00Rao"), "name", NUL),
    "nul in headline": (_set("headline", "Backend\x00"), "headline", NUL),
    "nul in a skill name": (_set("skills.0.name", "Go\x00lang"), "skills.0.name", NUL),
    "nul in a language": (_set("languages", ["English", "Hin\x00di"]), "languages.1", NUL),
    "nul in education field": (_set("education.field", "\x00"), "education.field", NUL),
    "nul in a key": (_set("nick\x00name", "x"), "nick\\u0000name", NUL),
    "available_from 0": (
        _set("available_from", 0),
        "available_from",
        "expected a date as YYYY-MM-DD text, got a number",
    ),
    "vetted_on a number": (
        _set("vetting.vetted_on", 20260101),
        "vetting.vetted_on",
        "expected a date as YYYY-MM-DD text, got a number",
    ),
    "hourly_rate true": (_set("hourly_rate", True), "hourly_rate", "expected a number, got true/false"),
    "years as text": (_set("skills.0.years", "5"), "skills.0.years", NUMBER_GOT_TEXT),
    "last_used as text": (_set("skills.1.last_used", "2024"), "skills.1.last_used", NUMBER_GOT_TEXT),
    "years_experience as text": (_set("years_experience", "9"), "years_experience", NUMBER_GOT_TEXT),
    "hours_per_week as text": (_set("hours_per_week", "40"), "hours_per_week", NUMBER_GOT_TEXT),
    "a score as text": (_set("vetting.scores.security", "4"), "vetting.scores.security", NUMBER_GOT_TEXT),
}

BAD_REQUIREMENTS = {
    "nul in title": (_set("title", "Payments\x00"), "title", NUL),
    "nul in a must-have": (_set("must_have.0.name", "Kafka\x00"), "must_have.0.name", NUL),
    "min_years as text": (_set("must_have.0.min_years", "3"), "must_have.0.min_years", NUMBER_GOT_TEXT),
    "max_hourly_rate true": (
        _set("max_hourly_rate", True),
        "max_hourly_rate",
        "expected a number, got true/false",
    ),
    "start_by a number": (
        _set("start_by", 20270101),
        "start_by",
        "expected a date as YYYY-MM-DD text, got a number",
    ),
    "min_overlap_hours as text": (_set("min_overlap_hours", "2"), "min_overlap_hours", NUMBER_GOT_TEXT),
    "headcount as text": (_set("headcount", "2"), "headcount", NUMBER_GOT_TEXT),
}


def _candidates(n: int = 3) -> list[Record]:
    return list(generate_candidates(n, seed=11))


def _requirements(n: int = 3) -> list[Record]:
    records = list(generate_requirements(n, seed=11))
    for r in records:
        r["must_have"] = r["must_have"] or [{"name": "Python", "min_years": 2}]
    return records


@pytest.mark.parametrize("case", sorted(BAD_CANDIDATES))
def test_a_bad_candidate_is_refused_with_line_and_field_and_nothing_changes(
    session: Session, case: str
) -> None:
    change, field, reason = BAD_CANDIDATES[case]
    first, second, third = _candidates()
    importing.import_candidates(session, importing.parse_candidates(jsonl([first])))
    session.commit()
    before = import_row_counts(session)
    exported = list(exporting.iter_candidate_records(session))

    bad = json.loads(json.dumps(second))
    change(bad)
    update = {**first, "hourly_rate": first["hourly_rate"] + 1}  # line 1: would update
    with pytest.raises(ValidationFailed) as info:
        records = importing.parse_candidates(jsonl([update, bad, third]))
        importing.import_candidates(session, records)
    session.rollback()

    assert [(e.line, e.field, e.reason) for e in info.value.errors] == [(2, field, reason)]
    assert "nothing was imported" in info.value.detail
    assert import_row_counts(session) == before
    assert list(exporting.iter_candidate_records(session)) == exported


@pytest.mark.parametrize("case", sorted(BAD_REQUIREMENTS))
def test_a_bad_requirement_is_refused_with_line_and_field_and_nothing_changes(
    session: Session, case: str
) -> None:
    change, field, reason = BAD_REQUIREMENTS[case]
    first, second, third = _requirements()
    importing.import_requirements(session, importing.parse_requirements(jsonl([first])), rematch=False)
    session.commit()
    before = import_row_counts(session)

    bad = json.loads(json.dumps(second))
    change(bad)
    with pytest.raises(ValidationFailed) as info:
        importing.parse_requirements(jsonl([first, third, bad]))

    assert [(e.line, e.field, e.reason) for e in info.value.errors] == [(3, field, reason)]
    assert import_row_counts(session) == before


def test_every_bad_record_is_reported_also_from_a_json_array(session: Session) -> None:
    records = _candidates(4)
    records[0]["name"] = "A\x00"
    records[2]["skills"][0]["years"] = "5"
    records[3]["available_from"] = 0
    text = json.dumps(records, indent=2)
    with pytest.raises(ValidationFailed) as info:
        importing.parse_candidates(text)
    fields = [e.field for e in info.value.errors]
    assert fields == ["name", "skills.0.years", "available_from"]
    lines = text.splitlines()
    for err in info.value.errors:
        assert lines[err.line - 1].strip() == "{"
    assert import_row_counts(session) == dict.fromkeys(import_row_counts(session), 0)


def test_json_numbers_and_dates_that_are_right_still_import(session: Session) -> None:
    record = _candidates(1)[0]
    record["hourly_rate"] = 70  # an integer where a number belongs is a number
    record["hours_per_week"] = 40.0  # an integral float where an integer belongs is accepted
    record["skills"][0]["years"] = 0
    record["vetting"]["vetted_on"] = None
    # Text that an array literal (the set-based writes on PostgreSQL) must quote or escape:
    record["headline"] = 'Quotes " and \\ backslashes, {braces}, commas, NULL and ünïcödé \u2028 too'
    record["skills"][1]["name"] = '"Odd" \\ {skill},'
    record["languages"] = ['Eng"lish', "NULL", "{}"]
    record["education"]["field"] = "NULL"
    for run in ("created", "updated"):
        result = importing.import_candidates(session, importing.parse_candidates(jsonl([record])))
        session.commit()
        assert getattr(result, run) == 1
        (stored,) = exporting.iter_candidate_records(session)
        assert importing.parse_candidates(jsonl([stored])) == importing.parse_candidates(jsonl([record]))
        assert stored["hourly_rate"] == 70 and stored["languages"] == ['Eng"lish', "NULL", "{}"]


def test_a_raw_line_separator_inside_a_string_does_not_split_the_line(session: Session) -> None:
    record = _candidates(1)[0]
    record["headline"] = "line\u2028separator and next\u2029paragraph"  # (NEL, a C1 control, is refused)
    text = json.dumps(record, ensure_ascii=False) + "\n"
    assert "\u2028" in text
    (parsed,) = importing.parse_candidates(text)
    assert parsed.headline == record["headline"]


def test_the_cli_refuses_nul_and_lax_types_exit_1_and_writes_nothing(
    cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cands = _candidates(4)
    cands[1]["headline"] = "nul \x00 here"
    cands[2]["hourly_rate"] = True
    cands[3]["skills"][0]["years"] = "5"
    path = tmp_path / "cands.jsonl"
    path.write_text(jsonl(cands))
    assert "\\u0000" in path.read_text()

    code, out, err = run_cli(capsys, "import", "candidates", str(path))

    assert (code, out) == (1, "")
    assert "Traceback" not in err
    assert err.splitlines() == [
        "error: 3 invalid candidate record(s), 3 error(s); nothing was imported",
        f"  line 2: headline: {NUL}",
        "  line 3: hourly_rate: expected a number, got true/false",
        f"  line 4: skills.0.years: {NUMBER_GOT_TEXT}",
    ]

    reqs = _requirements(2)
    reqs[0]["must_have"][0]["min_years"] = "3"
    reqs[1]["title"] = "\x00"
    path = tmp_path / "reqs.jsonl"
    path.write_text(jsonl(reqs))
    code, out, err = run_cli(capsys, "import", "requirements", str(path))
    assert (code, out) == (1, "")
    assert f"  line 1: must_have.0.min_years: {NUMBER_GOT_TEXT}" in err.splitlines()
    assert f"  line 2: title: {NUL}" in err.splitlines()

    from matcher.db import get_engine
    from matcher.settings import get_settings

    with Session(get_engine(get_settings().database_url)) as s:
        assert import_row_counts(s) == dict.fromkeys(import_row_counts(s), 0)
