"""What a worker process sets up: its runtime (``matcher.bootstrap``) with one database engine per
process, warm candidate pools, and a recovery sweep.

Before forking its pool processes (``worker_init``), the main process builds its runtime, loads
every track's candidate pool and the ranker's index of it, then closes its connections: the pool
processes inherit the pools instead of each building its own (they rebuild only when candidates
change). Pool processes are forked from the worker's main process, so each builds its own runtime,
with an engine of its own, on ``worker_process_init`` (a connection must never be shared across a
fork). The main process
runs ``recover_stalled_runs`` every ``recovery_interval`` seconds from the moment the worker is
ready: work lost with a killed worker, or never enqueued because the broker was down, is
dispatched again by whichever worker sweeps first.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from typing import Any

from celery.signals import (
    after_setup_logger,
    worker_init,
    worker_process_init,
    worker_process_shutdown,
    worker_ready,
    worker_shutdown,
)
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matcher.bootstrap import Runtime, bootstrap
from matcher.db import make_engine, session_scope
from matcher.observability import logs, metrics
from matcher.services.matching import warm
from matcher.services.runs import recover_stalled_runs
from matcher.services.runs.triggers import retry_failed_triggers
from matcher.settings import get_settings
from tasks.dispatch import celery_sender, register

log = logging.getLogger(__name__)

_runtime: Runtime | None = None
_runtime_lock = threading.Lock()


def _build_runtime() -> Runtime:
    """A runtime whose engine is this process's own (never one inherited across a fork, hence
    ``make_engine`` rather than the cached ``get_engine``), sending tasks through Celery."""
    settings = get_settings()
    runtime = bootstrap(settings, engine=make_engine(settings.database_url))
    register(runtime.dispatcher)
    return runtime


def worker_runtime() -> Runtime:
    """This process's runtime (built on first use when there is no pool, e.g. ``--pool solo``)."""
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            _runtime = _build_runtime()
        return _runtime


def worker_engine() -> Engine:
    """This process's engine: its runtime's."""
    return worker_runtime().engine


@after_setup_logger.connect
def _structured_logs(**_: Any) -> None:
    logs.configure(json_logs=get_settings().log_format == "json")


@worker_init.connect
def _warm_pools(**_: Any) -> None:
    global _runtime
    runtime = _runtime = _build_runtime()
    settings, engine = runtime.settings, runtime.engine
    if settings.worker_metrics_port is not None:
        metrics.serve(settings.worker_metrics_port, settings.worker_metrics_host)
    started = time.perf_counter()
    try:
        with Session(engine) as session:
            size = warm(session, runtime.pool_cache)
        took = time.perf_counter() - started
        metrics.COLD_START_SECONDS.set(took)
        log.info(
            "candidate pool ready: %d candidates in %.2f s (index snapshot: %s)",
            size,
            took,
            settings.index_snapshot_dir or "off",
        )
    except Exception:
        log.exception("could not warm the candidate pools; each pool process will build its own")
    finally:
        engine.dispose()


@worker_process_init.connect
def _init_process(**_: Any) -> None:
    global _runtime
    _forget_broker_engines()
    if _runtime is not None:  # the parent's: leave its connections to it
        _runtime.engine.dispose(close=False)
    _runtime = _build_runtime()


@worker_process_shutdown.connect
def _forget_process_metrics(pid: int | None = None, **_: Any) -> None:
    metrics.mark_process_dead(pid or os.getpid())


def _forget_broker_engines() -> None:
    """Drop the SQLite broker connections inherited from the parent without closing them."""
    from kombu.transport.sqlalchemy import Channel

    for engine, _session in Channel._engines.values():
        engine.dispose(close=False)


class Sweeper(threading.Thread):
    """Calls ``recover_stalled_runs`` at once, then every ``interval`` seconds (jittered)."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="talentmatch-sweeper", daemon=True)
        self.interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        engine = make_engine(get_settings().database_url)
        try:
            while True:
                try:
                    with session_scope(engine) as session:
                        recover_stalled_runs(session, dispatch=celery_sender)
                        retry_failed_triggers(session, dispatch=celery_sender)
                except Exception:
                    log.exception("recovery sweep failed")
                if self._stop_event.wait(self.interval * random.uniform(0.8, 1.2)):
                    return
        finally:
            engine.dispose()

    def stop(self) -> None:
        self._stop_event.set()


_sweeper: Sweeper | None = None


@worker_ready.connect
def _start_sweeper(**_: Any) -> None:
    global _sweeper
    _sweeper = Sweeper(get_settings().recovery_interval)
    _sweeper.start()


@worker_shutdown.connect
def _stop_sweeper(**_: Any) -> None:
    if _sweeper is not None:
        _sweeper.stop()
