"""End-to-end re-match benchmark: N open requirements against M candidates, in PostgreSQL,
with real Celery workers.

    uv run python -m bench.rematch --requirements 1000 --candidates 100000

Creates a scratch database next to ``TALENTMATCH_TEST_POSTGRES_URL`` (or uses
``--database-url``), seeds it from the generator (fixed seed; every requirement open), starts
one ``talentmatch worker --concurrency W`` (Redis from ``TALENTMATCH_TEST_REDIS_URL``, else the
embedded SQLite broker), starts the run with ``talentmatch rematch`` and waits for it.
Waits for the worker to be ready (it builds the pools and the ranker's index before forking its
processes, as a long-running worker has them), then times the run from ``rematch`` to its end.
Prints, and writes to ``bench/out/``, the wall time and the per-requirement breakdown
(``load``: requirement, profile and relations; ``rank``: the ranker; ``write``: the shortlist
upsert; ``total``: claim to commit) plus the one-off pool load per worker process and track.
``wall_s`` counts from launching ``talentmatch rematch`` (its start-up included) to the end;
``run_s`` from the run's creation to its end, as recorded in the database. With
``--max-seconds`` a run that is still going is cancelled and its total projected from the
throughput so far.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SEED = 424242
CLI = [sys.executable, "-c", "from matcher.cli import main; main()"]
OUT = Path(__file__).resolve().parent / "out"


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.rematch", description=__doc__.split("\n\n")[0])
    p.add_argument("--requirements", type=int, default=1000)
    p.add_argument("--candidates", type=int, default=100_000)
    p.add_argument(
        "--workers",
        default="2",
        help="Worker processes; a comma list (2,4) runs the re-match once per count on the same "
        "seeded database, one after the other, and prints the speed-up.",
    )
    p.add_argument("--chunk-size", type=int, default=25)
    p.add_argument("--database-url", help="An existing PostgreSQL database (seeded unless --no-seed).")
    p.add_argument("--no-seed", action="store_true", help="Use the data already in --database-url.")
    p.add_argument("--keep", action="store_true", help="Keep the scratch database.")
    p.add_argument("--max-seconds", type=float, help="Stop waiting after this long and project the total.")
    p.add_argument(
        "--first-match",
        action="store_true",
        help="Empty the shortlists first, so every entry is new (else: a re-match of existing ones).",
    )
    return p.parse_args(argv)


def _admin_url() -> str:
    url = os.environ.get("TALENTMATCH_TEST_POSTGRES_URL")
    if not url:
        sys.exit("set TALENTMATCH_TEST_POSTGRES_URL (a PostgreSQL server) or pass --database-url")
    return url


@contextmanager
def scratch_database(keep: bool) -> Iterator[str]:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from matcher.db import make_engine

    admin = make_engine(_admin_url()).execution_options(isolation_level="AUTOCOMMIT")
    name = f"tm_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(_admin_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        if keep:
            print(f"kept database {name}")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed(url: str, candidates: int, requirements: int) -> dict[str, float]:
    from pydantic import TypeAdapter

    from fixtures.generator import generate_candidates, generate_requirements
    from matcher.db import make_engine, session_scope, upgrade
    from matcher.schemas import CandidateIn, RequirementIn
    from matcher.services.imports import importing

    upgrade(url)
    engine = make_engine(url)
    timings = {}
    start = time.perf_counter()
    batch = 10_000
    for offset in range(0, candidates, batch):
        records = list(generate_candidates(min(batch, candidates - offset), SEED, start=offset))
        parsed = TypeAdapter(list[CandidateIn]).validate_python(records)
        with session_scope(engine) as session:
            importing.import_candidates(session, parsed, rematch=False)
    timings["seed_candidates_s"] = time.perf_counter() - start
    start = time.perf_counter()
    specs = [{**r, "status": "open"} for r in generate_requirements(requirements, SEED)]
    with session_scope(engine) as session:
        importing.import_requirements(
            session, TypeAdapter(list[RequirementIn]).validate_python(specs), rematch=False
        )
    timings["seed_requirements_s"] = time.perf_counter() - start
    engine.dispose()
    return timings


def pool_load_seconds(url: str) -> dict[str, float]:
    """How long building the pool takes (each worker process does it once)."""
    from sqlmodel import Session

    from matcher.db import make_engine
    from matcher.services.candidate_pool import load_pool

    engine = make_engine(url)
    out = {}
    with Session(engine) as session:
        start = time.perf_counter()
        pool = load_pool(session)
        out[f"pool ({len(pool)} candidates)"] = round(time.perf_counter() - start, 2)
    engine.dispose()
    return out


def broker_urls(url: str, tmp: Path) -> dict[str, str]:
    redis_url = os.environ.get("TALENTMATCH_TEST_REDIS_URL")
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
        return {"TALENTMATCH_BROKER_URL": redis_url, "TALENTMATCH_RESULT_BACKEND": f"db+{url}"}
    return {
        "TALENTMATCH_BROKER_URL": f"sqla+sqlite:///{tmp / 'broker.db'}",
        "TALENTMATCH_RESULT_BACKEND": f"db+sqlite:///{tmp / 'results.db'}",
    }


def _stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    return {
        "mean": round(statistics.fmean(ordered), 1),
        "p50": round(ordered[len(ordered) // 2], 1),
        "p95": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1),
        "max": round(ordered[-1], 1),
    }


def breakdown(url: str, run_id: uuid.UUID) -> dict[str, Any]:
    from sqlalchemy import select
    from sqlmodel import Session

    from matcher.db import make_engine
    from matcher.models import MatchRunRequirement

    mrr = MatchRunRequirement.__table__  # type: ignore[attr-defined]
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.execute(
            select(mrr.c.timings, mrr.c.duration_ms, mrr.c.eligible).where(
                mrr.c.run_id == run_id, mrr.c.status == "succeeded"
            )
        ).all()
    engine.dispose()
    per: dict[str, Any] = {
        phase: _stats([r.timings.get(f"{phase}_ms", 0.0) for r in rows])
        for phase in ("load", "rank", "write")
    }
    per["total"] = _stats([r.duration_ms for r in rows])
    per["eligible"] = _stats([float(r.eligible) for r in rows])
    return {"requirements_done": len(rows), "per_requirement_ms": per}


def wait_until_ready(log: Path, worker: subprocess.Popen[bytes], timeout: float = 600) -> float:
    """Seconds until the worker is ready (its pools and indexes built), from its start."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if worker.poll() is not None:
            sys.exit(f"the worker exited:\n{log.read_text(errors='replace')[-3000:]}")
        if b" ready." in log.read_bytes():
            return round(time.perf_counter() - start, 1)
        time.sleep(0.2)
    sys.exit("the worker did not get ready")


