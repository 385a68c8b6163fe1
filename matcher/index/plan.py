"""Everything about one requirement that does not depend on the candidate row, as small arrays.

A ``Plan`` evaluates the core's own functions once per *distinct* value of a dictionary-encoded
column (time zone, seniority, degree and field of study, skill years and last-used year, vetting
score) and keeps the results as lookup tables indexed by code. Gathering from them gives, for
every candidate, the exact number the reference scorer computes, because it is the number the
reference scorer computes. The plan also lists, per required skill, the matrix columns to read:
the skill itself at relation 1.0 and every related skill at its relation credit.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar, cast

import numpy as np
import numpy.typing as npt

from matcher.core import components as f
from matcher.core.profiles import WeightProfile
from matcher.core.timezones import overlap_hours
from matcher.core.types import Relations, RequiredSkill, RequirementProfile
from matcher.index.columns import DEGREES, DIMENSIONS, SENIORITIES, TRACK_CODE, FloatArray, zone_ok
from matcher.index.tables import IntFunctionTable, Tables, ValueCache
from matcher.schemas import DEGREE_LEVEL, SENIORITY_LEVEL

V = TypeVar("V")


class _Lru(OrderedDict[Hashable, V]):
    def __init__(self, size: int = 256) -> None:
        super().__init__()
        self.size = size

    def fetch(self, key: Hashable, make: Callable[[], V]) -> V:
        found = self.get(key)
        if found is None:
            found = make()
            self[key] = found
            if len(self) > self.size:
                self.popitem(last=False)
        else:
            self.move_to_end(key)
        return found


class PlanCache:
    """Per-index memo of the per-value tables, keyed by what they depend on. The tables grow
    with the dictionaries, so a cached entry only computes values added since its last use."""

    def __init__(self, size: int = 256) -> None:
        self.overlap: _Lru[ValueCache] = _Lru(size)
        self.field_ok: _Lru[ValueCache] = _Lru(size)
        self.years: _Lru[ValueCache] = _Lru(size)
        self.recency: _Lru[ValueCache] = _Lru(size)
        self.role_fit: _Lru[tuple[int, list[tuple[int, FloatArray]]]] = _Lru(size)
        self.availability = IntFunctionTable(f.availability)
        self._ref_keys: npt.NDArray[np.intp] = np.zeros(0, dtype=np.intp)
        self._pairs: tuple[int, npt.NDArray[np.intp], npt.NDArray[np.intp]] = (
            0,
            np.zeros(0, dtype=np.intp),
            np.zeros(0, dtype=np.intp),
        )

    def ref_keys(self, tables: Tables) -> npt.NDArray[np.intp]:
        """The key (matrix column) of every skill reference code, as an array."""
        if len(self._ref_keys) != len(tables.ref_key):
            self._ref_keys = np.array(tables.ref_key, dtype=np.intp)
        return self._ref_keys

    def pair_codes(self, tables: Tables) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        """(years code, last-used code) of every pair code, as arrays."""
        have, years, last_used = self._pairs
        if have != len(tables.pair_years):
            years = np.array(tables.pair_years, dtype=np.intp)
            last_used = np.array(tables.pair_last_used, dtype=np.intp)
            self._pairs = (len(years), years, last_used)
        return years, last_used


@dataclass(frozen=True)
class SkillPlan:
    """One required skill, for both ways of reading skills.

    By column: the matrix columns that earn credit towards it, each with the credit of every
    (years, last used) code, ``relation * years_factor * recency_factor``. By row: the relation
    credit of every key (0 for the others) and the years factor of every (years, last used)
    code, to multiply per skill entry in the same order.
    """

    required: RequiredSkill
    columns: tuple[tuple[int, FloatArray], ...]
    relation: FloatArray
    years: FloatArray


class Plan:
    """The per-requirement tables (see the module docstring)."""

    def __init__(
        self,
        tables: Tables,
        cache: PlanCache,
        requirement: RequirementProfile,
        profile: WeightProfile,
        relations: Relations,
        today: dt.date,
    ) -> None:
        r = requirement
        self.requirement = r
        self.profile = profile
        self.track = TRACK_CODE[r.track]
        #: The other track's group, scored ``TRACK_MISMATCH_POINTS`` lower; None when excluded.
        self.other_track = (
            None if r.track_is_hard else next(code for t, code in TRACK_CODE.items() if t is not r.track)
        )
        self.hours = r.hours_per_week
        self.start = r.start_by.toordinal()
        self.budget_usd = f.to_usd(r.max_hourly_rate, r.currency)
        self.rate_limit = 1.0 + f.RATE_TOLERANCE
        self.min_experience = r.min_years_experience
        self.hard = r.must_have_is_hard
        self.weights = profile.components

        zones = tables.timezones.values
        zone_ok(r.timezone)
        overlap = cache.overlap.fetch(
            (r.timezone, r.start_by),
            lambda: ValueCache(lambda zone: overlap_hours(r.timezone, str(zone), r.start_by)),
        ).values(zones)
        self.tz_ok = ~(overlap < r.min_overlap_hours)
        self.tz_value = np.array([f.timezone(h, r.min_overlap_hours) for h in overlap], dtype=np.float64)

        wanted = SENIORITY_LEVEL[r.seniority]
        self.seniority = np.array([f.seniority(SENIORITY_LEVEL[s], wanted) for s in SENIORITIES])
        fields = tuple(r.education_fields)
        self.field_ok = (
            cache.field_ok.fetch(
                fields,
                lambda: ValueCache(lambda field: float(f.field_matches(field, fields))),  # type: ignore[arg-type]
            ).values(tables.fields.values)
            > 0
        ).astype(np.intp)
        min_level = DEGREE_LEVEL[r.min_degree]
        self.education = np.array(
            [[f.education(DEGREE_LEVEL[d], min_level, ok) for ok in (False, True)] for d in DEGREES]
        )
        self.availability = cache.availability
        self.role_fit = self._role_fit_terms(tables, cache, profile)
        self._plan_skills(tables, cache, relations, today)
        self.role_fit_key = Plan.weighting_key(profile)

    def _plan_skills(self, tables: Tables, cache: PlanCache, relations: Relations, today: dt.date) -> None:
        """The recency of every (years, last used) pair, and per required skill the columns of
        the skills that credit it with their credit for every pair (``SkillPlan``)."""
        r = self.requirement
        years_code, last_used_code = cache.pair_codes(tables)
        recency = cache.recency.fetch(
            today.year,
            lambda: ValueCache(lambda lu: f.recency_factor(lu, today.year)),  # type: ignore[arg-type]
        ).values(tables.last_used.values)[last_used_code]
        self.recency = recency
        self.ref_key = cache.ref_keys(tables)
        n_keys = len(tables.keys)

        def plan(required: RequiredSkill) -> SkillPlan:
            years = cache.years.fetch(
                float(required.min_years),
                lambda: ValueCache(lambda y: f.years_factor(y, required.min_years)),  # type: ignore[arg-type]
            ).values(tables.years.values)[years_code]
            columns: list[tuple[int, FloatArray]] = []
            by_key = np.zeros(n_keys)
            for key, relation in f.relation_credits(required.key, relations).items():
                col = tables.keys.get(key)
                if col is not None:
                    # The core's own product, applied to the arrays: same operations, same order.
                    credit = f.skill_credit(relation, years, recency)  # type: ignore[arg-type]
                    columns.append((col, cast(FloatArray, credit)))
                    by_key[col] = relation
            return SkillPlan(required, tuple(columns), by_key, years)

        self.must_have = tuple(plan(s) for s in r.must_have)
        self.nice_to_have = tuple(plan(s) for s in r.nice_to_have)
        self.relevant = np.zeros(n_keys, dtype=bool)
        for skill in (*self.must_have, *self.nice_to_have):
            self.relevant |= skill.relation > 0

    @staticmethod
    def weighting_key(profile: WeightProfile) -> Hashable:
        """What role fit depends on in a profile."""
        return (profile.label, tuple(profile.dimensions.items()))

    @staticmethod
    def _role_fit_terms(
        tables: Tables, cache: PlanCache, profile: WeightProfile
    ) -> list[tuple[int, FloatArray]]:
        """Per dimension, in the profile's order: (column in the vetting matrix, the dimension's
        term of ``components.role_fit`` for every score code, code 0 meaning not assessed).

        ``role_fit`` adds one term per dimension in that order and clips the total; each term
        alone is in 0..1, so ``role_fit`` of a single dimension *is* that term.
        """
        scores = tables.scores.values
        key = Plan.weighting_key(profile)
        have, terms = cache.role_fit.get(key, (-1, []))
        if have != len(scores):
            terms = [
                (
                    DIMENSIONS.index(dim),
                    np.array(
                        [f.role_fit({}, {dim: weight})]
                        + [f.role_fit({dim: s}, {dim: weight}) for s in scores],
                        dtype=np.float64,
                    ),
                )
                for dim, weight in profile.dimensions.items()
            ]
            cache.role_fit[key] = (len(scores), terms)
        return terms
