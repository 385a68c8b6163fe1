"""Working-day overlap (daylight saving included) and every eligibility reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from matcher.core import components as f
from matcher.core import default_profile, overlap_hours, rank, score_candidate
from matcher.schemas import Degree, Seniority, Track, VettingStatus
from tests.core.core_builders import START, TODAY, candidate, has, needs, requirement

ENGINEER = default_profile(Track.engineer)


@pytest.mark.parametrize(
    ("client", "cand", "day", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin", dt.date(2026, 3, 20), 8.0),
        # Winter: CET (UTC+1) against EST (UTC-5), 6 h apart.
        ("Europe/Berlin", "America/New_York", dt.date(2026, 2, 10), 2.0),
        # The US switched on 8 March, Europe switches on 29 March: 5 h apart.
        ("Europe/Berlin", "America/New_York", dt.date(2026, 3, 20), 3.0),
        # Both on summer time: 6 h apart again.
        ("Europe/Berlin", "America/New_York", dt.date(2026, 4, 10), 2.0),
        # Europe is back on winter time on 25 October, the US only on 1 November.
        ("Europe/Berlin", "America/New_York", dt.date(2026, 10, 28), 3.0),
        # Asymmetric zones: New York as the client sees the same hours.
        ("America/New_York", "Europe/Berlin", dt.date(2026, 3, 20), 3.0),
        # Half-hour and quarter-hour offsets.
        ("Europe/Berlin", "Asia/Kolkata", dt.date(2026, 1, 15), 3.5),
        ("Europe/Berlin", "Asia/Kolkata", dt.date(2026, 7, 15), 4.5),
        ("Europe/Berlin", "Asia/Kathmandu", dt.date(2026, 1, 15), 3.25),
        # 21 h apart: the candidate's next local working day meets the client's.
        ("America/Los_Angeles", "Pacific/Auckland", dt.date(2026, 1, 13), 5.0),
        ("Europe/Berlin", "Pacific/Honolulu", dt.date(2026, 1, 15), 0.0),
    ],
)
def test_overlap_hours(client: str, cand: str, day: dt.date, expected: float) -> None:
    assert overlap_hours(client, cand, day) == pytest.approx(expected)


def test_overlap_uses_the_start_date_for_daylight_saving() -> None:
    """The same pair is eligible for a start in late March and not in April."""
    req = requirement(timezone="Europe/Berlin", min_overlap_hours=3)
    cand = candidate(timezone="America/New_York", available_from=dt.date(2026, 3, 1))
    march = score_candidate(replace(req, start_by=dt.date(2026, 3, 20)), cand, ENGINEER, {}, TODAY)
    april = score_candidate(replace(req, start_by=dt.date(2026, 4, 10)), cand, ENGINEER, {}, TODAY)
    assert march.eligible
    assert april.exclusions == ["overlap 2 h with Europe/Berlin, needs 3 h"]


def exclusions_of(**changes: object) -> list[str]:
    cand = candidate(**changes)
    return score_candidate(requirement(), cand, ENGINEER, {}, TODAY).exclusions


def test_baseline_candidate_is_eligible() -> None:
    assert exclusions_of() == []


@pytest.mark.parametrize("status", [VettingStatus.pending, VettingStatus.failed])
def test_vetting_must_have_passed(status: VettingStatus) -> None:
    assert exclusions_of(vetting_status=status) == [f"vetting {status.value}, must be passed"]


def test_other_track_is_scored_not_excluded_by_default() -> None:
    assert exclusions_of(track=Track.developer) == []
    result = score_candidate(requirement(), candidate(track=Track.developer), ENGINEER, {}, TODAY)
    same = score_candidate(requirement(), candidate(), ENGINEER, {}, TODAY)
    assert result.track_penalty == f.TRACK_MISMATCH_POINTS
    assert result.score == pytest.approx(same.score - f.TRACK_MISMATCH_POINTS)
    assert "developer-vetted for an engineer role: -15.0 points" in result.reasons


def test_other_track_excludes_when_the_requirement_says_so() -> None:
    req = requirement(track_is_hard=True)
    result = score_candidate(req, candidate(track=Track.developer), ENGINEER, {}, TODAY)
    assert result.exclusions == ["vetted for the developer track, requirement is engineer"]


def test_rate_above_budget() -> None:
    assert exclusions_of(hourly_rate=95) == ["rate 95 USD/h above budget 80 USD/h"]


def test_rate_at_budget_is_eligible() -> None:
    assert exclusions_of(hourly_rate=80) == []


def test_rate_is_converted_between_currencies() -> None:
    # 0.92 EUR per USD: 75 EUR is 81.52 USD, above 80; 73 EUR is 79.35 USD, within.
    assert exclusions_of(hourly_rate=75, currency="EUR") == [
        "rate 75 EUR/h (= 81.52 USD/h) above budget 80 USD/h"
    ]
    assert exclusions_of(hourly_rate=73, currency="EUR") == []


def test_overlap_below_minimum() -> None:
    # Start 2026-10-01, Berlin on CEST (UTC+2): Sao Paulo (UTC-3) shares exactly 3 h,
    # Manaus (UTC-4) 2 h, Honolulu none.
    assert exclusions_of(timezone="America/Sao_Paulo") == []
    assert exclusions_of(timezone="America/Manaus") == ["overlap 2 h with Europe/Berlin, needs 3 h"]
    assert exclusions_of(timezone="Pacific/Honolulu") == ["overlap 0 h with Europe/Berlin, needs 3 h"]


def test_available_after_start() -> None:
    later = START + dt.timedelta(days=1)
    assert exclusions_of(available_from=later) == [
        f"available from {later.isoformat()}, after start {START.isoformat()}"
    ]
    assert exclusions_of(available_from=START) == []


def test_hours_per_week() -> None:
    assert exclusions_of(hours_per_week=20) == ["offers 20 h/week, needs 40 h/week"]


def test_every_failing_filter_is_listed() -> None:
    assert len(exclusions_of(hourly_rate=500, hours_per_week=10, track=Track.developer)) == 2
    hard = score_candidate(
        requirement(track_is_hard=True),
        candidate(hourly_rate=500, hours_per_week=10, track=Track.developer),
        ENGINEER,
        {},
        TODAY,
    )
    assert len(hard.exclusions) == 3


def test_missing_must_have_is_scored_not_excluded_by_default() -> None:
    cand = candidate(skills=(has("python", 6),))
    result = score_candidate(requirement(), cand, ENGINEER, {}, TODAY)
    assert result.eligible
    assert any(r.startswith("missing must-have Postgresql:") for r in result.reasons)


def test_missing_must_have_excludes_when_the_requirement_says_so() -> None:
    cand = candidate(skills=(has("python", 6),))
    result = score_candidate(requirement(must_have_is_hard=True), cand, ENGINEER, {}, TODAY)
    assert result.exclusions == ["missing must-have Postgresql (required)"]


def test_related_skill_is_not_missing_for_a_hard_must_have() -> None:
    req = requirement(must_have=(needs("python"),), must_have_is_hard=True)
    cand = candidate(skills=(has("django"),))
    assert score_candidate(req, cand, ENGINEER, {"python": {"django": 0.6}}, TODAY).eligible
    assert not score_candidate(req, cand, ENGINEER, {}, TODAY).eligible


def test_soft_mismatches_are_not_exclusions() -> None:
    """Education, seniority and experience are scored, never deal-breakers."""
    req = requirement(min_degree=Degree.master, education_fields=("computer science",))
    cand = candidate(degree=Degree.none, seniority=Seniority.junior, years_experience=1)
    assert score_candidate(req, cand, ENGINEER, {}, TODAY).eligible


def test_ineligible_candidates_are_left_out_or_unranked() -> None:
    good, pricey = candidate("a"), candidate("b", hourly_rate=200)
    assert [r.external_id for r in rank(requirement(), [pricey, good], ENGINEER, {}, TODAY)] == ["a"]
    both = rank(requirement(), [pricey, good], ENGINEER, {}, TODAY, include_ineligible=True)
    assert [(r.external_id, r.rank, r.eligible) for r in both] == [
        ("a", 1, True),
        ("b", None, False),
    ]
    assert both[1].exclusions == ["rate 200 USD/h above budget 80 USD/h"]