def worker_counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",")]
    except ValueError:
        sys.exit(f"--workers: {text!r} is not a comma list of whole numbers")
    if not counts or min(counts) < 1:
        sys.exit("--workers: every count must be at least 1")
    return counts


def run_benchmark(args: argparse.Namespace, url: str) -> dict[str, Any]:
    counts = worker_counts(args.workers)
    report: dict[str, Any] = {
        "requirements": args.requirements,
        "candidates": args.candidates,
        "first_match": args.first_match,
    }
    if not args.no_seed:
        report.update(seed(url, args.candidates, args.requirements))
    report["pool_load_s"] = pool_load_seconds(url)
    report["runs"] = [run_with_workers(args, url, workers) for workers in counts]
    if len(counts) > 1:
        first = report["runs"][0]["wall_s"]
        report["speed_up"] = {
            f"{counts[0]}->{r['workers']}": round(first / r["wall_s"], 2) for r in report["runs"][1:]
        }
    return report


def run_with_workers(args: argparse.Namespace, url: str, workers: int) -> dict[str, Any]:
    """One re-match of every open requirement with ``workers`` worker processes."""
    from sqlalchemy import delete

    from matcher.db import make_engine, session_scope
    from matcher.models import ShortlistEntry
    from matcher.services import runs

    report: dict[str, Any] = {"workers": workers}
    tmp = Path(tempfile.mkdtemp(prefix="tm-bench-"))
    env = {
        **os.environ,
        **broker_urls(url, tmp),
        "TALENTMATCH_DATABASE_URL": url,
        "TALENTMATCH_REMATCH_CHUNK_SIZE": str(args.chunk_size),
        "TALENTMATCH_AUTO_REMATCH": "false",
    }
    worker = subprocess.Popen(
        [*CLI, "worker", "--concurrency", str(workers), "--loglevel", "info"],
        env=env,
        cwd=tmp,
        stdout=(tmp / "worker.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    engine = make_engine(url)
    try:
        report["worker_ready_s"] = wait_until_ready(tmp / "worker.log", worker)
        if args.first_match:
            with session_scope(engine) as session:
                session.execute(delete(ShortlistEntry.__table__))  # type: ignore[attr-defined]
        start = time.perf_counter()
        out = subprocess.run([*CLI, "rematch"], env=env, cwd=tmp, capture_output=True, text=True, check=True)
        run_id = uuid.UUID(out.stdout.split()[1])
        while True:
            with session_scope(engine) as session:
                progress = runs.get_progress(session, run_id)
            elapsed = time.perf_counter() - start
            if progress.finished:
                break
            if args.max_seconds and elapsed > args.max_seconds:
                with session_scope(engine) as session:
                    runs.cancel_run(session, run_id, reason="benchmark cut short (--max-seconds)")
                break
            time.sleep(1)
        run_s = None
        if progress.finished_at is not None:
            run_s = round((progress.finished_at - progress.created_at).total_seconds(), 1)
        report.update(
            run_id=str(run_id),
            status=progress.status.value,
            run_s=run_s,
            processed=progress.processed,
            total=progress.total,
            wall_s=round(elapsed, 1),
            projected_s=round(elapsed * progress.total / max(progress.processed, 1), 1),
            requirements_per_s=round(progress.processed / elapsed, 2),
            shortlists={"entered": progress.entered, "left": progress.left, "moved": progress.moved},
        )
        report.update(breakdown(url, run_id))
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        engine.dispose()
    return report


def main(argv: Sequence[str] | None = None) -> None:
    from bench._machine import finished, line, machine

    args = _parse(argv)
    started = machine()
    print(line(started), flush=True)
    if args.database_url:
        report = run_benchmark(args, args.database_url)
    else:
        with scratch_database(args.keep) as url:
            report = run_benchmark(args, url)
    report["machine"] = finished(started)
    OUT.mkdir(exist_ok=True)
    path = OUT / f"rematch-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    for r in report["runs"]:
        print(
            f"{r['workers']} worker processes: {r['wall_s']} s wall, "
            f"{r['requirements_per_s']} requirements/s, ready after {r['worker_ready_s']} s"
        )
    if "speed_up" in report:
        print(f"speed-up: {report['speed_up']}")
    print(line(report["machine"]))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
