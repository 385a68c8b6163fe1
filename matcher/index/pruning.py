"""Choosing the top K without scoring every eligible candidate, exactly.

Scoring a candidate's skills is most of a ranking's cost: every required skill reads its own
column and the columns of every related skill. For the top K, most eligible candidates never
need it. Per group of rows, every survivor of the filters gets an *upper bound* of its score:
the plain components exactly, and per required skill the credit of its own column (one column
read instead of all of them) or the best credit any related column could give, whichever is
higher, in the same monotone formulas (the must-have gate rises with the must-have value, every
weight is non-negative). The survivors with the highest bounds are then scored exactly, the
same way as everyone else would be (``scoring.score_rows``); when the best bound left out is
below the K-th best exact score by more than the contender margin, nobody left out can be a
contender. Otherwise more are scored, and in the end everyone.

The result is the same contenders as scoring every survivor, so the same ranking; what is saved
is reading the related-skill columns for rows that cannot make the cut.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from matcher.core import components as f
from matcher.core.types import Component
from matcher.index.columns import FloatArray, IntArray
from matcher.index.plan import Plan, SkillPlan
from matcher.index.scoring import Scored, _credit, _group_role_fit, plain_values, score_rows, survivors
from matcher.index.segment import Segment

#: Rows scored exactly first, as a multiple of K; each further round scores this many times more.
FIRST = 8
GROWTH = 4
#: Groups with fewer survivors are scored whole (bounding them would cost about as much).
PRUNE_FROM = 8192
#: Past this share of the survivors, everyone is scored (the bounds no longer save work).
GIVE_UP = 0.25
#: Added to every bound: far above the rounding of any score (at most 100), far below a point.
SLACK = 1e-7

_PLAIN = tuple(c for c in Component if c not in (Component.must_have, Component.nice_to_have))


def top_of_group(
    seg: Segment, plan: Plan, group: int, top: int, margin: float, floor: float = -math.inf
) -> tuple[Scored, int]:
    """The rows of ``group`` that could be among the top ``top`` of the pool, scored as
    ``scoring.eligible_only`` scores them (the track penalty included), and how many rows of the
    group are eligible. ``floor``: a score the pool's K-th best is known to reach (the K-th best
    of rows already scored elsewhere). Rows left out score below the K-th best of the returned
    rows, or below ``floor``, by more than ``margin``."""
    lo, hi = seg.group_range(group)
    if lo == hi:
        return Scored.empty(), 0
    idx = survivors(seg, plan, lo, hi)
    n = len(idx)
    penalty = 0.0 if group == plan.track else f.TRACK_MISMATCH_POINTS
    if plan.hard or min(plan.weights.values()) < 0:
        everyone = _penalised(score_rows(seg, plan, idx, lo, hi), penalty)
        return everyone, len(everyone.rows)
    if 100.0 - penalty < floor - margin:
        return Scored.empty(), n
    if n < PRUNE_FROM:
        return _penalised(score_rows(seg, plan, idx, lo, hi), penalty), n
    bound = _upper_bounds(seg, plan, idx, lo, hi, penalty)
    if math.isfinite(floor):
        reach = np.flatnonzero(bound >= floor - margin)
        if len(reach) <= GIVE_UP * n:
            return _penalised(score_rows(seg, plan, idx.take(reach), lo, hi, by_rows=True), penalty), n
    m = FIRST * top
    while m <= GIVE_UP * n:
        order = np.argpartition(-bound, m)
        chosen = np.sort(order[:m])
        scored = _penalised(score_rows(seg, plan, idx.take(chosen), lo, hi, by_rows=True), penalty)
        kth = max(float(np.partition(scored.score, m - top)[m - top]), floor)
        if float(bound.take(order[m:]).max()) < kth - margin:
            return scored, n
        m *= GROWTH
    return _penalised(score_rows(seg, plan, idx, lo, hi), penalty), n


def kth_best(scored: Scored, top: int) -> float:
    """The ``top``-th best score of ``scored`` (-inf when it has fewer rows)."""
    n = len(scored.score)
    return -math.inf if n < top else float(np.partition(scored.score, n - top)[n - top])


def _penalised(scored: Scored, penalty: float) -> Scored:
    if not penalty:
        return scored
    score = np.maximum(0.0, scored.score - penalty)
    return Scored(scored.rows, score, scored.must_have, scored.eligible)


def _upper_bounds(seg: Segment, plan: Plan, idx: IntArray, lo: int, hi: int, penalty: float) -> FloatArray:
    """A number at least each row's score (see the module docstring)."""
    role = _group_role_fit(seg, plan, lo, hi).take(idx - lo)
    values = plain_values(seg, plan, idx, role)
    w = plan.weights
    partial = sum((w[c] * values[c] for c in _PLAIN), np.zeros(len(idx)))
    must, nice = _skill_bounds(seg, plan, idx, lo, hi)
    base = 100.0 * (partial + w[Component.must_have] * must + w[Component.nice_to_have] * nice)
    bound = np.minimum(100.0, base * (1.0 - f.MUST_HAVE_GATE * (1.0 - must)))
    if penalty:
        bound = np.maximum(0.0, bound - penalty)
    return bound + SLACK


