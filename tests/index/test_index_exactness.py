"""The index against the reference scorer: same eligibility, same scores, same ranked results.

Every example draws a pool, a requirement, relation credits, a weighting and a date; the index
must agree with ``matcher.core`` on every candidate (eligibility exactly, score and must-have
value to 1e-9) and return exactly the reference's ``rank`` output for several ``top`` and
``include_ineligible`` settings. The pool is indexed both in one build and spread over several
segments with pending rows and tombstones, so the multi-segment paths are held to the same bar.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.core import (
    CandidateProfile,
    Component,
    Relations,
    RequirementProfile,
    WeightProfile,
    default_profile,
    rank,
    score_candidate,
)
from matcher.errors import Conflict, ValidationFailed
from matcher.index import CandidateIndex, pruning, scoring
from matcher.index.scoring import py_sum
from matcher.schemas import Track
from tests.index.index_strategies import candidates, pools, relations, requirements, todays, weightings

EXACT = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOLERANCE = 1e-9


def _assert_same_scores(
    index: CandidateIndex,
    pool: Sequence[CandidateProfile],
    requirement: RequirementProfile,
    profile: WeightProfile,
    rel: Relations,
    today: dt.date,
) -> None:
    got = index.score_pool(requirement, profile, rel, today)
    assert sorted(got.external_ids) == sorted(c.external_id for c in pool)
    by_id = {c.external_id: c for c in pool}
    for ext, score, must, eligible in zip(
        got.external_ids, got.score, got.must_have, got.eligible, strict=True
    ):
        want = score_candidate(requirement, by_id[ext], profile, rel, today)
        assert bool(eligible) == want.eligible, (ext, want.exclusions)
        assert abs(float(score) - want.score) <= TOLERANCE, ext
        assert abs(float(must) - want.components[Component.must_have.value].value) <= TOLERANCE, ext


def _assert_same_ranking(
    index: CandidateIndex,
    pool: Sequence[CandidateProfile],
    requirement: RequirementProfile,
    profile: WeightProfile,
    rel: Relations,
    today: dt.date,
) -> None:
    for top in (None, 1, 3, 10):
        for include_ineligible in (False, True):
            want = rank(
                requirement, pool, profile, rel, today, top=top, include_ineligible=include_ineligible
            )
            got = index.rank(requirement, profile, rel, today, top=top, include_ineligible=include_ineligible)
            assert got == want, (top, include_ineligible)
    eligible = sum(r.eligible for r in rank(requirement, pool, profile, rel, today))
    assert index.rank_counted(requirement, profile, rel, today, top=1)[1] == eligible


@st.composite
def cases(
    draw: st.DrawFn,
) -> tuple[RequirementProfile, list[CandidateProfile], WeightProfile, Relations, dt.date]:
    requirement = draw(requirements())
    pool = draw(pools(requirement))
    return requirement, pool, draw(weightings(requirement.track)), draw(relations), draw(todays)


@contextmanager
def skills_read_by(way: str) -> Iterator[None]:
    """Force one of the two ways of reading skills (``auto``: the cost estimate picks), or
    (``pruned``) choose the top K through score bounds however small the pool, starting from
    K rows scored exactly, so that every round of ``pruning.top_of_group`` runs."""
    costs = {"rows": {"ROW_ENTRY_COST": 0.0, "ROW_SKILL_COST": 0.0}, "columns": {"COLUMN_ENTRY_COST": 0.0}}
    with ExitStack() as stack:
        for name, value in costs.get(way, {}).items():
            stack.enter_context(mock.patch.object(scoring, name, value))
        if way == "pruned":
            stack.enter_context(mock.patch.object(pruning, "PRUNE_FROM", 0))
            stack.enter_context(mock.patch.object(pruning, "FIRST", 1))
            stack.enter_context(mock.patch.object(pruning, "GROWTH", 2))
        yield


WAYS = st.sampled_from(["auto", "rows", "columns", "pruned"])


@EXACT
@given(cases(), WAYS)
def test_one_build_agrees_with_reference(case: tuple, way: str) -> None:  # type: ignore[type-arg]
    requirement, pool, profile, rel, today = case
    index = CandidateIndex.from_profiles(pool)
    assert len(index) == len(pool)
    with skills_read_by(way):
        _assert_same_scores(index, pool, requirement, profile, rel, today)
        _assert_same_ranking(index, pool, requirement, profile, rel, today)


@settings(EXACT, max_examples=60)
@given(cases(), st.randoms(use_true_random=False), WAYS)
def test_segments_pending_and_tombstones_agree_with_reference(
    case: tuple,  # type: ignore[type-arg]
    rnd: random.Random,
    way: str,
) -> None:
    """The same pool reached through batches, single adds, updates of stale versions and
    removals of extra candidates: the index holds several segments, pending rows and tombstones."""
    requirement, pool, profile, rel, today = case
    index = CandidateIndex(max_segments=2, compact_fraction=1.0)
    shuffled = list(pool)
    rnd.shuffle(shuffled)
    cut = len(shuffled) // 2
    stale = [p for p in shuffled[:cut] if rnd.random() < 0.3]
    builder = index.builder()
    for p in shuffled[:cut]:
        builder.add(_stale(p) if p in stale else p)
    index.append(builder)
    for p in shuffled[cut:]:
        index.add([p])
        if rnd.random() < 0.5:
            index.flush()
    index.add([_extra(i, pool[0]) for i in range(2)] if pool else [])
    index.update(stale)
    index.remove([f"extra-{i}" for i in range(2)] if pool else [])
    assert len(index) == len(pool)
    with skills_read_by(way):
        _assert_same_scores(index, pool, requirement, profile, rel, today)
        _assert_same_ranking(index, pool, requirement, profile, rel, today)
        index.compact()
        assert index.stats()["segments"] <= 1
        _assert_same_ranking(index, pool, requirement, profile, rel, today)


def _stale(p: CandidateProfile) -> CandidateProfile:
    return replace(p, skills=(), hourly_rate=p.hourly_rate + 1, years_experience=p.years_experience + 1)


def _extra(i: int, like: CandidateProfile) -> CandidateProfile:
    return replace(like, external_id=f"extra-{i}")


@settings(max_examples=40, deadline=None)
@given(cases())
def test_stored_profiles_round_trip(case: tuple) -> None:  # type: ignore[type-arg]
    """What the index rebuilds for the explanations is the profile it was given."""
    _, pool, _, _, _ = case
    index = CandidateIndex.from_profiles(pool)
    for p in pool:
        back = index.get(p.external_id)
        assert back is not None
        assert back.external_id == p.external_id
        assert back.skills == p.skills
        assert dict(back.vetting_scores) == dict(p.vetting_scores)
        assert [getattr(back, f) for f in _FIELDS] == [getattr(p, f) for f in _FIELDS]
        for f in ("years_experience", "hourly_rate"):
            assert repr(getattr(back, f)) == repr(float(getattr(p, f)))


_FIELDS = (
    "track",
    "seniority",
    "years_experience",
    "hourly_rate",
    "timezone",
    "available_from",
    "vetting_status",
    "currency",
    "hours_per_week",
    "degree",
    "field_of_study",
)


term = st.floats(-1e6, 1e6) | st.sampled_from([0.0, -0.0, 1e16, -1e16, 1.0, 0.1])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(term, min_size=3, max_size=3), min_size=1, max_size=9))
def test_py_sum_is_builtin_sum(terms: list[list[float]]) -> None:
    """Elementwise, ``py_sum`` is what this interpreter's ``sum`` returns (sign of zero too)."""
    out = py_sum([np.array(t, dtype=np.float64) for t in terms])
    for i in range(3):
        want = sum(t[i] for t in terms)
        assert repr(float(out[i])) == repr(want)


