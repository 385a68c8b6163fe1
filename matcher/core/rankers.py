"""What a ranker is: rank one requirement against a pool of candidate profiles.

``Ranker`` is the one call a faster implementation replaces: ``reference_ranker`` ranks with the
core's own ``rank`` over the pool's pre-filtered candidates; the vectorised index
(``matcher.index.index_ranker``) gives the same results. A pool is anything with the candidates'
profiles, a ``plausible`` pre-filter, and a ``derived`` dict where a ranker may keep what it
builds from the pool (an index), so that it lives exactly as long as the pool.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from matcher.core.profiles import WeightProfile
from matcher.core.ranking import rank
from matcher.core.results import RankedCandidate
from matcher.core.types import CandidateProfile, Relations, RequirementProfile


@dataclass(frozen=True)
class Ranking:
    top: list[RankedCandidate]
    """The best eligible candidates, ranked 1..n (n <= the requested top)."""
    eligible: int
    """How many candidates of the pool are eligible."""


class CandidatePool(Protocol):
    @property
    def candidates(self) -> Sequence[CandidateProfile]: ...
    @property
    def derived(self) -> dict[str, Any]: ...
    def plausible(self, requirement: RequirementProfile) -> list[CandidateProfile]: ...


class Ranker(Protocol):
    """Rank one requirement against a pool."""

    def __call__(
        self,
        requirement: RequirementProfile,
        pool: Any,
        profile: WeightProfile,
        relations: Relations,
        today: dt.date,
        *,
        top: int,
    ) -> Ranking: ...


def reference_ranker(
    requirement: RequirementProfile,
    pool: CandidatePool,
    profile: WeightProfile,
    relations: Relations,
    today: dt.date,
    *,
    top: int,
) -> Ranking:
    """The core's reference ranker over the pre-filtered pool."""
    eligible = rank(requirement, pool.plausible(requirement), profile, relations, today)
    return Ranking(top=eligible[:top], eligible=len(eligible))
