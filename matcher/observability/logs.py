"""Structured logs: one JSON object per line carrying the request id and the run id.

``request_id`` is set by the API's middleware for the duration of a request (taken from the
``X-Request-ID`` header when the caller sent a sane one, else generated) and ``run_id`` by the
worker while it runs a chunk of a match run; every log record made meanwhile, in any module,
carries them (``ContextFilter``). ``configure(json_logs=True)`` installs the JSON formatter
(``python-json-logger``) on the root logger's handlers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

request_id: ContextVar[str | None] = ContextVar("talentmatch_request_id", default=None)
run_id: ContextVar[str | None] = ContextVar("talentmatch_run_id", default=None)

FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``run_id`` (None outside a request or a run) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.run_id = run_id.get()
        return True


def json_formatter() -> logging.Formatter:
    return JsonFormatter(FIELDS, rename_fields={"asctime": "time", "levelname": "level", "name": "logger"})


def configure(*, json_logs: bool, level: int = logging.INFO) -> None:
    """Root logging: JSON lines (or the plain format) with the context ids on every record."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    root.setLevel(level)
    for handler in root.handlers:
        if not any(isinstance(f, ContextFilter) for f in handler.filters):
            handler.addFilter(ContextFilter())
        if json_logs:
            handler.setFormatter(json_formatter())


@contextmanager
def bound(var: ContextVar[str | None], value: str | None) -> Iterator[None]:
    """``var`` set to ``value`` within the block."""
    token = var.set(value)
    try:
        yield
    finally:
        var.reset(token)
