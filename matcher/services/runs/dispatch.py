"""Handing a run's chunks to the workers: through ``matcher.dispatch`` after the caller's commit.

Functions take the caller's ``session`` and never commit; a failed send marks the run
undispatched in a transaction of its own (the recovery sweep then picks it up at once)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession

from matcher.dispatch import REMATCH_CHUNK, Sender, dispatcher_of, enqueue, enqueued
from matcher.models.tables import RUN

log = logging.getLogger(__name__)


#: Where a run's chunks go: a ``matcher.dispatch.Sender`` (Celery, or in-process).
Dispatch = Sender


def rematch_pending(session: OrmSession) -> bool:
    """Whether this transaction started a run whose dispatch cannot reach the broker now (the
    session's dispatcher's): the write stands, and the run waits for the broker (``send_chunks``)."""
    if not enqueued(session, REMATCH_CHUNK):
        return False
    dispatcher = dispatcher_of(session)
    return dispatcher is None or not dispatcher.reachable()


def send_chunks(
    session: OrmSession, send: Sender | None, run_id: uuid.UUID, chunks: list[list[uuid.UUID]]
) -> None:
    """Enqueue a run's chunks after commit; if that fails (the broker is down), clear the run's
    ``dispatched_at`` so that the next sweep of any worker re-dispatches it at once instead of
    waiting ``claim_timeout`` for it to look stalled."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine

    def release() -> None:
        try:
            with engine.begin() as conn:
                conn.execute(update(RUN).where(RUN.c.id == run_id).values(dispatched_at=None))
        except Exception:
            log.exception("could not mark run %s as undispatched", run_id)

    for chunk in chunks:
        args = [str(run_id), [str(r) for r in chunk]]
        enqueue(session, REMATCH_CHUNK, args, sender=send, on_failure=release)


def chunked(ids: Sequence[uuid.UUID], size: int) -> list[list[uuid.UUID]]:
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]
