"""The Celery side of ``matcher.dispatch``: a sender that enqueues tasks by name on a broker.

``register(runtime.dispatcher)`` makes it the sender of a runtime's dispatcher; the API and the
worker call it at start-up (the CLI registers one that loads Celery on first use).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from kombu import Connection

from matcher.dispatch import Dispatcher
from matcher.settings import get_settings
from tasks.app import app, make_app

log = logging.getLogger(__name__)


class CelerySender:
    """Enqueue tasks on a Celery broker (the workers' own app unless ``broker_url``), and tell
    whether that broker can be reached right now (``reachable``, cached briefly)."""

    #: How long a probe's answer stands: a reachable broker is not probed on every write, and
    #: an unreachable one not waited for on every write either.
    REACHABLE_FOR, UNREACHABLE_FOR = 10.0, 2.0
    PROBE_TIMEOUT = 1.0

    def __init__(self, broker_url: str | None = None) -> None:
        self.broker_url = broker_url
        self._known: tuple[float, bool] | None = None

    def __call__(self, task: str, args: list[Any]) -> None:
        if self.broker_url is None:  # the workers' own app (honours its settings, e.g. eager tests)
            if task not in app.tasks:
                app.loader.import_default_modules()  # its ``include``: the modules defining the tasks
            app.tasks[task].apply_async(args=args)
            return
        other = make_app(get_settings().model_copy(update={"broker_url": self.broker_url}))
        try:
            other.send_task(task, args=args)
        finally:
            other.close()

    def reachable(self) -> bool:
        now = time.monotonic()
        if self._known is not None:
            at, ok = self._known
            if now - at < (self.REACHABLE_FOR if ok else self.UNREACHABLE_FOR):
                return ok
        try:
            with Connection(
                self.broker_url or get_settings().broker_url, connect_timeout=self.PROBE_TIMEOUT
            ) as c:
                c.ensure_connection(max_retries=1, timeout=self.PROBE_TIMEOUT)
            ok = True
        except Exception as exc:
            log.warning("the task broker is unreachable: %s", exc)
            ok = False
        self._known = (time.monotonic(), ok)
        return ok


celery_sender = CelerySender()


def register(port: Dispatcher) -> CelerySender:
    """Make the Celery sender the one a runtime's services enqueue through (at start-up)."""
    port.register(celery_sender)
    return celery_sender
