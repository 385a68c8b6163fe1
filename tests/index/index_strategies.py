"""Hypothesis strategies for pools, requirements, relations and weightings, with the edge cases
the index must get exactly right: no skills, unknown skills, a skill listed twice, related
skills (down to subnormal credits), daylight-saving time zones and dates around the switches,
currencies at the budget boundary, missing vetting dimensions, -0.0, and exact ties."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import strategies as st

from matcher.core import (
    CandidateProfile,
    CandidateSkill,
    RequiredSkill,
    RequirementProfile,
    SkillRef,
    WeightProfile,
    default_profile,
)
from matcher.core.types import Component
from matcher.schemas import CURRENCY_PER_USD, Degree, Dimension, Seniority, Track, VettingStatus

KEYS = ["python", "django", "flask", "postgresql", "mysql", "go", "unknown:cobol 85", "unknown:perl"]
ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "UTC",
]
CURRENCIES = sorted(CURRENCY_PER_USD)
FIELDS = ["computer science", "Software Engineering", "art & design", "engineering", "mathematics"]
#: Around the 2026 switches: the US on 8 March and 1 November, Europe on 29 March and
#: 25 October, Australia and New Zealand on 5 April and 27 September / 4 October.
DST_DATES = st.sampled_from(
    [
        dt.date(2026, 3, 7),
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 28),
        dt.date(2026, 3, 30),
        dt.date(2026, 4, 6),
        dt.date(2026, 9, 28),
        dt.date(2026, 10, 5),
        dt.date(2026, 10, 26),
        dt.date(2026, 11, 2),
    ]
)
start_dates = DST_DATES | st.dates(dt.date(2026, 1, 1), dt.date(2027, 6, 30))
todays = st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31))

years = st.sampled_from([0.0, -0.0, 0.5, 1, 2, 2.5, 4, 10]) | st.floats(0, 60, allow_nan=False)
weights = st.sampled_from([0.0, 1.0, 0.5, 5e-324, 1e-300]) | st.floats(0, 1, allow_nan=False)
scores = st.sampled_from([0, 0.5, 2.5, 3, 4.5, 5]) | st.floats(0, 5, allow_nan=False)


@st.composite
def skill_refs(draw: st.DrawFn) -> SkillRef:
    key = draw(st.sampled_from(KEYS))
    method = "unknown" if key.startswith("unknown:") else draw(st.sampled_from(["exact", "alias", "fuzzy"]))
    raw = draw(st.sampled_from([key, key.title(), key.upper() + " ", "py3"]))
    name = draw(st.sampled_from(["", key.title(), key]))
    return SkillRef(key=key, raw=raw, name=name, method=method, confidence=draw(st.floats(0, 100)))


candidate_skills = st.builds(
    CandidateSkill,
    skill=skill_refs(),
    years=years,
    last_used=st.none() | st.integers(1990, 2030),
)
required_skills = st.builds(
    RequiredSkill, skill=skill_refs(), min_years=st.sampled_from([0, 1, 3, 5]) | st.floats(0, 20)
)


@st.composite
def requirements(draw: st.DrawFn) -> RequirementProfile:
    fields = draw(st.lists(st.sampled_from(FIELDS), max_size=2))
    return RequirementProfile(
        external_id="req",
        track=draw(st.sampled_from(list(Track))),
        seniority=draw(st.sampled_from(list(Seniority))),
        max_hourly_rate=draw(st.sampled_from([50, 80, 100]) | st.floats(5, 400)),
        timezone=draw(st.sampled_from(ZONES)),
        start_by=draw(start_dates),
        must_have=tuple(draw(st.lists(required_skills, max_size=4))),
        nice_to_have=tuple(draw(st.lists(required_skills, max_size=3))),
        min_years_experience=draw(st.sampled_from([0, 3, 5]) | st.floats(0, 15)),
        currency=draw(st.sampled_from(CURRENCIES)),
        min_overlap_hours=draw(st.sampled_from([0, 0, 1, 2, 2.5, 4, 8])),
        hours_per_week=draw(st.sampled_from([20, 30, 40])),
        min_degree=draw(st.sampled_from(list(Degree))),
        education_fields=tuple(fields),
        must_have_is_hard=draw(st.booleans()),
        track_is_hard=draw(st.booleans()),
    )


@st.composite
def candidates(draw: st.DrawFn, external_id: str, requirement: RequirementProfile) -> CandidateProfile:
    """A candidate, most often on the requirement's side of each hard filter (so that pools
    have eligible candidates to order), sometimes just across it or at its boundary."""
    r = requirement
    other = [t for t in Track if t is not r.track]
    currency = draw(st.sampled_from([r.currency, *CURRENCIES]))
    at_budget = r.max_hourly_rate / CURRENCY_PER_USD[r.currency] * CURRENCY_PER_USD[currency]
    rate = draw(
        st.sampled_from([at_budget, at_budget * 0.5, at_budget * (1 + 1e-12), at_budget * 1.2])
        | st.floats(0.1, max(at_budget * 1.1, 0.2))
    )
    dims = draw(st.lists(st.sampled_from(list(Dimension)), unique=True))
    return CandidateProfile(
        external_id=external_id,
        track=draw(st.sampled_from([r.track] * 4 + other)),
        seniority=draw(st.sampled_from(list(Seniority))),
        years_experience=draw(years),
        hourly_rate=rate,
        timezone=draw(st.sampled_from([r.timezone, *ZONES])),
        available_from=r.start_by + dt.timedelta(days=draw(st.integers(-60, 3))),
        skills=tuple(draw(st.lists(candidate_skills, max_size=6))),
        vetting_status=draw(st.sampled_from([VettingStatus.passed] * 4 + list(VettingStatus))),
        vetting_scores={d: draw(scores) for d in dims},
        currency=currency,
        hours_per_week=draw(st.sampled_from([r.hours_per_week, 10, 40, 45])),
        degree=draw(st.sampled_from(list(Degree))),
        field_of_study=draw(st.none() | st.sampled_from(FIELDS)),
    )


@st.composite
def pools(draw: st.DrawFn, requirement: RequirementProfile, max_size: int = 24) -> list[CandidateProfile]:
    """Distinct ids; some candidates are clones of others (exact ties but for the id)."""
    n = draw(st.integers(0, max_size))
    pool = [draw(candidates(f"c{i:03d}", requirement)) for i in range(n)]
    for i in draw(st.lists(st.integers(0, max(n - 1, 0)), max_size=4)) if n else []:
        pool.append(replace(pool[i], external_id=f"clone-{len(pool):03d}"))
    return pool


relations = st.dictionaries(
    st.sampled_from(KEYS), st.dictionaries(st.sampled_from(KEYS), weights, max_size=4), max_size=5
)


@st.composite
def weightings(draw: st.DrawFn, track: Track) -> WeightProfile:
    """The track's default profile, or random weights (some zero) for it."""
    if draw(st.booleans()):
        return default_profile(track)
    positive = st.floats(0.01, 10)
    components = {c: draw(st.sampled_from([0.0]) | positive) for c in Component}
    components[Component.must_have] = draw(positive)
    dimensions = {d: draw(st.sampled_from([0.0]) | positive) for d in Dimension}
    dimensions[Dimension.communication] = draw(positive)
    return WeightProfile(name="random", version=1, track=track, components=components, dimensions=dimensions)
