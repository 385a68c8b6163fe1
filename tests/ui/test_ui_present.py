"""Presentation helpers against the real ranker's output, and the requirement form's mapping of
the API's validation errors to form fields (no database, no browser)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.datastructures import FormData

from api.ui import forms, present
from matcher.core import relations_for, score_candidate
from matcher.core.profiles import default_profile
from matcher.core.results import RankedCandidate
from matcher.models import EntryState
from matcher.schemas import Track
from matcher.services.matching import ranked_entry
from matcher.services.shortlists.writer import RankedEntry
from tests.core.core_builders import TODAY, candidate, has, requirement
from tests.helpers import fixed_ids


def stored(cand_changes: dict[str, Any], state: EntryState) -> tuple[RankedCandidate, RankedEntry]:
    """A core result and the shortlist row the matching service would store for it."""
    req = requirement()
    result = score_candidate(
        req,
        candidate(**cand_changes),
        default_profile(Track.engineer),
        relations_for(req, lambda key: {}),
        TODAY,
    )
    return result, ranked_entry(result, fixed_ids(1)[0], state)


def test_bars_add_up_to_the_score_in_the_core_order() -> None:
    _, row = stored({"skills": (has("python", 1),)}, EntryState.active)
    shown = present.breakdown(dict(reversed(list(row.components.items()))), row.score)
    assert [b.key for b in shown.bars][:3] == ["must_have", "nice_to_have", "role_fit"]
    assert shown.penalty > 0, "a missing must-have should trigger the gate"
    assert sum(b.points for b in shown.bars) - shown.penalty == pytest.approx(row.score, abs=1e-6)
    assert all(0 <= b.percent_of_max <= 100 for b in shown.bars)


def test_reasons_group_matched_missing_and_why_ineligible() -> None:
    result, row = stored(
        {"skills": (has("python", 6),), "hourly_rate": 400, "hours_per_week": 10}, EntryState.ineligible
    )
    grouped = present.reasons(row.reasons, row.state, row.components, required_skills=3)
    assert grouped.excluded == list(result.exclusions)
    assert len(grouped.excluded) == 2
    assert [t.split(":")[0] for t in grouped.matched] == ["must-have Python"]
    assert {t.split(":")[0] for t in grouped.missing} == {
        "missing must-have Postgresql",
        "missing nice-to-have Kafka",
    }
    assert not set(grouped.other) & set(grouped.matched + grouped.missing + grouped.excluded)

    _, active = stored({}, EntryState.active)
    assert present.reasons(active.reasons, active.state, active.components, 3).excluded == []


def test_form_errors_land_on_their_fields() -> None:
    data = FormData(
        [
            ("title", "  "),
            ("external_id", "ref-1"),
            ("track", "developer"),
            ("seniority", "mid"),
            ("max_hourly_rate", "lots"),
            ("timezone", "Mars/Base"),
            ("start_by", "2030-01-01"),
            ("must_have.0.name", ""),
            ("must_have.0.min_years", ""),
            ("must_have.3.name", "Python"),
            ("must_have.3.min_years", "-1"),
            ("nice_to_have.0.name", "Docker"),
            ("education.min_degree", "bachelor"),
            ("education.fields", "computer science, , maths"),
        ]
    )
    f = forms.read_form(data)
    assert [(r.name, r.min_years) for r in f.skills["must_have"]] == [("Python", "-1")]
    record = forms.to_record(f, client="acme")
    assert record["education"] == {"min_degree": "bachelor", "fields": ["computer science", "maths"]}
    assert forms.validate(f, client="acme") is None
    assert set(f.errors) == {"title", "max_hourly_rate", "timezone", "must_have.0.min_years"}
    assert f.errors["timezone"].startswith("unknown IANA time zone")
    assert forms.label_for("must_have.0.min_years") == "Must-have skills: skill 1, min. years"
    assert f.general == []


def test_a_valid_form_is_the_api_body() -> None:
    f = forms.blank(TODAY)
    f.values |= {"title": "Backend developer", "max_hourly_rate": "70"}
    f.skills["must_have"].append(forms.SkillRow("Python", "3"))
    body = forms.validate(f, client="acme")
    assert body is not None and f.errors == {}
    assert body.client == "acme" and body.track is Track.engineer
    assert [(s.name, s.min_years) for s in body.must_have] == [("Python", 3.0)]
    assert body.education is None
    assert body.must_have_is_hard is False


def test_the_must_have_check_box_makes_them_hard() -> None:
    typed = {"title": "Backend developer", "max_hourly_rate": "70", "must_have.0.name": "Python"}
    ticked = forms.read_form({**forms.blank(TODAY).values, **typed, "must_have_is_hard": "true"})
    body = forms.validate(ticked, client="acme")
    assert body is not None and body.must_have_is_hard is True
    unticked = forms.read_form({**forms.blank(TODAY).values, **typed})
    body = forms.validate(unticked, client="acme")
    assert body is not None and body.must_have_is_hard is False
