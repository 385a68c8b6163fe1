"""The score bounds behind ``pruning``: never below a candidate's score.

Choosing the top K through bounds is exact only if every bound is at least the score it bounds;
the rankings through the pruned path are held to the reference in ``test_index_exactness``
(way ``pruned``), and here the bounds themselves, candidate by candidate, on the same drawn
pools, requirements, relation credits, weightings and dates.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given

from matcher.core import components as f
from matcher.index import CandidateIndex, pruning
from matcher.index.scoring import score_rows, survivors
from tests.index.test_index_exactness import EXACT, cases


@EXACT
@given(cases())
def test_bounds_are_never_below_the_score(case: tuple) -> None:  # type: ignore[type-arg]
    requirement, pool, profile, rel, today = case
    requirement = replace(requirement, must_have_is_hard=False)
    index = CandidateIndex.from_profiles(pool)
    plan = index._plan(requirement, profile, rel, today)
    groups = [plan.track] if plan.other_track is None else [plan.track, plan.other_track]
    for seg in index._segments:
        for group in groups:
            lo, hi = seg.group_range(group)
            idx = survivors(seg, plan, lo, hi)
            if not len(idx):
                continue
            penalty = 0.0 if group == plan.track else f.TRACK_MISMATCH_POINTS
            bound = pruning._upper_bounds(seg, plan, idx, lo, hi, penalty)
            exact = pruning._penalised(score_rows(seg, plan, idx, lo, hi), penalty)
            assert np.array_equal(exact.rows, idx)
            assert (bound >= exact.score).all(), (bound - exact.score).min()
