"""Vectorised scoring of one segment against one plan: the reference formulas over arrays.

Per-value numbers come from the plan's lookup tables (computed by the core's functions). What is
left here is the arithmetic that combines them, in the reference's order of operations so that
every float comes out bit-identical: the skill credit is ``relation * years * recency`` (the
core's ``skill_credit`` applied to arrays), averages and the weighted sum use ``py_sum`` (what
the built-in ``sum`` does), role fit adds the dimension terms in the profile's order, and the
few closed forms on continuous values (experience, rate, the must-have gate) are written
exactly as in ``matcher.core.components``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.core import components as f
from matcher.core.types import Component
from matcher.index.columns import PASSED, FloatArray, IntArray, ranges
from matcher.index.plan import Plan, SkillPlan
from matcher.index.segment import Segment

BoolArray = npt.NDArray[np.bool_]

#: CPython 3.12 made ``sum`` of floats compensated (Neumaier); before, it adds left to right.
COMPENSATED_SUM = sys.version_info >= (3, 12)


def py_sum(terms: Sequence[FloatArray], compensated: bool = COMPENSATED_SUM) -> FloatArray:
    """Elementwise what ``sum(t[i] for t in terms)`` returns for Python floats.

    ``sum`` starts from the int 0, so the first float is ``0 + x`` (which turns -0.0 into 0.0);
    CPython 3.12+ then keeps a Neumaier compensation term and adds it at the end when it is
    non-zero and finite.
    """
    total = np.add(0.0, terms[0], dtype=np.float64)
    if not compensated:
        for x in terms[1:]:
            total += x
        return total
    comp = np.zeros_like(total)
    for x in terms[1:]:
        t = total + x
        comp += np.where(np.abs(total) >= np.abs(x), (total - t) + x, (x - t) + total)
        total = t
    use = (comp != 0) & np.isfinite(comp)
    return np.where(use, total + comp, total)


def clip01(x: FloatArray) -> FloatArray:
    return np.minimum(1.0, np.maximum(0.0, x))


@dataclass(frozen=True)
class Scored:
    """Rows of one segment with their score, must-have value and eligibility."""

    rows: IntArray
    score: FloatArray
    must_have: FloatArray
    eligible: BoolArray

    @classmethod
    def empty(cls) -> Scored:
        z = np.zeros(0)
        return cls(np.zeros(0, dtype=np.int64), z, z, np.zeros(0, dtype=bool))


def eligible_only(seg: Segment, plan: Plan) -> Scored:
    """The segment's eligible candidates, scored. Reads only the groups of rows of the
    requirement's track and, unless the track is hard, the other track (scored
    ``TRACK_MISMATCH_POINTS`` lower); the filters run on cheap columns first, the components only
    on the survivors."""
    same = _eligible_in_group(seg, plan, plan.track)
    if plan.other_track is None:
        return same
    other = _eligible_in_group(seg, plan, plan.other_track)
    if not len(other.rows):
        return same
    return Scored(
        np.concatenate([same.rows, other.rows]),
        np.concatenate([same.score, np.maximum(0.0, other.score - f.TRACK_MISMATCH_POINTS)]),
        np.concatenate([same.must_have, other.must_have]),
        np.concatenate([same.eligible, other.eligible]),
    )


def _eligible_in_group(seg: Segment, plan: Plan, group: int) -> Scored:
    lo, hi = seg.group_range(group)
    if lo == hi:
        return Scored.empty()
    return score_rows(seg, plan, survivors(seg, plan, lo, hi), lo, hi)


def survivors(seg: Segment, plan: Plan, lo: int, hi: int) -> IntArray:
    """Rows ``lo <= row < hi`` (one group) that pass the filters on plain columns."""
    c, rows = seg.cols, slice(lo, hi)
    ok = c.hours[rows] >= plan.hours
    ok &= c.available[rows] <= plan.start
    ok &= plan.tz_ok.take(c.timezone[rows])
    ok &= ~(seg.rate_usd[rows] / plan.budget_usd > plan.rate_limit)
    if seg.dead:
        ok &= seg.alive[rows]
    return np.flatnonzero(ok) + lo


def score_rows(seg: Segment, plan: Plan, idx: IntArray, lo: int, hi: int, by_rows: bool = False) -> Scored:
    """The rows ``idx`` of one group that survived the filters, scored (those without every
    must-have dropped when must-haves are hard). ``by_rows``: read skills through the rows'
    own skills without estimating the cheaper way (for a few rows)."""
    must, nice, found = _by_rows(seg, plan, idx) if by_rows else _skill_credits(seg, plan, idx, lo, hi)
    if plan.hard:
        idx = idx[found]
        must = [m[found] for m in must]
        nice = [n[found] for n in nice]
    role = _group_role_fit(seg, plan, lo, hi).take(idx - lo)
    score, must_value = _combine(seg, plan, idx, must, nice, role)
    return Scored(idx, score, must_value, np.ones(len(idx), dtype=bool))


def everyone(seg: Segment, plan: Plan) -> Scored:
    """Every live candidate of the segment, scored, with its eligibility."""
    idx = seg.live_rows()
    c = seg.cols
    ok = c.status[idx] == PASSED
    cross = c.track[idx] != plan.track
    if plan.other_track is None:
        ok &= ~cross
    ok &= c.hours[idx] >= plan.hours
    ok &= c.available[idx] <= plan.start
    ok &= np.take(plan.tz_ok, np.take(c.timezone, idx))
    ok &= ~(seg.rate_usd[idx] / plan.budget_usd > plan.rate_limit)
    must, nice, found = _skill_credits(seg, plan, idx, 0, len(seg))
    if plan.hard:
        ok &= found
    score, must_value = _combine(seg, plan, idx, must, nice, _role_fit(seg.cols.vetting[idx], plan))
    score = np.where(cross, np.maximum(0.0, score - f.TRACK_MISMATCH_POINTS), score)
    return Scored(idx, score, must_value, ok)


#: Role-fit arrays a segment keeps (per weighting and group); each costs 8 bytes per row of
#: its group, and a requirement reads one.
ROLE_FIT_CACHE = 4


def _role_fit(vetting: npt.NDArray[np.unsignedinteger], plan: Plan) -> FloatArray:
    """``components.role_fit`` per row: the dimension terms added in the profile's order."""
    total = np.zeros(len(vetting))
    for dim, terms in plan.role_fit:
        total += np.take(terms, vetting[:, dim])
    return clip01(total)


