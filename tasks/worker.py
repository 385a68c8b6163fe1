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
from dataclasses import replace
from typing import Any

from celery.signals import (
    after_setup_logger,
    worker_init,
    worker_process_init,
    worker_process_shutdown,
    worker_ready,
    worker_shutdown,
)

from matcher.bootstrap import Runtime, bootstrap
from matcher.db import make_engine
from matcher.observability import logs, metrics
from matcher.services.candidate_pool import PoolCache
from matcher.services.matching import warm
from matcher.services.runs import recover_stalled_runs
from matcher.services.runs.triggers import retry_failed_triggers
from matcher.settings import get_settings
from tasks.dispatch import register

log = logging.getLogger(__name__)

_runtime: Runtime | None = None
_runtime_lock = threading.Lock()


def _build_runtime(pool_cache: PoolCache | None = None) -> Runtime:
    """A runtime whose engine is this process's own (never one inherited across a fork, hence
    ``make_engine`` rather than the cached ``get_engine``), sending tasks through Celery; a
    forked pool process keeps the pool cache its parent warmed (``pool_cache``)."""
    settings = get_settings()
    runtime = bootstrap(settings, engine=make_engine(settings.database_url), pool_cache=pool_cache)
    register(runtime.dispatcher)
    return runtime


def worker_runtime() -> Runtime:
    """This process's runtime (built on first use when there is no pool, e.g. ``--pool solo``)."""
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            _runtime = _build_runtime()
        return _runtime


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
        with runtime.session() as session:
            size = warm(session)
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
    inherited = _runtime
    if inherited is not None:  # the parent's: leave its connections to it, keep its warm pool
        inherited.engine.dispose(close=False)
    _runtime = _build_runtime(inherited.pool_cache if inherited is not None else None)


@worker_process_shutdown.connect
def _forget_process_metrics(pid: int | None = None, **_: Any) -> None:
    metrics.mark_process_dead(pid or os.getpid())


def _forget_broker_engines() -> None:
    """Drop the SQLite broker connections inherited from the parent without closing them."""
    from kombu.transport.sqlalchemy import Channel

    for engine, _session in Channel._engines.values():
        engine.dispose(close=False)


class Sweeper(threading.Thread):
    """Calls ``recover_stalled_runs`` at once, then every ``interval`` seconds (jittered), with
    the worker's runtime on an engine of its own (the main process's pool processes are forked
    while it runs)."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(name="talentmatch-sweeper", daemon=True)
        self.runtime = runtime
        self.interval = runtime.settings.recovery_interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        runtime = replace(self.runtime, engine=make_engine(self.runtime.settings.database_url))
        engine = runtime.engine
        try:
            while True:
                try:
                    with runtime.session_scope() as session:
                        recover_stalled_runs(session)
                        retry_failed_triggers(session)
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
    _sweeper = Sweeper(worker_runtime())
    _sweeper.start()


@worker_shutdown.connect
def _stop_sweeper(**_: Any) -> None:
    if _sweeper is not None:
        _sweeper.stop()
