"""The candidate pool: every candidate a requirement can be ranked against, as core profiles.

Loaded set-based (by ``matcher.index.loading.profiles_from_db``, the one loader of candidate
rows into profiles: two streamed selects of plain columns, no ORM object per row), once per
process, and reused while the candidate table is unchanged (``PoolCache``, checked once per
chunk of requirements). ``Pool.plausible`` is the vectorised
form of the core's pre-filter (``matcher.core.prefilter``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import case, func, select
from sqlmodel import Session

from matcher.candidate_rows import CAND
from matcher.core import prefilter
from matcher.core.timezones import overlap_hours
from matcher.core.types import CandidateProfile, RequirementProfile
from matcher.index.loading import profiles_from_db
from matcher.schemas import CURRENCY_PER_USD, VettingStatus
from matcher.skills import Taxonomy, load_taxonomy

PASSED = VettingStatus.passed.value


@dataclass(eq=False)
class Pool:
    """Every candidate a requirement can be ranked against (vetting passed, not erased, either
    track), as core profiles.

    ``ids[i]`` is the database id of ``candidates[i]``; the arrays feed the pre-filter.
    """

    fingerprint: tuple[Any, ...]
    candidates: tuple[CandidateProfile, ...]
    ids: tuple[uuid.UUID, ...]
    rate_usd: npt.NDArray[np.float64]
    hours: npt.NDArray[np.int64]
    available: npt.NDArray[np.int64]
    zone_codes: npt.NDArray[np.int64]
    zones: tuple[str, ...]
    derived: dict[str, Any] = field(default_factory=dict)
    _by_id: dict[uuid.UUID, int] = field(default_factory=dict)
    _by_external: dict[str, uuid.UUID] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_id = {cid: i for i, cid in enumerate(self.ids)}
        self._by_external = {c.external_id: cid for c, cid in zip(self.candidates, self.ids, strict=True)}

    def __len__(self) -> int:
        return len(self.candidates)

    def get(self, candidate_id: uuid.UUID) -> CandidateProfile | None:
        i = self._by_id.get(candidate_id)
        return None if i is None else self.candidates[i]

    def id_of(self, external_id: str) -> uuid.UUID:
        return self._by_external[external_id]

    def plausible(self, requirement: RequirementProfile) -> list[CandidateProfile]:
        """The candidates that may pass the hard filters on hours, start date, rate and overlap:
        a conservative pre-filter (vetting is already the pool's; the track is the ranker's)."""
        if not self.candidates:
            return []
        budget_usd = requirement.max_hourly_rate / CURRENCY_PER_USD[requirement.currency]
        keep = (
            prefilter.enough_hours(self.hours, requirement.hours_per_week)
            & prefilter.available_in_time(self.available, requirement.start_by.toordinal())
            & prefilter.within_budget(self.rate_usd, budget_usd)
        )
        if requirement.min_overlap_hours > 0:
            overlaps = np.array(
                [overlap_hours(requirement.timezone, z, requirement.start_by) for z in self.zones]
            )
            keep &= prefilter.enough_overlap(overlaps, requirement.min_overlap_hours)[self.zone_codes]
        return [self.candidates[i] for i in np.flatnonzero(keep)]


def pool_filter() -> Any:
    return (CAND.c.vetting_status == PASSED) & CAND.c.erased_at.is_(None)


def pool_fingerprint(session: Session) -> tuple[Any, ...]:
    """Changes whenever a candidate is added, updated (writers bump ``updated_at``), erased or
    re-vetted."""
    row = session.execute(
        select(
            func.count(),
            func.max(CAND.c.updated_at),
            func.count(CAND.c.erased_at),
            func.sum(case((CAND.c.vetting_status == PASSED, 1), else_=0)),
        )
    ).one()
    return tuple(row)


def load_pool(session: Session, taxonomy: Taxonomy | None = None) -> Pool:
    """Build the pool from the database, in the session's transaction: the candidates' rows
    turned into profiles by the one loader (``matcher.index.loading.profiles_from_db``), no ORM
    objects, ordered by external id."""
    fingerprint = pool_fingerprint(session)
    loaded = sorted(
        profiles_from_db(session.connection(), taxonomy or load_taxonomy(), pool_filter()),
        key=lambda loaded: loaded[1].external_id,
    )
    candidates = tuple(profile for _, profile in loaded)
    zones: dict[str, int] = {}
    for c in candidates:
        zones.setdefault(c.timezone, len(zones))
    return Pool(
        fingerprint=fingerprint,
        candidates=candidates,
        ids=tuple(cid for cid, _ in loaded),
        rate_usd=np.array(
            [c.hourly_rate / CURRENCY_PER_USD[c.currency] for c in candidates], dtype=np.float64
        ),
        hours=np.array([c.hours_per_week for c in candidates], dtype=np.int64),
        available=np.array([c.available_from.toordinal() for c in candidates], dtype=np.int64),
        zone_codes=np.array([zones[c.timezone] for c in candidates], dtype=np.int64),
        zones=tuple(zones),
    )


class PoolCache:
    """The pool of this process, rebuilt when its fingerprint changes."""

    def __init__(self) -> None:
        self._pool: Pool | None = None

    def get(self, session: Session) -> Pool:
        pool = self._pool
        if pool is None or pool.fingerprint != pool_fingerprint(session):
            pool = self._pool = load_pool(session)
        return pool

    def clear(self) -> None:
        self._pool = None