def _skill_bounds(seg: Segment, plan: Plan, idx: IntArray, lo: int, hi: int) -> tuple[FloatArray, FloatArray]:
    """Per row, a bound of the must-have value and of the nice-to-have value: per required skill
    the max of its own column's credit (read) and of what any other column of it could give."""
    n = len(idx)
    pos = seg.scratch()
    pos[lo:hi] = n
    pos[idx] = np.arange(n, dtype=np.int32)
    try:
        must = [_skill_bound(seg, skill, pos, n, lo, hi) for skill in plan.must_have]
        nice = [_skill_bound(seg, skill, pos, n, lo, hi) for skill in plan.nice_to_have]
    finally:
        pos[lo:hi] = -1
    return _mean(must, n), _mean(nice, n)


def _skill_bound(seg: Segment, skill: SkillPlan, pos: np.ndarray, n: int, lo: int, hi: int) -> FloatArray:
    if not skill.columns:
        return np.zeros(n)
    own = skill.columns[0]
    credit, _ = _credit(
        SkillPlan(skill.required, (own,), skill.relation, skill.years),
        {own[0]: seg.column_parts(own[0], lo, hi)},
        pos,
        n,
        False,
    )
    others = max((float(table.max()) for _, table in skill.columns[1:] if len(table)), default=0.0)
    return np.maximum(credit, others) if others > 0 else credit


def _mean(bounds: list[FloatArray], n: int) -> FloatArray:
    if not bounds:
        return np.full(n, f.mean_credit([]))
    return sum(bounds, np.zeros(n)) / len(bounds)


Parts = list[tuple[Segment, Scored]]


def pruned(segments: Sequence[Segment], plan: Plan, top: int, margin: float) -> tuple[Parts, int]:
    """Per segment and group, the rows that could be in the top ``top``, scored
    (``top_of_group``); and how many candidates are eligible. The requirement's own track goes
    first: its K-th best is a floor the other track's rows (scored lower) must reach."""
    parts: Parts = []
    eligible, floor = 0, -math.inf
    groups = [plan.track] if plan.other_track is None else [plan.track, plan.other_track]
    for group in groups:
        for seg in segments:
            scored, count = top_of_group(seg, plan, group, top, margin, floor)
            parts.append((seg, scored))
            eligible += count
            floor = max(floor, kth_best(scored, top))
    return parts, eligible


def contenders(parts: Parts, top: int | None, margin: float) -> list[tuple[Segment, IntArray]]:
    """Per part, the rows that could be in the top ``top`` (all eligible rows if None): every
    row within ``margin`` of the K-th best score."""
    total = sum(len(s.rows) for _, s in parts)
    if top is None or total <= top:
        return [(seg, s.rows) for seg, s in parts]
    scores = np.concatenate([s.score for _, s in parts])
    kth = np.partition(scores, total - top)[total - top]
    cut = kth - margin
    return [(seg, s.rows[s.score >= cut]) for seg, s in parts]
