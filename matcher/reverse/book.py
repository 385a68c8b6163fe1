"""Many requirements in columns, so one candidate's score against all of them is a few array
operations instead of one ``Scorer`` per requirement.

What makes this pay is that requirements share almost everything a score is made of: a book of
10,000 requirements holds a few hundred distinct required skills (with their minimum years), a
few dozen time zones and start dates, a handful of budgets, education rules and weight profiles.
``estimate`` works out each distinct piece once for the candidate, with the core's own formulas
(``matcher.core.components``), gathers the pieces per requirement by code, and combines them
in the reference's order of operations (``py_sum`` is what the built-in ``sum`` does, the total
is ``components.total_score`` itself, and a requirement of the other track takes
``components.cross_track_score`` of it, or excludes the candidate when its track is hard), so
the estimate is the core's score to the last bit.

It is still only an estimate as far as callers are concerned: ``rank_requirements`` re-scores
the contenders with ``Scorer`` and checks them against it, so a change to the core that this
module does not follow costs speed, never a wrong answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher.core import components as f
from matcher.core.profiles import WeightProfile
from matcher.core.ranking import Scorer, check_profile, check_relations
from matcher.core.timezones import overlap_hours
from matcher.core.types import (
    CandidateProfile,
    Component,
    Relations,
    RequiredSkill,
    RequirementProfile,
)
from matcher.errors import ValidationFailed
from matcher.index.scoring import py_sum
from matcher.schemas import DEGREE_LEVEL, SENIORITY_LEVEL, Degree, VettingStatus

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

_total_score = np.frompyfunc(f.total_score, 2, 1)
_cross_track_score = np.frompyfunc(f.cross_track_score, 1, 1)


@dataclass(frozen=True)
class BookEntry:
    """One requirement as the book scores against it: ``key`` names it in results (the
    database id in the service, the external id for files)."""

    key: str
    requirement: RequirementProfile
    profile: WeightProfile
    relations: Relations


@dataclass(frozen=True)
class Estimate:
    """Per requirement, in book order: the score, the must-have value and eligibility."""

    score: FloatArray
    must_have: FloatArray
    eligible: BoolArray


class _Codes:
    """Distinct hashable values numbered in first-seen order."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        self._index: dict[Hashable, int] = {}

    def code(self, value: Hashable) -> int:
        found = self._index.get(value)
        if found is None:
            found = self._index[value] = len(self.values)
            self.values.append(value)
        return found

    def array(self, values: Sequence[Hashable]) -> IntArray:
        return np.array([self.code(v) for v in values], dtype=np.int64)


def _slot(skill: RequiredSkill, relations: Relations) -> tuple[str, float, tuple[tuple[str, float], ...]]:
    """A required skill as the candidate's side sees it: its key, minimum years and the credit
    every candidate skill key earns towards it."""
    return (skill.key, skill.min_years, tuple(f.relation_credits(skill.key, relations).items()))


def _profile_key(profile: WeightProfile) -> Hashable:
    return (
        profile.label,
        tuple(profile.components.items()),
        tuple(profile.dimensions.items()),
    )


