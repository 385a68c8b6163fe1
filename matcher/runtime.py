"""What a door hands to the services: one process's long-lived parts (a ``Runtime``).

``matcher.bootstrap`` builds it once per process; this module only says what it holds and how a
door opens a unit of work on it. A session opened by ``Runtime.session`` (or ``session_scope``)
carries its runtime (``runtime_of``) and the runtime's dispatcher (``matcher.dispatch``), so a
service that takes a session reaches the settings, the ranker and the pool cache of the door
that opened it, never a module-level cache. Functions that own their transactions (a chunk on a
worker) take the ``Runtime`` itself. A test swaps one part with ``dataclasses.replace``.
"""

from __future__ import annotations

import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from matcher.core.profiles import WeightProfile
from matcher.core.rankers import Ranker
from matcher.db import committing
from matcher.dispatch import Dispatcher, bind
from matcher.services.candidate_pool import PoolCache
from matcher.settings import Settings

_RUNTIME = "talentmatch.runtime"


class NoRuntime(RuntimeError):
    """A service was handed a session that no door opened through its ``Runtime``."""


@dataclass(frozen=True)
class Runtime:
    """The long-lived parts of one process. ``weight_profiles`` memoises weight profile rows as
    core profiles (rows never change: a change is a new row)."""

    settings: Settings
    engine: Engine
    ranker: Ranker
    dispatcher: Dispatcher
    pool_cache: PoolCache
    weight_profiles: dict[uuid.UUID, WeightProfile] = field(default_factory=dict)

    def session(self, *, expire_on_commit: bool = False) -> Session:
        """A session on this runtime's engine that carries the runtime and its dispatcher."""
        session = Session(self.engine, expire_on_commit=expire_on_commit)
        session.info[_RUNTIME] = self
        bind(session, self.dispatcher)
        return session

    def session_scope(self) -> AbstractContextManager[Session]:
        """A session that commits on success and rolls back on error (for commands and tasks)."""
        return committing(self.session())


def runtime_of(session: OrmSession) -> Runtime:
    """The runtime of the door that opened ``session`` (``Runtime.session``)."""
    runtime = session.info.get(_RUNTIME)
    if not isinstance(runtime, Runtime):
        raise NoRuntime("this session was not opened by a Runtime (matcher.runtime.Runtime.session)")
    return runtime
