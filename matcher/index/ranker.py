"""The index behind the core's ``Ranker`` signature (``matcher.core.rankers``).

``index_ranker`` is a drop-in replacement for ``reference_ranker``: it builds the index of a
pool once (kept in ``Pool.derived``, so it lives exactly as long as the pool) and ranks every
requirement against it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol

from matcher.core.profiles import WeightProfile
from matcher.core.rankers import Ranking
from matcher.core.types import CandidateProfile, Relations, RequirementProfile
from matcher.index.index import CandidateIndex

DERIVED_KEY = "candidate_index"


class PoolLike(Protocol):
    @property
    def candidates(self) -> Sequence[CandidateProfile]: ...
    @property
    def derived(self) -> dict[str, Any]: ...


def pool_index(pool: PoolLike) -> CandidateIndex:
    """The index of a pool, built on first use."""
    index = pool.derived.get(DERIVED_KEY)
    if not isinstance(index, CandidateIndex):
        index = CandidateIndex.from_profiles(pool.candidates)
        pool.derived[DERIVED_KEY] = index
    return index


def index_ranker(
    requirement: RequirementProfile,
    pool: PoolLike,
    profile: WeightProfile,
    relations: Relations,
    today: dt.date,
    *,
    top: int,
) -> Ranking:
    """``reference_ranker``'s result, computed with the pool's index."""
    ranked, eligible = pool_index(pool).rank_counted(requirement, profile, relations, today, top=top)
    return Ranking(top=ranked, eligible=eligible)