class RequirementBook:
    """A fixed set of requirements, each with its own weight profile and relation credits.

    Building checks every entry as ``Scorer`` does (profile of the requirement's track, relation
    credits in 0..1) and refuses a key given twice. ``scorer`` keeps the core's ``Scorer`` of
    each requirement once built (per date), for the contenders' exact scores.
    """

    def __init__(self, entries: Sequence[BookEntry]) -> None:
        seen: set[str] = set()
        for e in entries:
            if e.key in seen:
                raise ValidationFailed(f"requirement {e.key} appears twice")
            seen.add(e.key)
            check_profile(e.requirement, e.profile)
            check_relations(e.relations)
        self.entries = tuple(entries)
        self.keys = tuple(e.key for e in entries)
        reqs = [e.requirement for e in entries]
        slots = _Codes()
        must = [[slots.code(_slot(s, e.relations)) for s in e.requirement.must_have] for e in entries]
        nice = [[slots.code(_slot(s, e.relations)) for s in e.requirement.nice_to_have] for e in entries]
        self._slot_min_years = [min_years for _, min_years, _ in slots.values]
        self._earns: dict[str, list[tuple[int, float]]] = {}
        for i, (_, _, credits) in enumerate(slots.values):
            for key, relation in credits:
                self._earns.setdefault(key, []).append((i, relation))
        self._pad = len(slots.values)
        self._must, self._must_n = self._matrix(must)
        self._nice, self._nice_n = self._matrix(nice)

        self._track = np.array([r.track.value for r in reqs], dtype=object)
        self._hours = np.array([r.hours_per_week for r in reqs], dtype=np.int64)
        self._hard = np.array([r.must_have_is_hard for r in reqs], dtype=bool)
        self._track_hard = np.array([r.track_is_hard for r in reqs], dtype=bool)
        self._experience = _Codes()
        self._exp_code = self._experience.array([r.min_years_experience for r in reqs])
        self._seniority = _Codes()
        self._sen_code = self._seniority.array([SENIORITY_LEVEL[r.seniority] for r in reqs])
        self._budget = _Codes()
        self._rate_code = self._budget.array([(r.max_hourly_rate, r.currency) for r in reqs])
        self._zone = _Codes()
        self._tz_code = self._zone.array([(r.timezone, r.start_by, r.min_overlap_hours) for r in reqs])
        self._start = _Codes()
        self._start_code = self._start.array([r.start_by for r in reqs])
        self._education = _Codes()
        self._edu_code = self._education.array([(r.min_degree, r.education_fields) for r in reqs])
        profiles = _Codes()
        self._prof_code = profiles.array([_profile_key(e.profile) for e in entries])
        distinct: dict[int, WeightProfile] = {}
        for e, code in zip(entries, self._prof_code.tolist(), strict=True):
            distinct.setdefault(code, e.profile)
        self._profiles = [distinct[i] for i in range(len(profiles.values))]
        #: Component weights per profile code, columns in ``Component`` order.
        self._weights = np.array(
            [[p.components[c] for c in Component] for p in self._profiles], dtype=np.float64
        ).reshape(len(self._profiles), len(Component))
        self._scorers: dict[tuple[int, dt.date], Scorer] = {}

    def _matrix(self, rows: list[list[int]]) -> tuple[IntArray, IntArray]:
        width = max((len(r) for r in rows), default=0)
        out = np.full((len(rows), width), self._pad, dtype=np.int64)
        for i, r in enumerate(rows):
            out[i, : len(r)] = r
        return out, np.array([len(r) for r in rows], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.entries)

    def scorer(self, i: int, today: dt.date) -> Scorer:
        """The core's scorer of requirement ``i`` on ``today`` (built once)."""
        found = self._scorers.get((i, today))
        if found is None:
            e = self.entries[i]
            found = self._scorers[(i, today)] = Scorer(e.requirement, e.profile, e.relations, today)
        return found

    # --- the estimate -----------------------------------------------------------------------

    def _skill_credits(self, candidate: CandidateProfile, today: dt.date) -> tuple[FloatArray, BoolArray]:
        """Per distinct required skill: the best credit any of the candidate's skills earns
        towards it, and whether any does (a missing skill is not found). The padding slot is
        worth 0 and counts as found."""
        credit = np.zeros(self._pad + 1, dtype=np.float64)
        found = np.zeros(self._pad + 1, dtype=bool)
        found[self._pad] = True
        best: dict[int, float] = {}
        for skill in candidate.skills:
            targets = self._earns.get(skill.key)
            if targets is None:
                continue
            recency = f.recency_factor(skill.last_used, today.year)
            for slot, relation in targets:
                years = f.years_factor(skill.years, self._slot_min_years[slot])
                value = f.skill_credit(relation, years, recency)
                current = best.get(slot)
                if current is None or value > current:
                    best[slot] = value
        if best:
            slots = np.fromiter(best.keys(), dtype=np.int64, count=len(best))
            credit[slots] = np.fromiter(best.values(), dtype=np.float64, count=len(best))
            found[slots] = True
        return credit, found

    @staticmethod
    def _mean(credit: FloatArray, codes: IntArray, counts: IntArray) -> FloatArray:
        """``components.mean_credit`` per row: padding adds exact zeros to the running sum."""
        if codes.shape[1] == 0:
            return np.ones(len(counts), dtype=np.float64)
        total = py_sum([credit[codes[:, j]] for j in range(codes.shape[1])])
        return np.where(counts > 0, total / np.maximum(counts, 1), 1.0)

    def estimate(self, candidate: CandidateProfile, today: dt.date) -> Estimate:
        """The candidate's score, must-have value and eligibility against every requirement."""
        n = len(self.entries)
        if n == 0:
            empty = np.zeros(0, dtype=np.float64)
            return Estimate(empty, empty, np.zeros(0, dtype=bool))
        c = candidate
        credit, found = self._skill_credits(c, today)
        must = self._mean(credit, self._must, self._must_n)
        nice = self._mean(credit, self._nice, self._nice_n)

        role = np.array([f.role_fit(c.vetting_scores, p.dimensions) for p in self._profiles])[self._prof_code]
        experience = np.array([f.experience(c.years_experience, m) for m in self._experience.values])
        level = SENIORITY_LEVEL[c.seniority]
        seniority = np.array([f.seniority(level, lvl) for lvl in self._seniority.values])
        ratios = np.array(
            [f.rate_ratio(c.hourly_rate, c.currency, budget, cur) for budget, cur in self._budget.values]
        )
        overlaps = np.array([overlap_hours(zone, c.timezone, start) for zone, start, _ in self._zone.values])
        minimum = np.array([m for _, _, m in self._zone.values], dtype=np.float64)
        zone_value = np.array(
            [f.timezone(o, m) for o, (_, _, m) in zip(overlaps.tolist(), self._zone.values, strict=True)]
        )
        days = np.array([(start - c.available_from).days for start in self._start.values], dtype=np.int64)
        available = np.array([f.availability(d) for d in days.tolist()])
        degree = DEGREE_LEVEL[c.degree]
        education = np.array(
            [
                f.education(degree, DEGREE_LEVEL[Degree(d)], f.field_matches(c.field_of_study, fields))
                for d, fields in self._education.values
            ]
        )
        values = {
            Component.must_have: must,
            Component.nice_to_have: nice,
            Component.role_fit: role,
            Component.experience: experience[self._exp_code],
            Component.seniority: seniority[self._sen_code],
            Component.rate: np.array([f.rate(r) for r in ratios.tolist()])[self._rate_code],
            Component.timezone: zone_value[self._tz_code],
            Component.availability: available[self._start_code],
            Component.education: education[self._edu_code],
        }
        weights = self._weights[self._prof_code]
        base = 100.0 * py_sum([weights[:, k] * values[comp] for k, comp in enumerate(Component)])
        score = np.asarray(_total_score(base, must), dtype=np.float64)
        other_track = self._track != c.track.value
        if other_track.any():
            score[other_track] = np.asarray(_cross_track_score(score[other_track]), dtype=np.float64)

        eligible = ~(other_track & self._track_hard) & (self._hours <= c.hours_per_week)
        if c.vetting_status is not VettingStatus.passed:
            eligible[:] = False
        eligible &= ~(ratios > 1.0 + f.RATE_TOLERANCE)[self._rate_code]
        eligible &= ~(overlaps < minimum)[self._tz_code]
        eligible &= (days >= 0)[self._start_code]
        if self._must.shape[1] and self._hard.any():
            eligible &= ~(self._hard & ~found[self._must].all(axis=1))
        return Estimate(score=score, must_have=must, eligible=eligible)
