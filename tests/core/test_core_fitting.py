"""Fitting weights to decisions: recovery of a known weighting, honesty on pure noise, the
minimum, the metrics by hand, and the invariants of any fitted profile (property tests)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixtures.decisions import hidden_profile, outcome_stages, simulate_observations
from matcher.core.fit_data import (
    FEATURES,
    MIN_OUTCOMES,
    STAGE_GRADE,
    Observation,
    final_grade,
    observations_from_decisions,
    profile_of,
    profile_vector,
    theta_of,
)
from matcher.core.fit_evaluation import ndcg_at, recall_at
from matcher.core.fitting import NotEnoughDecisions, fit_profile
from matcher.core.profiles import default_profile
from matcher.core.types import Component
from matcher.schemas import Dimension, Track

CURRENT = default_profile(Track.engineer)
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_recovers_a_known_weighting_and_beats_the_default_on_held_out_requirements() -> None:
    hidden = hidden_profile(CURRENT)
    obs = simulate_observations(theta_of(hidden), requirements=120, per_requirement=30, noise=3.0, seed=1)
    fit = fit_profile(obs, CURRENT, seed=3, bootstrap=10)
    corr = float(np.corrcoef(profile_vector(fit.proposed), profile_vector(hidden))[0, 1])
    start = float(np.corrcoef(profile_vector(CURRENT), profile_vector(hidden))[0, 1])
    print(f"recovery: correlation of fitted and hidden weights {corr:.3f} (current profile: {start:.3f})")
    assert corr >= 0.9
    assert corr > start + 0.2
    ev = fit.evaluation
    print(f"held-out NDCG@10 {ev.proposed.ndcg:.3f} vs default {ev.current.ndcg:.3f}; {ev.verdict}")
    assert ev.beats_current and ev.ndcg_gain_low > 0
    assert ev.proposed.ndcg > ev.current.ndcg
    assert ev.test_requirements == 30 and ev.train_requirements == 90
    assert "beat the current profile" in ev.verdict and "do not" not in ev.verdict
    truth = profile_vector(hidden)
    assert all(0.0 <= i.low <= i.high <= 1.0 for i in fit.intervals)
    assert sum(i.high - i.low for i in fit.intervals) > 0.1  # the bootstrap reports real spread
    misses = [max(i.low - t, t - i.high, 0.0) for i, t in zip(fit.intervals, truth, strict=True)]
    covered = sum(m <= 0.01 for m in misses)
    print(f"hidden weights within their 95% interval (+-0.01): {covered} of {len(misses)}")
    assert covered >= 15 and max(misses) <= 0.03


def test_pure_noise_does_not_beat_the_default_and_says_so() -> None:
    obs = simulate_observations(None, requirements=120, per_requirement=30, noise=3.0, seed=2)
    fit = fit_profile(obs, CURRENT, seed=3, bootstrap=5)
    ev = fit.evaluation
    print(f"noise: held-out NDCG@10 {ev.proposed.ndcg:.3f} vs default {ev.current.ndcg:.3f}; {ev.verdict}")
    assert not ev.beats_current
    assert ev.ndcg_gain_low <= 0
    assert "do not beat the current profile" in ev.verdict and "keep the current profile" in ev.verdict


def test_refuses_to_fit_below_the_minimum() -> None:
    obs = simulate_observations(None, requirements=5, per_requirement=30, seed=1)
    with pytest.raises(NotEnoughDecisions, match=f"at least {MIN_OUTCOMES} decided candidates"):
        fit_profile(obs, CURRENT)
    few_requirements = simulate_observations(None, requirements=4, per_requirement=80, seed=1)
    with pytest.raises(NotEnoughDecisions, match="4 requirements"):
        fit_profile(few_requirements, CURRENT)


def test_the_same_seed_gives_the_same_fit() -> None:
    obs = simulate_observations(
        theta_of(hidden_profile(CURRENT)), requirements=40, per_requirement=10, seed=4
    )
    a = fit_profile(obs, CURRENT, seed=9, bootstrap=3, min_outcomes=100)
    b = fit_profile(obs, CURRENT, seed=9, bootstrap=3, min_outcomes=100)
    assert a.to_json() == b.to_json()


def test_grades_follow_the_last_stage_that_says_something() -> None:
    assert final_grade(["shortlisted", "presented", "client_interested", "declined_by_client"]) == 1
    assert final_grade(["shortlisted", "presented", "withdrawn"]) == 2
    assert final_grade(["reviewing", "new"]) is None
    assert final_grade(["shortlisted", "rejected"]) == 0
    assert final_grade(["shortlisted", "presented", "interview_requested", "offer", "hired"]) == 6


def _snap(value: float) -> tuple[dict[str, float], dict[str, float]]:
    return {c.value: value for c in Component}, {d.value: 5.0 * value for d in Dimension}


def test_observations_take_the_snapshot_of_the_deciding_move() -> None:
    early, late = _snap(0.2), _snap(1.0)
    rows = [
        (T0, "shortlisted", *early, False),
        (T0 + dt.timedelta(days=3), "presented", *late, True),
        (T0 + dt.timedelta(days=4), "withdrawn", *_snap(0.5), False),
    ]
    incomplete = [(T0, "rejected", {"must_have": 1.0}, {}, False)]
    undecided = [(T0, "reviewing", *early, False)]
    obs = observations_from_decisions([("r1", rows), ("r1", incomplete), ("r2", undecided)])
    assert len(obs) == 1
    (o,) = obs
    assert (o.requirement, o.at, o.grade, o.other_track) == ("r1", T0, 2, True)
    assert len(o.features) == len(FEATURES) and all(v == pytest.approx(1.0) for v in o.features)


def test_ndcg_and_recall_by_hand() -> None:
    # gains 2^g - 1: grades [3, 0, 6] -> gains [7, 0, 63]; ideal order [63, 7, 0]
    dcg = 7 / 1 + 0 / np.log2(3) + 63 / 2
    idcg = 63 / 1 + 7 / np.log2(3) + 0 / 2
    assert ndcg_at([3, 0, 6]) == pytest.approx(dcg / idcg)
    assert ndcg_at([0, 0]) is None
    assert recall_at([3, 0, 6], k=1) == pytest.approx(1 / 2)
    assert recall_at([0, 2, 1]) is None
    assert recall_at([0] * 10 + [4]) == 0.0


weights = st.floats(min_value=0.0, max_value=10.0, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(weights, min_size=len(Component), max_size=len(Component)),
    st.lists(weights, min_size=len(Dimension), max_size=len(Dimension)),
)
def test_expanded_weights_map_back_to_the_same_profile(comps: list[float], dims: list[float]) -> None:
    if sum(comps) == 0 or sum(dims) == 0 or comps[list(Component).index(Component.role_fit)] == 0:
        return
    profile = CURRENT.model_validate(
        {
            **CURRENT.model_dump(),
            "components": {c.value: w for c, w in zip(Component, comps, strict=True)},
            "dimensions": {d.value: w for d, w in zip(Dimension, dims, strict=True)},
        }
    )
    theta = theta_of(profile)
    assert theta.min() >= 0 and theta.sum() == pytest.approx(1.0)
    back = profile_of(theta, CURRENT)
    assert profile_vector(back) == pytest.approx(profile_vector(profile), abs=1e-9)


@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=10_000),
    noise=st.floats(min_value=0.5, max_value=50.0),
    signal=st.booleans(),
)
def test_any_fit_is_non_negative_normalised_and_its_intervals_hold_weights(
    seed: int, noise: float, signal: bool
) -> None:
    theta = theta_of(hidden_profile(CURRENT)) if signal else None
    obs = simulate_observations(theta, requirements=24, per_requirement=10, noise=noise, seed=seed)
    fit = fit_profile(obs, CURRENT, seed=seed, bootstrap=3, min_outcomes=100)
    p = fit.proposed
    assert all(w >= 0 for w in p.components.values()) and all(w >= 0 for w in p.dimensions.values())
    assert sum(p.components.values()) == pytest.approx(1.0)
    assert sum(p.dimensions.values()) == pytest.approx(1.0)
    assert (p.name, p.version, p.track) == (CURRENT.name, CURRENT.version + 1, CURRENT.track)
    for i in fit.intervals:
        assert 0.0 <= i.low <= i.high <= 1.0
    ev = fit.evaluation
    assert 0.0 <= ev.current.ndcg <= 1.0 and 0.0 <= ev.proposed.ndcg <= 1.0
    assert 0.0 <= ev.proposed.recall <= 1.0
    assert ev.beats_current == (ev.ndcg_gain_low > 0)


def test_outcomes_of_a_requirement_cover_every_candidate() -> None:
    stages = outcome_stages(30)
    assert len(stages) == 30 and stages[0].value == "hired" and stages[-1].value == "rejected"
    for count in (1, 3, 30, 200):
        grades = [STAGE_GRADE[s] for s in outcome_stages(count)]
        assert len(grades) == count and grades == sorted(grades, reverse=True)  # type: ignore[type-var]


def test_observation_is_plain_data() -> None:
    o = Observation("r", T0, 3, (0.0,) * len(FEATURES))
    assert o.other_track is False
