"""The dispatch port: services enqueue background work by task name, after their transaction.

Services never import Celery nor ``tasks``: they call ``enqueue(session, task, args)``. The work
is held on that session and handed to a *sender* once the session's transaction commits; a
rollback drops it, so a worker never looks for rows that are not there. Each ``Runtime``
(``matcher.runtime``) has a ``Dispatcher`` of its own, and every session it opens carries it
(``bind``): there is no process-wide one. The door registers its sender on it at start-up
(``tasks.dispatch.register(runtime.dispatcher)``); the demo and the tests put another sender in
place for a while (``runtime.dispatcher.using(sender)``), e.g. one that runs the work inline.

Only the sessions that enqueued something carry listeners (instance events, which live as long
as that session): nothing is registered on SQLAlchemy's ``Session`` class.

A sender that fails is logged, never raised: the change it follows is committed either way, and
the caller's ``on_failure`` (if any) records that the work is owed (the recovery sweep finds it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

#: Re-match every open requirement (the scheduled run); no arguments.
REMATCH_ALL = "talentmatch.rematch_all"
#: Match one chunk of a run: ``[run_id, [requirement_id, ...]]`` (strings).
REMATCH_CHUNK = "talentmatch.rematch_chunk"

_PENDING = "talentmatch.after_commit"
_HOOKED = "talentmatch.after_commit_hooked"
_ENQUEUED = "talentmatch.enqueued"


class Sender(Protocol):
    """Sends one task by name, with JSON arguments (Celery's ``send_task``, or an inline runner).
    A sender may also answer ``reachable() -> bool`` (whether its queue can be reached now)."""

    def __call__(self, task: str, args: list[Any]) -> None: ...


class DispatchUnavailable(RuntimeError):
    """No sender was registered: the process never set up its task queue."""


class Dispatcher:
    """The sender in use: the one registered at start-up, or one put in place for a while."""

    def __init__(self) -> None:
        self._registered: Sender | None = None
        self._current: Sender | None = None

    def register(self, sender: Sender) -> None:
        self._registered = sender

    @property
    def sender(self) -> Sender:
        sender = self._current or self._registered
        if sender is None:
            raise DispatchUnavailable("no task sender registered (tasks.dispatch.register)")
        return sender

    @contextmanager
    def using(self, sender: Sender) -> Iterator[Sender]:
        """Send with ``sender`` inside the block (the demo and tests run work inline)."""
        previous, self._current = self._current, sender
        try:
            yield sender
        finally:
            self._current = previous

    def reachable(self, sender: Sender | None = None) -> bool:
        """Whether the sender's queue can be reached now (a sender that cannot tell: yes)."""
        try:
            probe = getattr(sender or self.sender, "reachable", None)
        except DispatchUnavailable:
            return False
        return probe is None or bool(probe())


_DISPATCHER = "talentmatch.dispatcher"


def bind(session: Session, dispatcher: Dispatcher) -> None:
    """Make ``dispatcher`` the one that work enqueued on ``session`` goes through."""
    session.info[_DISPATCHER] = dispatcher


def dispatcher_of(session: Session) -> Dispatcher | None:
    """The dispatcher bound to ``session`` (none: the session was not opened by a runtime)."""
    dispatcher = session.info.get(_DISPATCHER)
    return dispatcher if isinstance(dispatcher, Dispatcher) else None


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's outermost transaction commits; drop it on rollback.

    A failing callback is logged, not raised."""
    session.info.setdefault(_PENDING, []).append(callback)
    if not session.info.get(_HOOKED):
        session.info[_HOOKED] = True
        event.listen(session, "after_commit", _run_pending)
        event.listen(session, "after_transaction_end", _drop_pending)


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """A savepoint that takes the work enqueued inside it along: if the block raises, the
    savepoint is rolled back and what was enqueued inside it is dropped, so no worker is sent
    work whose rows were never committed."""
    pending = len(session.info.get(_PENDING, []))
    enqueued_before = len(session.info.get(_ENQUEUED, []))
    try:
        with session.begin_nested():
            yield
    except BaseException:
        del session.info.get(_PENDING, [])[pending:]
        del session.info.get(_ENQUEUED, [])[enqueued_before:]
        raise


def _run_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the work is not committed until the outer transaction is
    for callback in session.info.pop(_PENDING, []):
        try:
            callback()
        except Exception:
            log.exception("after-commit callback failed")


def _drop_pending(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_PENDING, None)
        session.info.pop(_ENQUEUED, None)


def enqueue(
    session: Session,
    task: str,
    args: list[Any],
    *,
    sender: Sender | None = None,
    on_failure: Callable[[], None] | None = None,
) -> None:
    """Send ``task`` with ``args`` after the session's transaction commits (with ``sender``, else
    the sender of the session's dispatcher, chosen now). ``on_failure`` runs if sending fails."""
    session.info.setdefault(_ENQUEUED, []).append(task)
    chosen = sender
    dispatcher = dispatcher_of(session)
    if chosen is None and dispatcher is not None:
        try:
            chosen = dispatcher.sender
        except DispatchUnavailable:
            chosen = None

    def send() -> None:
        try:
            if chosen is None:
                raise DispatchUnavailable("no task sender registered (tasks.dispatch.register)")
            chosen(task, args)
        except Exception:
            log.exception("sending %s failed", task)
            if on_failure is not None:
                on_failure()

    after_commit(session, send)


def enqueued(session: Session, task: str) -> bool:
    """Whether the session's current transaction enqueued ``task``."""
    return task in session.info.get(_ENQUEUED, ())