@pytest.mark.parametrize("compensated", [False, True])
def test_py_sum_modes(compensated: bool) -> None:
    """Plain left-to-right addition before CPython 3.12, Neumaier's compensated sum since."""
    terms = [np.array([0.1]) for _ in range(10)]
    assert float(py_sum(terms, compensated)[0]) == (1.0 if compensated else 0.9999999999999999)


@given(requirements())
@settings(max_examples=10, deadline=None)
def test_profile_track_relations_and_top_are_checked_like_the_reference(req: RequirementProfile) -> None:
    index = CandidateIndex.from_profiles([])
    other = next(t for t in Track if t is not req.track)
    on = dt.date(2026, 1, 1)
    with pytest.raises(ValidationFailed):
        index.rank(req, default_profile(other), {}, on)
    with pytest.raises(ValidationFailed):
        index.rank(req, default_profile(req.track), {"python": {"go": 1.5}}, on)
    with pytest.raises(ValidationFailed):
        index.rank(req, default_profile(req.track), {}, on, top=0)
    assert index.rank(req, default_profile(req.track), {}, on) == []


@given(requirements().flatmap(lambda r: candidates("same", r)))
@settings(max_examples=5, deadline=None)
def test_duplicate_ids_in_one_build_conflict(one: CandidateProfile) -> None:
    with pytest.raises(Conflict):
        CandidateIndex.from_profiles([one, one])
