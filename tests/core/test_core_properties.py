"""Property tests of the scorer and the ranker over random profiles, pools and weightings."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.core import (
    CandidateProfile,
    CandidateSkill,
    Component,
    RequiredSkill,
    RequirementProfile,
    SkillRef,
    WeightProfile,
    default_profile,
    rank,
    score_candidate,
)
from matcher.core import components as f
from matcher.schemas import Degree, Dimension, Seniority, Track, VettingStatus

FAST = settings(max_examples=150, deadline=None)

KEYS = ["python", "postgresql", "kafka", "django", "go", "redis", "kubernetes", "java"]
ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Auckland",
]
CURRENCIES = ["USD", "EUR", "GBP", "INR"]
FIELDS = ["computer science", "mathematics", "software engineering", "history"]
TODAY = dt.date(2026, 9, 1)

dates = st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31))
years = st.floats(0, 30, allow_nan=False)
keys = st.sampled_from(KEYS)


def skill_ref(key: str) -> SkillRef:
    return SkillRef(key=key, raw=key.title(), name=key.title())


candidate_skills = st.builds(
    CandidateSkill,
    skill=keys.map(skill_ref),
    years=years,
    last_used=st.none() | st.integers(2000, 2030),
)
required_skills = st.builds(
    RequiredSkill, skill=keys.map(skill_ref), min_years=st.floats(0, 10, allow_nan=False)
)
vetting_scores = st.dictionaries(st.sampled_from(list(Dimension)), st.floats(0, 5))
relations = st.dictionaries(
    keys, st.dictionaries(keys, st.floats(0, 1, exclude_min=True), max_size=3), max_size=4
).map(lambda rel: {req: {k: w for k, w in got.items() if k != req} for req, got in rel.items()})


@st.composite
def candidates(draw: st.DrawFn, external_id: str | None = None) -> CandidateProfile:
    return CandidateProfile(
        external_id=external_id or draw(st.text("abcxyz0123", min_size=1, max_size=6)),
        track=draw(st.sampled_from(list(Track))),
        seniority=draw(st.sampled_from(list(Seniority))),
        years_experience=draw(years),
        hourly_rate=draw(st.floats(1, 300)),
        currency=draw(st.sampled_from(CURRENCIES)),
        timezone=draw(st.sampled_from(ZONES)),
        available_from=draw(dates),
        skills=tuple(draw(st.lists(candidate_skills, max_size=6))),
        vetting_status=draw(st.just(VettingStatus.passed) | st.sampled_from(list(VettingStatus))),
        vetting_scores=draw(vetting_scores),
        hours_per_week=draw(st.integers(10, 60)),
        degree=draw(st.sampled_from(list(Degree))),
        field_of_study=draw(st.none() | st.sampled_from(FIELDS)),
    )


@st.composite
def requirements(draw: st.DrawFn) -> RequirementProfile:
    return RequirementProfile(
        external_id="req",
        track=draw(st.sampled_from(list(Track))),
        seniority=draw(st.sampled_from(list(Seniority))),
        max_hourly_rate=draw(st.floats(10, 300)),
        currency=draw(st.sampled_from(CURRENCIES)),
        timezone=draw(st.sampled_from(ZONES)),
        start_by=draw(dates),
        must_have=tuple(draw(st.lists(required_skills, max_size=4))),
        nice_to_have=tuple(draw(st.lists(required_skills, max_size=3))),
        min_years_experience=draw(st.floats(0, 15)),
        min_overlap_hours=draw(st.floats(0, 8)),
        hours_per_week=draw(st.integers(10, 60)),
        min_degree=draw(st.sampled_from(list(Degree))),
        education_fields=tuple(draw(st.lists(st.sampled_from(FIELDS), max_size=2))),
        must_have_is_hard=draw(st.booleans()),
        track_is_hard=draw(st.booleans()),
    )


def weights(names: list[str]) -> st.SearchStrategy[dict[str, float]]:
    return st.dictionaries(st.sampled_from(names), st.floats(0, 10), min_size=1).filter(
        lambda w: sum(w.values()) > 0
    )


@st.composite
def profiles(draw: st.DrawFn, track: Track) -> WeightProfile:
    if draw(st.booleans()):
        return default_profile(track)
    return WeightProfile(
        name="random",
        version=1,
        track=track,
        components=draw(weights([c.value for c in Component])),
        dimensions=draw(weights([d.value for d in Dimension])),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[RequirementProfile, WeightProfile, dict]:
    req = draw(requirements())
    return req, draw(profiles(req.track)), draw(relations)


def fitting(cand: CandidateProfile, req: RequirementProfile) -> CandidateProfile:
    """The candidate moved within the requirement's hard filters (track, status, budget, zone,
    start date, hours), so that pools hold eligible candidates as well as ineligible ones."""
    return replace(
        cand,
        track=req.track,
        vetting_status=VettingStatus.passed,
        hourly_rate=req.max_hourly_rate / 2,
        currency=req.currency,
        timezone=req.timezone,
        available_from=min(cand.available_from, req.start_by),
        hours_per_week=max(cand.hours_per_week, req.hours_per_week),
    )


@st.composite
def pools(draw: st.DrawFn, req: RequirementProfile) -> list[CandidateProfile]:
    size = draw(st.integers(0, 8))
    pool = [draw(candidates(external_id=f"c{i}")) for i in range(size)]
    pool = [fitting(c, req) if draw(st.booleans()) else c for c in pool]
    # Copies under other ids make exact ties likely.
    pool += [replace(c, external_id=f"{c.external_id}-copy") for c in pool[: draw(st.integers(0, 2))]]
    return pool


@FAST
@given(cases(), candidates(), st.booleans())
def test_score_stays_between_0_and_100(case: tuple, cand: CandidateProfile, fit: bool) -> None:
    req, profile, rel = case
    cand = fitting(cand, req) if fit else cand
    result = score_candidate(req, cand, profile, rel, TODAY)
    assert 0.0 <= result.score <= 100.0
    assert all(0.0 <= c.value <= 1.0 for c in result.components.values())
    points = sum(c.points for c in result.components.values())
    assert abs(points - result.must_have_penalty - result.track_penalty - result.score) < 1e-9


@FAST
@given(cases(), candidates(), st.data())
def test_adding_a_required_skill_never_lowers_the_score(
    case: tuple, cand: CandidateProfile, data: st.DataObject
) -> None:
    req, profile, rel = case
    wanted = [s.key for s in (*req.must_have, *req.nice_to_have)] or KEYS
    added = data.draw(
        st.builds(
            CandidateSkill,
            skill=st.sampled_from(wanted).map(skill_ref),
            years=years,
            last_used=st.none() | st.integers(2000, 2030),
        )
    )
    position = data.draw(st.integers(0, len(cand.skills)))
    skills = (*cand.skills[:position], added, *cand.skills[position:])
    before = score_candidate(req, cand, profile, rel, TODAY)
    after = score_candidate(req, replace(cand, skills=skills), profile, rel, TODAY)
    assert after.score >= before.score - 1e-9
    assert after.eligible or not before.eligible


@FAST
@given(cases(), candidates(), st.data())
def test_raising_a_weighted_vetting_score_never_lowers_the_score(
    case: tuple, cand: CandidateProfile, data: st.DataObject
) -> None:
    req, profile, rel = case
    weighted = [d for d, w in profile.dimensions.items() if w > 0]
    dim = data.draw(st.sampled_from(weighted))
    old = cand.vetting_scores.get(dim, 0.0)
    new = data.draw(st.floats(old, 5.0))
    raised = replace(cand, vetting_scores={**cand.vetting_scores, dim: new})
    before = score_candidate(req, cand, profile, rel, TODAY)
    after = score_candidate(req, raised, profile, rel, TODAY)
    assert after.score >= before.score - 1e-9


@FAST
@given(cases(), st.data(), st.booleans(), st.none() | st.integers(1, 5))
def test_ineligible_candidates_are_never_ranked(
    case: tuple, data: st.DataObject, include: bool, top: int | None
) -> None:
    req, profile, rel = case
    pool = data.draw(pools(req))
    ranked = rank(req, pool, profile, rel, TODAY, top=top, include_ineligible=include)
    eligible = [r for r in ranked if r.rank is not None]
    assert all(r.eligible and not r.exclusions for r in eligible)
    assert all(r.rank is None and r.exclusions for r in ranked if not r.eligible)
    assert [r.rank for r in eligible] == list(range(1, len(eligible) + 1))
    assert ranked[: len(eligible)] == eligible
    # Best first, with scores equal to 1e-9 ordered by the tie-breakers.
    assert all(a.score >= b.score - 1e-9 for a, b in pairwise(eligible))
    if top is not None:
        assert len(eligible) <= top


@FAST
@given(cases(), st.data(), st.randoms(use_true_random=False))
def test_ranking_does_not_depend_on_input_order(case: tuple, data: st.DataObject, rnd: random.Random) -> None:
    req, profile, rel = case
    pool = data.draw(pools(req))
    shuffled = list(pool)
    rnd.shuffle(shuffled)
    first = rank(req, pool, profile, rel, TODAY, include_ineligible=True)
    second = rank(req, shuffled, profile, rel, TODAY, include_ineligible=True)
    assert [r.to_json() for r in first] == [r.to_json() for r in second]


# --- issue 13: combined entries, recency disclosure, track ------------------------------------


@FAST
@given(cases(), candidates(), keys, keys, years, st.none() | st.integers(2000, 2030))
def test_a_combined_entry_never_scores_below_its_best_single_part(
    case: tuple, cand: CandidateProfile, a: str, b: str, y: float, last_used: int | None
) -> None:
    """ "A/B" is prepared as both skills with the entry's years and last use (see
    ``prepare_candidate``): it must score at least as well as either part alone."""
    req, profile, rel = case

    def with_entry(*parts: str) -> float:
        entry = tuple(CandidateSkill(skill_ref(k), y, last_used) for k in parts)
        return score_candidate(req, replace(cand, skills=(*cand.skills, *entry)), profile, rel, TODAY).score

    combined = with_entry(a, b)
    assert combined >= with_entry(a) - 1e-9
    assert combined >= with_entry(b) - 1e-9


@FAST
@given(cases(), candidates(), st.data())
def test_stating_a_recent_last_use_never_scores_below_leaving_it_out(
    case: tuple, cand: CandidateProfile, data: st.DataObject
) -> None:
    req, profile, rel = case
    if not cand.skills:
        return
    i = data.draw(st.integers(0, len(cand.skills) - 1))
    recent = data.draw(st.integers(TODAY.year - f.RECENCY_UNKNOWN_AGE, TODAY.year + 1))

    def with_last_used(last_used: int | None) -> CandidateProfile:
        skills = list(cand.skills)
        skills[i] = replace(skills[i], last_used=last_used)
        return replace(cand, skills=tuple(skills))

    silent, stated = with_last_used(None), with_last_used(recent)
    assert (
        score_candidate(req, stated, profile, rel, TODAY).score
        >= score_candidate(req, silent, profile, rel, TODAY).score - 1e-9
    )


@FAST
@given(requirements(), candidates(), relations, st.booleans())
def test_same_track_beats_an_otherwise_identical_cross_track_candidate(
    req: RequirementProfile, cand: CandidateProfile, rel: dict, hard: bool
) -> None:
    """For both tracks, with the track's default weighting: the same-track twin scores higher
    and ranks first; the other-track twin is excluded only when the track is hard."""
    req = replace(req, track_is_hard=hard)
    profile = default_profile(req.track)
    same = replace(fitting(cand, req), external_id="b-same")
    other_track = next(t for t in Track if t is not req.track)
    cross = replace(same, track=other_track, external_id="a-cross")
    s = score_candidate(req, same, profile, rel, TODAY)
    c = score_candidate(req, cross, profile, rel, TODAY)
    assert s.score > c.score
    assert c.track_penalty > 0
    assert c.eligible is (s.eligible and not hard)
    ranked = rank(req, [cross, same], profile, rel, TODAY, include_ineligible=True)
    assert ranked[0].external_id == "b-same"