def _group_role_fit(seg: Segment, plan: Plan, lo: int, hi: int) -> FloatArray:
    """Role fit of every row of a group under the plan's weighting, computed once per segment:
    it depends on the candidate and the profile only."""
    key = (plan.role_fit_key, lo, hi)
    cache = seg.role_fit_cache
    found = cache.get(key)
    if found is None:
        found = cache[key] = _role_fit(seg.cols.vetting[lo:hi], plan)
        while len(cache) > ROLE_FIT_CACHE:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return found


#: Cost of reading skills by row, per skill entry of a surviving candidate and per required
#: skill, and by column, per column entry in the group's range (ns, fitted on generated pools
#: of 1M); each ranking takes the cheaper way.
ROW_ENTRY_COST = 23.0
ROW_SKILL_COST = 10.0
COLUMN_ENTRY_COST = 14.0


def _skill_credits(
    seg: Segment, plan: Plan, idx: IntArray, lo: int, hi: int
) -> tuple[list[FloatArray], list[FloatArray], BoolArray]:
    """Per required skill, the credit of each row of ``idx`` (the max over its skills that earn
    credit, 0 when it has none), and whether each row has every must-have (equal or related).

    Two exact ways, chosen by their estimated cost: through the survivors' own skills (CSR
    order), cheap when the filters left few rows; or through the requirement's skill columns,
    cheap when most rows of the group survive.
    """
    skills = (*plan.must_have, *plan.nice_to_have)
    if not skills:
        return [], [], np.ones(len(idx), dtype=bool)
    parts = {col: seg.column_parts(col, lo, hi) for s in skills for col, _ in s.columns}
    column_entries = sum(len(rows) for s in skills for col, _ in s.columns for rows, _ in parts[col])
    row_entries = len(idx) * seg.mean_skills
    row_cost = row_entries * (ROW_ENTRY_COST + ROW_SKILL_COST * len(skills))
    if row_cost < COLUMN_ENTRY_COST * column_entries:
        return _by_rows(seg, plan, idx)
    return _by_columns(seg, plan, idx, lo, hi, parts)


def _by_rows(seg: Segment, plan: Plan, idx: IntArray) -> tuple[list[FloatArray], list[FloatArray], BoolArray]:
    """Credits from the skills of the rows ``idx``: keep the entries whose key earns credit
    towards some required skill, compute each required skill's credit per entry (the same
    ``relation * years * recency`` product as the column tables) and take the max per row."""
    n = len(idx)
    counts = np.take(seg.cols.skill_count, idx)
    entries = ranges(np.take(seg.skill_start, idx).astype(np.int64), counts)
    keys = np.take(plan.ref_key, np.take(seg.cols.skill_refs, entries))
    keep = np.flatnonzero(np.take(plan.relevant, keys))
    keys, pairs = keys[keep], np.take(seg.cols.skill_pairs, entries[keep])
    owner = np.repeat(np.arange(n), counts)[keep]
    first = np.flatnonzero(np.diff(owner, prepend=-1)) if len(owner) else np.zeros(0, dtype=np.int64)
    rows = owner[first]
    recency = np.take(plan.recency, pairs)

    def credit(skill: SkillPlan, track_found: bool) -> tuple[FloatArray, BoolArray]:
        out = np.zeros(n)
        found = np.zeros(n if track_found else 0, dtype=bool)
        if len(first):
            relation = np.take(skill.relation, keys)
            out[rows] = np.maximum.reduceat(relation * np.take(skill.years, pairs) * recency, first)
            if track_found:
                found[rows] = np.logical_or.reduceat(relation > 0, first)
        return out, found

    found_all = np.ones(n, dtype=bool)
    must = []
    for skill in plan.must_have:
        value, found = credit(skill, plan.hard)
        must.append(value)
        if plan.hard:
            found_all &= found
    nice = [credit(skill, False)[0] for skill in plan.nice_to_have]
    return must, nice, found_all


