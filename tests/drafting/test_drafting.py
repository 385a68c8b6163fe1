"""Drafting a requirement from a job description: the test set's precision and recall, spans
that point at the text, and the individual rules."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import TypeAdapter

from matcher.drafting import draft_requirement
from matcher.schemas import RequirementIn
from tests.drafting.evaluate import HELD_OUT, TODAY, cases, evaluate


def test_the_test_set_is_varied_and_large_enough() -> None:
    found = cases()
    assert len(found) >= 25
    names = [stem for stem, _, _ in found]
    assert sum(n.endswith(("md",)) or "bullets" in n for n in names) >= 1
    assert sum("yearly" in n or "salary" in n for n in names) >= 3
    assert sum("german" in n for n in names) >= 2


def test_precision_and_recall_on_the_test_set() -> None:
    tallies = evaluate()
    for name in ("skills", "years"):
        t = tallies[name]
        assert t.precision >= 0.9 and t.recall >= 0.9, (name, t.precision, t.recall, t.misses)
    for name, t in tallies.items():
        assert t.precision >= 0.85 and t.recall >= 0.85, (name, t.precision, t.recall, t.misses)


@pytest.mark.parametrize(("stem", "text"), [(stem, text) for stem, text, _ in cases()])
def test_every_span_is_the_text_it_points_at(stem: str, text: str) -> None:
    draft = draft_requirement(text, today=TODAY)
    assert draft.fields, stem
    for f in draft.fields:
        assert f.spans, f.field
        for s in f.spans:
            assert text[s.start : s.end] == s.text
    # a complete draft is a valid requirement in the import format once it has an id and client
    if not draft.missing:
        TypeAdapter(RequirementIn).validate_python({**draft.requirement, "external_id": "x", "client": "c"})


def test_years_per_skill() -> None:
    draft = draft_requirement(
        "Requirements:\n- 5+ years of Python\n- at least three years with PostgreSQL\n- Redis (2 years)\n",
        today=TODAY,
    )
    assert draft.requirement["must_have"] == [
        {"name": "Python", "min_years": 5},
        {"name": "PostgreSQL", "min_years": 3},
        {"name": "Redis", "min_years": 2},
    ]
    years = {f.field: f.spans[0].text for f in draft.fields if f.field.endswith("min_years")}
    assert years == {
        "must_have[0].min_years": "5+ years",
        "must_have[1].min_years": "at least three years",
        "must_have[2].min_years": "2 years",
    }


def test_must_and_nice_sections_and_cues() -> None:
    text = (
        "Must have: Python, Django.\nNice to have: Kafka.\n"
        "Experience with Redis is a plus. Docker is required."
    )
    draft = draft_requirement(text, today=TODAY)
    assert [s["name"] for s in draft.requirement["must_have"]] == ["Python", "Django", "Docker"]
    assert [s["name"] for s in draft.requirement["nice_to_have"]] == ["Apache Kafka", "Redis"]


def test_everyday_words_are_not_skills() -> None:
    text = "You will go to the rest of the team and make things; solid experience with Go and REST is a must."
    names = [s["name"] for s in draft_requirement(text, today=TODAY).requirement["must_have"]]
    assert names == ["Go", "REST APIs"]


def test_budget_rates_and_conversions() -> None:
    hourly = draft_requirement("Rate: $60-75/h", today=TODAY)
    assert (hourly.requirement["max_hourly_rate"], hourly.requirement["currency"]) == (75, "USD")
    euro = draft_requirement("We pay €70 per hour.", today=TODAY)
    assert (euro.requirement["max_hourly_rate"], euro.requirement["currency"]) == (70, "EUR")
    yearly = draft_requirement("Salary: 104,000 EUR per year, 40 hours per week", today=TODAY)
    assert yearly.requirement["max_hourly_rate"] == 50
    note = next(f.note for f in yearly.fields if f.field == "max_hourly_rate")
    assert note is not None and "yearly salary" in note and "please check" in note
    part_time = draft_requirement("Gehalt 52.000 € brutto/Jahr, 20 Std./Woche", today=TODAY)
    assert part_time.requirement["max_hourly_rate"] == 50 and part_time.requirement["hours_per_week"] == 20


def test_time_zone_and_overlap() -> None:
    plus_minus = draft_requirement("Remote, CET ± 3 h.", today=TODAY).requirement
    assert (plus_minus["timezone"], plus_minus["min_overlap_hours"]) == ("Europe/Berlin", 5)
    overlap = draft_requirement("You need 4 hours overlap with EST.", today=TODAY).requirement
    assert (overlap["timezone"], overlap["min_overlap_hours"]) == ("America/New_York", 4)
    named = draft_requirement("Time zone: Asia/Kolkata", today=TODAY).requirement
    assert named["timezone"] == "Asia/Kolkata" and "min_overlap_hours" not in named


def test_start_dates_against_the_given_today() -> None:
    on = dt.date(2027, 5, 10)
    assert draft_requirement("Start: ASAP", today=on).requirement["start_by"] == "2027-05-10"
    assert draft_requirement("Starting in 2 weeks.", today=on).requirement["start_by"] == "2027-05-24"
    assert draft_requirement("Start: 01.03.2028", today=on).requirement["start_by"] == "2028-03-01"
    assert draft_requirement("Start date: June 1, 2027.", today=on).requirement["start_by"] == "2027-06-01"
    past = draft_requirement("Start: 1 March 2020", today=on)
    assert "start_by" not in past.requirement and "start_by" in past.missing


def test_track_follows_the_seed_definitions() -> None:
    engineer = draft_requirement(
        "You will design the architecture, own data storage solutions and optimise performance and "
        "stability; build reusable libraries and test automation.",
        today=TODAY,
    )
    assert engineer.requirement["track"] == "engineer"
    developer = draft_requirement(
        "You will implement APIs and web services for our front-end and mobile teams, integrate data "
        "sources and write clean, maintainable code.",
        today=TODAY,
    )
    assert developer.requirement["track"] == "developer"
    assert "track" in draft_requirement("Python, PostgreSQL.", today=TODAY).missing


def test_education() -> None:
    text = "Requirements:\n- PhD or Master's degree in Computer Science or Mathematics\n"
    assert draft_requirement(text, today=TODAY).requirement["education"] == {
        "min_degree": "master",
        "fields": ["computer science", "mathematics"],
    }


def test_empty_and_unrelated_text() -> None:
    draft = draft_requirement("Hello there.", today=TODAY)
    assert draft.requirement == {"must_have": [], "nice_to_have": []}
    assert set(draft.missing) >= {
        "track",
        "seniority",
        "max_hourly_rate",
        "timezone",
        "start_by",
        "must_have",
    }


def test_held_out_set_keeps_its_floor() -> None:
    """The held-out job descriptions were written after the rules were tuned and never tuned on;
    their first figures (skills 0.86/0.91, years 0.80/0.89) are the honest ones. This floor
    catches a change that makes the drafter worse on text it has not seen."""
    tallies = evaluate(HELD_OUT)
    for name in ("skills", "years"):
        assert tallies[name].precision >= 0.75 and tallies[name].recall >= 0.85, (name, tallies[name].misses)
