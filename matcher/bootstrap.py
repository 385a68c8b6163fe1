"""The composition root: what a process builds once and hands to its door.

A door (the API's app factory, the Celery worker, a CLI command) calls ``bootstrap`` at start-up
and passes the ``Runtime`` on (``matcher.runtime``): the settings, the database engine, the
ranker, the dispatch port and the candidate pool cache. Each is built here, from the settings,
and nowhere else; services receive them through the sessions the runtime opens, or the runtime
itself. A test (or the demo) that wants other parts passes them in (``bootstrap(settings,
engine=...)``) or replaces one (``dataclasses.replace(runtime, ranker=...)``).

The door registers its own task sender on ``runtime.dispatcher`` (``tasks.dispatch.register``):
``matcher`` never imports ``tasks``, and no sender is shared by two runtimes.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from matcher.db import get_engine
from matcher.dispatch import Dispatcher
from matcher.index import index_ranker
from matcher.index.shared import SnapshotPoolCache
from matcher.runtime import Runtime
from matcher.services.candidate_pool import PoolCache
from matcher.settings import Settings, get_settings

__all__ = ["Runtime", "bootstrap", "make_pool_cache"]


def make_pool_cache(settings: Settings) -> PoolCache:
    """The candidate pool cache the settings choose: served from the host's shared index
    snapshot (``matcher.index.shared``, memory-mapped, built once per host) when
    ``index_snapshot_dir`` is set, else loaded from the database by this process."""
    if settings.index_snapshot_dir is not None:
        return SnapshotPoolCache(
            settings.index_snapshot_dir,
            rewrite_fraction=settings.index_snapshot_rewrite_fraction,
            margin_seconds=settings.index_snapshot_margin_seconds,
        )
    return PoolCache()


def bootstrap(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    pool_cache: PoolCache | None = None,
) -> Runtime:
    """The process's runtime: ``settings`` (default: the environment's) and the parts built from them.

    The engine is the process-wide one for the settings' database (one connection pool per
    process) unless one is given; the pool cache is new unless one is given (a forked worker
    process keeps the pool its parent warmed). The ranker is the vectorised index, which gives
    the core's reference ranker's results."""
    settings = settings or get_settings()
    return Runtime(
        settings=settings,
        engine=engine or get_engine(settings.database_url),
        ranker=index_ranker,
        dispatcher=Dispatcher(),
        pool_cache=pool_cache if pool_cache is not None else make_pool_cache(settings),
    )