#: Per matrix column, its entries in the group's rows (``Segment.column_parts``).
ColumnParts = dict[int, tuple[tuple[npt.NDArray[np.integer], npt.NDArray[np.unsignedinteger]], ...]]


def _by_columns(
    seg: Segment, plan: Plan, idx: IntArray, lo: int, hi: int, parts: ColumnParts
) -> tuple[list[FloatArray], list[FloatArray], BoolArray]:
    """Credits from the requirement's skill columns (``parts``, sliced once for the cost
    estimate), scattered into per-skill arrays through the segment's row -> position map. Rows
    outside ``idx`` map to one extra slot past the end, which takes the writes that do not
    matter, so no entry has to be filtered out first."""
    n = len(idx)
    found_all = np.ones(n, dtype=bool)
    pos = seg.scratch()
    pos[lo:hi] = n
    pos[idx] = np.arange(n, dtype=np.int32)
    try:
        must = []
        for skill in plan.must_have:
            credit, found = _credit(skill, parts, pos, n, plan.hard)
            must.append(credit)
            if plan.hard:
                found_all &= found
        nice = [_credit(skill, parts, pos, n, False)[0] for skill in plan.nice_to_have]
    finally:
        pos[lo:hi] = -1
    return must, nice, found_all


def _credit(
    skill: SkillPlan, parts: ColumnParts, pos: npt.NDArray[np.int32], n: int, track_found: bool
) -> tuple[FloatArray, BoolArray]:
    """One required skill's credit per position: ``np.maximum.at`` over its columns (credits are
    never negative, so starting from 0 gives the max, and repeated rows are handled)."""
    credit = np.zeros(n + 1)
    found = np.zeros(n + 1 if track_found else 0, dtype=bool)
    for col, table in skill.columns:
        for rows, codes in parts[col]:
            if len(rows):
                at = pos.take(rows)
                np.maximum.at(credit, at, table.take(codes))
                if track_found:
                    found[at] = True
    return credit[:n], found[:n]


def _education(
    plan: Plan, degree: npt.NDArray[np.unsignedinteger], field: npt.NDArray[np.unsignedinteger]
) -> FloatArray:
    """The plan's (degree, field accepted) table, read through one flat index."""
    flat = degree.astype(np.intp) * 2 + np.take(plan.field_ok, field)
    return np.take(plan.education.ravel(), flat)


def _mean(credits: list[FloatArray], n: int) -> FloatArray:
    """``components.mean_credit`` per row."""
    if not credits:
        return np.full(n, f.mean_credit([]))
    return py_sum(credits) / len(credits)


def plain_values(seg: Segment, plan: Plan, idx: IntArray, role: FloatArray) -> dict[Component, FloatArray]:
    """The values of every component but the two skill ones, for the rows ``idx``."""
    c, n = seg.cols, len(idx)
    if plan.min_experience <= 0:
        experience = np.full(n, f.experience(0.0, plan.min_experience))
    else:
        with np.errstate(over="ignore"):
            experience = clip01(c.years.take(idx) / plan.min_experience)
    ratio = seg.rate_usd.take(idx) / plan.budget_usd
    return {
        Component.role_fit: role,
        Component.experience: experience,
        Component.seniority: plan.seniority.take(c.seniority.take(idx)),
        Component.rate: 1.0 - (1.0 - f.RATE_AT_BUDGET) * clip01(ratio),
        Component.timezone: plan.tz_value.take(c.timezone.take(idx)),
        Component.availability: plan.availability(plan.start - c.available.take(idx).astype(np.int64)),
        Component.education: _education(plan, c.degree.take(idx), c.field.take(idx)),
    }


def _combine(
    seg: Segment, plan: Plan, idx: IntArray, must: list[FloatArray], nice: list[FloatArray], role: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(score, must-have value) of the rows ``idx``, as ``ranking`` computes them."""
    n = len(idx)
    values = plain_values(seg, plan, idx, role)
    values[Component.must_have] = _mean(must, n)
    values[Component.nice_to_have] = _mean(nice, n)
    base = 100.0 * py_sum([plan.weights[k] * values[k] for k in Component])
    must_value = values[Component.must_have]
    gate = 1.0 - f.MUST_HAVE_GATE * (1.0 - must_value)
    return np.minimum(100.0, np.maximum(0.0, base * gate)), must_value
