"""The composition root: what a process builds once and hands to its door.

A door (the API's app factory, the Celery worker, a CLI command) calls ``bootstrap`` at start-up
and passes the ``Runtime`` on: the settings, the database engine, the ranker, the dispatch port
and the candidate pool cache. Each is built here, from the settings, and nowhere else: a test
(or the demo) that wants other parts passes them in (``bootstrap(settings, engine=...)``).

The door registers its own task sender on ``runtime.dispatcher`` (``tasks.dispatch.register``):
``matcher`` never imports ``tasks``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from matcher.core.rankers import Ranker
from matcher.db import get_engine
from matcher.dispatch import Dispatcher, dispatcher
from matcher.services.candidate_pool import PoolCache
from matcher.services.matching import default_ranker
from matcher.services.pool_cache import process_pool_cache
from matcher.settings import Settings, get_settings


@dataclass(frozen=True)
class Runtime:
    """The long-lived parts of one process."""

    settings: Settings
    engine: Engine
    ranker: Ranker
    dispatcher: Dispatcher
    pool_cache: PoolCache


def bootstrap(settings: Settings | None = None, *, engine: Engine | None = None) -> Runtime:
    """The process's runtime: ``settings`` (default: the environment's) and the parts built from them.

    The engine and the pool cache are the process-wide ones (one connection pool, one candidate
    pool per process), unless an engine is given."""
    settings = settings or get_settings()
    return Runtime(
        settings=settings,
        engine=engine or get_engine(settings.database_url),
        ranker=default_ranker(),
        dispatcher=dispatcher,
        pool_cache=process_pool_cache(),
    )
