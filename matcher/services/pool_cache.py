"""The candidate pool cache of this process: a worker keeps its pool between tasks.

With ``index_snapshot_dir`` set, the pool is served from the host's shared index snapshot
(``matcher.index.shared``: memory-mapped, built once per host); otherwise each process loads
its own pool from the database (``matcher.services.candidate_pool``).
"""

from __future__ import annotations

from functools import lru_cache

from matcher.index.shared import SnapshotPoolCache
from matcher.services.candidate_pool import PoolCache
from matcher.settings import get_settings


@lru_cache(maxsize=1)
def process_pool_cache() -> PoolCache:
    """This process's pool cache, chosen once from the settings."""
    settings = get_settings()
    if settings.index_snapshot_dir is not None:
        return SnapshotPoolCache(
            settings.index_snapshot_dir,
            rewrite_fraction=settings.index_snapshot_rewrite_fraction,
            margin_seconds=settings.index_snapshot_margin_seconds,
        )
    return PoolCache()
