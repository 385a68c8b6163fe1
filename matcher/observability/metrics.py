"""Prometheus metrics of the API, the workers and the matcher (``prometheus-client``).

Every process records into the module-level metrics below. With ``PROMETHEUS_MULTIPROC_DIR``
set (uvicorn with several workers, Celery's prefork pool) each process writes its values to files
in that folder and ``exposition`` merges them, so one scrape sees every process of the host; the
folder must be empty when the processes start (compose mounts a fresh tmpfs). Gauges say how
processes combine (``multiprocess_mode``).

Two figures are read from the database at scrape time instead (``DatabaseCollector``): the work
queue depth (requirements of match runs not finished yet) and the duration of the last finished
run: they are the same whichever process asks.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

__all__ = ["CONTENT_TYPE_LATEST", "exposition"]

_FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_SLOW = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)

REQUEST_SECONDS = Histogram(
    "talentmatch_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status.",
    ["method", "route", "status"],
    buckets=_FAST,
)
RANKING_SECONDS = Histogram(
    "talentmatch_ranking_duration_seconds",
    "Time to rank one requirement against the pool (top N, explanations included).",
    buckets=_FAST,
)
RANKING_ELIGIBLE = Histogram(
    "talentmatch_ranking_eligible_candidates",
    "Candidates of the pool eligible for a requirement, per ranking.",
    buckets=(0, 10, 100, 1_000, 10_000, 100_000, 1_000_000),
)
POOL_CANDIDATES = Gauge(
    "talentmatch_pool_candidates",
    "Candidates in the pool a process ranks against.",
    multiprocess_mode="max",
)
CHUNK_SECONDS = Histogram(
    "talentmatch_run_chunk_duration_seconds",
    "Time a worker spent on one chunk of a match run (the task).",
    ["outcome"],
    buckets=_SLOW,
)
SNAPSHOT_BYTES = Gauge(
    "talentmatch_index_snapshot_bytes",
    "Size of the index snapshot a process maps.",
    multiprocess_mode="max",
)
SNAPSHOT_CREATED = Gauge(
    "talentmatch_index_snapshot_created_timestamp_seconds",
    "When the mapped index snapshot was written (age = time() - this).",
    multiprocess_mode="max",
)
SNAPSHOT_DELTA = Gauge(
    "talentmatch_index_snapshot_delta_candidates",
    "Candidates applied on top of the mapped snapshot since it was written.",
    multiprocess_mode="max",
)
COLD_START_SECONDS = Gauge(
    "talentmatch_worker_cold_start_seconds",
    "Time a worker took from start-up to a warm pool (index built or snapshot mapped).",
    multiprocess_mode="mostrecent",
)


def observe_ranking(seconds: float, eligible: int, pool: int) -> None:
    RANKING_SECONDS.observe(seconds)
    RANKING_ELIGIBLE.observe(eligible)
    POOL_CANDIDATES.set(pool)


@contextmanager
def chunk_timer() -> Iterator[None]:
    """Observe the block's duration as one chunk ("ok", or "error" when it raised)."""
    started = time.perf_counter()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    finally:
        CHUNK_SECONDS.labels(outcome).observe(time.perf_counter() - started)


def observe_snapshot(nbytes: int, created_at: dt.datetime, delta: int) -> None:
    SNAPSHOT_BYTES.set(nbytes)
    SNAPSHOT_CREATED.set(created_at.timestamp())
    SNAPSHOT_DELTA.set(delta)


class DatabaseCollector(Collector):
    """Queue depth and the last run's duration, read from the database when scraped."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from matcher.models import MatchRun, MatchRunRequirement
        from matcher.models.runs import RunStatus

        runs = MatchRun.__table__  # type: ignore[attr-defined]
        work = MatchRunRequirement.__table__  # type: ignore[attr-defined]
        unfinished = (RunStatus.queued.value, RunStatus.running.value)
        with self.engine.connect() as conn:
            depth = conn.execute(select(func.count()).where(work.c.status.in_(unfinished))).scalar_one()
            last = conn.execute(
                select(runs.c.started_at, runs.c.created_at, runs.c.finished_at)
                .where(runs.c.finished_at.is_not(None))
                .order_by(runs.c.finished_at.desc())
                .limit(1)
            ).first()
        yield GaugeMetricFamily(
            "talentmatch_queue_depth",
            "Requirements of match runs not matched yet (queued or running).",
            value=depth,
        )
        seconds = 0.0
        if last is not None:
            seconds = (last.finished_at - (last.started_at or last.created_at)).total_seconds()
        yield GaugeMetricFamily(
            "talentmatch_run_last_duration_seconds",
            "Duration of the most recently finished match run (0 before the first).",
            value=seconds,
        )


def process_registry() -> CollectorRegistry:
    """Every process's metrics when ``PROMETHEUS_MULTIPROC_DIR`` is set, else this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def exposition(engine: Engine | None = None) -> bytes:
    """The text exposition of the metrics (and the database figures when given an engine)."""
    body = generate_latest(process_registry())
    if engine is not None:
        extra = CollectorRegistry()
        extra.register(DatabaseCollector(engine))
        body += generate_latest(extra)
    return body


def serve(port: int, host: str) -> None:
    """Serve every process's metrics over HTTP from this process (a worker's main process)."""
    start_http_server(port, addr=host, registry=process_registry())


def mark_process_dead(pid: int) -> None:
    """Drop a dead process's live gauges (Celery pool processes come and go)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)
