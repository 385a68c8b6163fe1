"""The extremes the validators allow never make a scorer or a trigger raise (issue 16, item 1).

Records are drawn from the edges of every range in ``matcher.schemas`` (first and last date of
the horizon, smallest and largest rate, 1 and 60 hours, 0 and 8 h overlap, the zones furthest
east and west, every currency), validated by the input models themselves, and fed to the
reference scorer and ranker, the vectorised index and the re-match trigger's pre-filter.
"""

from __future__ import annotations

import datetime as dt
import math
from types import SimpleNamespace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.core import (
    default_profile,
    prepare_candidate,
    prepare_requirement,
    rank,
    relations_for,
    score_candidate,
    skill_names,
)
from matcher.index import CandidateIndex
from matcher.schemas import (
    CURRENCY_PER_USD,
    FIRST_DATE,
    LAST_DATE,
    MAX_RATE,
    MIN_RATE,
    CandidateIn,
    Degree,
    Dimension,
    RequirementIn,
    Seniority,
    Track,
)
from matcher.services.runs import triggers
from matcher.skills import default_resolver

EXTREMES = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DATES = st.sampled_from(
    [FIRST_DATE, FIRST_DATE + dt.timedelta(days=1), LAST_DATE - dt.timedelta(days=1), LAST_DATE]
)
ZONES = st.sampled_from(
    [
        "Pacific/Kiritimati",
        "Etc/GMT+12",
        "Etc/GMT-14",
        "Pacific/Pago_Pago",
        "America/St_Johns",
        "Asia/Kathmandu",
        "UTC",
    ]
)
RATES = st.sampled_from([MIN_RATE, MIN_RATE + 1e-9, MAX_RATE, MAX_RATE - 1e-9])
YEARS = st.sampled_from([0.0, 60.0, 1e-9])
CURRENCIES = st.sampled_from(sorted(CURRENCY_PER_USD))
NAMES = st.sampled_from(["Python", "PostgreSQL", "x" * 100, "Zz unknown skill", "k8s"])


@st.composite
def candidates(draw: st.DrawFn, n: int) -> CandidateIn:
    return CandidateIn.model_validate(
        {
            "external_id": f"c{n}",
            "name": "Extreme Person",
            "email": f"x{n}@example.com",
            "track": draw(st.sampled_from(list(Track))).value,
            "seniority": draw(st.sampled_from(list(Seniority))).value,
            "years_experience": draw(YEARS),
            "skills": [
                {
                    "name": draw(NAMES),
                    "years": draw(YEARS),
                    "last_used": draw(st.sampled_from([None, 1970, 2100])),
                }
                for _ in range(draw(st.integers(0, 3)))
            ],
            "vetting": {
                "status": "passed",
                "vetted_on": draw(DATES).isoformat(),
                "scores": {d.value: draw(st.sampled_from([0.0, 5.0])) for d in Dimension},
            },
            "hourly_rate": draw(RATES),
            "currency": draw(CURRENCIES),
            "timezone": draw(ZONES),
            "available_from": draw(DATES).isoformat(),
            "hours_per_week": draw(st.sampled_from([1, 60])),
            "education": {"degree": draw(st.sampled_from(list(Degree))).value, "field": "x" * 100},
        }
    )


@st.composite
def requirements(draw: st.DrawFn) -> RequirementIn:
    skills = st.lists(
        st.fixed_dictionaries({"name": NAMES, "min_years": YEARS}), max_size=3, unique_by=lambda s: s["name"]
    )
    return RequirementIn.model_validate(
        {
            "external_id": "r",
            "client": "acme",
            "title": "t",
            "track": draw(st.sampled_from(list(Track))).value,
            "seniority": draw(st.sampled_from(list(Seniority))).value,
            "min_years_experience": draw(YEARS),
            "must_have": draw(skills),
            "nice_to_have": draw(skills),
            "max_hourly_rate": draw(RATES),
            "currency": draw(CURRENCIES),
            "timezone": draw(ZONES),
            "min_overlap_hours": draw(st.sampled_from([0.0, 1e-9, 8.0])),
            "start_by": draw(DATES).isoformat(),
            "hours_per_week": draw(st.sampled_from([1, 60])),
            "education": {"min_degree": draw(st.sampled_from(list(Degree))).value, "fields": ["y" * 100]},
            "headcount": draw(st.sampled_from([1, 1000])),
            "must_have_is_hard": draw(st.booleans()),
        }
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[RequirementIn, list[CandidateIn], dt.date]:
    requirement = draw(requirements())
    pool = [draw(candidates(i)) for i in range(draw(st.integers(1, 5)))]
    return requirement, pool, draw(DATES)


@EXTREMES
@given(cases())
def test_scorers_take_every_extreme_the_validators_allow(
    case: tuple[RequirementIn, list[CandidateIn], dt.date],
) -> None:
    spec, records, today = case
    resolver = default_resolver()
    resolutions = {r.input: r for r in resolver.resolve_many(skill_names(spec, records))}
    requirement = prepare_requirement(spec, resolutions)
    pool = [prepare_candidate(c, resolutions) for c in records]
    profile = default_profile(spec.track)
    relations = relations_for(requirement, resolver.taxonomy.related_to)
    for candidate in pool:
        result = score_candidate(requirement, candidate, profile, relations, today)
        assert math.isfinite(result.score) and 0.0 <= result.score <= 100.0
        assert all(isinstance(r, str) for r in result.reasons)
    ranked = rank(requirement, pool, profile, relations, today, include_ineligible=True)
    assert len(ranked) == len(pool)
    index = CandidateIndex.from_profiles(pool)
    assert index.rank(requirement, profile, relations, today, include_ineligible=True) == ranked


def _row(record: CandidateIn | RequirementIn, **extra: Any) -> SimpleNamespace:
    return SimpleNamespace(**{**record.model_dump(mode="python"), **extra})


@EXTREMES
@given(cases())
def test_the_trigger_pre_filter_takes_every_extreme_the_validators_allow(
    case: tuple[RequirementIn, list[CandidateIn], dt.date],
) -> None:
    """``_passes`` is the pre-filter without its safety net: it must not need it."""
    spec, records, _ = case
    requirement = _row(spec, id="r", track=spec.track.value)
    for record in records:
        candidate = _row(record, track=record.track.value, vetting_status="passed", erased_at=None)
        assert isinstance(triggers._passes(candidate, requirement), bool)
