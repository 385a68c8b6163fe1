"""API load benchmark: shortlist reads at 50 concurrent connections on loopback, on PostgreSQL.

    uv run python -m bench.api_load --candidates 5000 --requirements 20 --concurrency 50

Creates a scratch database next to ``TALENTMATCH_TEST_POSTGRES_URL`` (or uses
``--database-url``), seeds it from the generator, matches every requirement (inline), creates a
client and a recruiter key, starts the API (``bench._same_bytes_app``: ``api.main:app`` plus one
bench-only route) with uvicorn as a subprocess on 127.0.0.1 and
drives ``GET /api/v1/requirements/{id}/shortlist`` from ``--concurrency`` connections (one
``httpx.AsyncClient`` with one keep-alive connection each): half the requests with the client
key (anonymised view), half with the recruiter key (full view), each a page of ``--page``
entries. It stops after ``--requests`` requests or ``--seconds`` seconds, whichever comes first,
after a short warm-up. Prints, and writes to ``bench/out/``, p50/p90/p99 latency and requests
per second.

Same run, same server, same keys and concurrency: the same-bytes peer. Each page (per requirement
and key) is captured first and stored in the server; a second phase then asks for those exact
bytes from a route that only authenticates and sends them. The ratios (server CPU per request,
from ``/proc``; p50; requests/s) say what a shortlist page costs beyond sending its bytes.
The seed presents each shortlist's top 10 with one UPDATE and then serialises those entries
again (``fragments.refresh``), as presenting through the service does: pages are read from the
entries' stored JSON, as after any real write.

A third phase repeats the shortlist requests with each page's ETag in ``If-None-Match``: the
cost of a conditional read of an unchanged page (a 304 without a body), reported beside.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx

from bench._machine import finished, line, machine
from bench.rematch import scratch_database

SEED = 515151
#: The API plus the same-bytes route (bench/_same_bytes_app.py).
APP = "bench._same_bytes_app:app"
OUT = Path(__file__).resolve().parent / "out"


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.api_load", description=__doc__.split("\n\n")[0])
    p.add_argument("--candidates", type=int, default=5000)
    p.add_argument("--requirements", type=int, default=20)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--requests", type=int, default=10_000, help="Stop after this many requests.")
    p.add_argument("--seconds", type=float, default=30.0, help="Stop after this long.")
    p.add_argument("--warmup", type=int, default=200, help="Requests sent (and not measured) first.")
    p.add_argument("--page", type=int, default=50, help="Shortlist entries per request.")
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes.")
    p.add_argument("--database-url", help="An existing PostgreSQL database (seeded unless --no-seed).")
    p.add_argument("--no-seed", action="store_true")
    p.add_argument("--keep", action="store_true", help="Keep the scratch database.")
    return p.parse_args(argv)


def seed(url: str, candidates: int, requirements: int) -> list[str]:
    """Candidates and open requirements, every shortlist computed; the requirement ids."""
    from pydantic import TypeAdapter

    from fixtures.generator import generate_candidates, generate_requirements
    from matcher.bootstrap import bootstrap
    from matcher.db import make_engine, upgrade
    from matcher.models.tables import ENTRY
    from matcher.schemas import CandidateIn, RequirementIn
    from matcher.services import runs
    from matcher.services.imports import importing
    from matcher.services.shortlists import fragments

    upgrade(url)
    runtime = bootstrap(engine=make_engine(url))
    engine = runtime.engine
    for offset in range(0, candidates, 10_000):
        records = list(generate_candidates(min(10_000, candidates - offset), SEED, start=offset))
        with runtime.session_scope() as session:
            importing.import_candidates(
                session, TypeAdapter(list[CandidateIn]).validate_python(records), rematch=False
            )
    specs = [{**r, "status": "open"} for r in generate_requirements(requirements, SEED, clients=["bench"])]
    with runtime.session_scope() as session:
        result = importing.import_requirements(
            session, TypeAdapter(list[RequirementIn]).validate_python(specs), rematch=False
        )
        run = runs.start_run(session, result.ids, dispatch=lambda *_: None)
    runs.run_inline(runtime, run.id)
    with engine.begin() as conn:  # a client sees only what was presented: present each top 10
        conn.exec_driver_sql(
            "UPDATE shortlist_entry SET stage = 'presented', presented_at = now() WHERE rank <= 10"
        )
    with runtime.session_scope() as session:  # and serialise them again, as presenting does
        fragments.refresh(session, ENTRY.c.rank <= 10)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")  # what autovacuum does soon after a bulk load
    engine.dispose()
    return with_shortlists(url)


def with_shortlists(url: str) -> list[str]:
    """Requirements whose shortlist has at least one active entry (the ones worth reading)."""
    from sqlalchemy import text

    from matcher.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        ids = [
            str(r[0])
            for r in conn.execute(
                text("SELECT DISTINCT requirement_id FROM shortlist_entry WHERE state = 'active' ORDER BY 1")
            )
        ]
    engine.dispose()
    return ids


def make_keys(url: str, client: str) -> dict[str, str]:
    from matcher.db import make_engine, session_scope
    from matcher.models import Role
    from matcher.services.accounts import service as accounts

    operator = accounts.Principal.console("system")
    engine = make_engine(url)
    with session_scope(engine) as session:
        keys = {
            "client": accounts.create_key(
                session, operator, Role.client, client=client, label="bench"
            ).secret,
            "recruiter": accounts.create_key(session, operator, Role.recruiter, label="bench").secret,
        }
    engine.dispose()
    return keys


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, workers: int, tmp: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TALENTMATCH_DATABASE_URL": url,
        "TALENTMATCH_BROKER_URL": f"sqla+sqlite:///{tmp / 'broker.db'}",
        "TALENTMATCH_RESULT_BACKEND": f"db+sqlite:///{tmp / 'results.db'}",
        "TALENTMATCH_AUTO_REMATCH": "false",
        "TALENTMATCH_DEV_MODE": "true",  # a scratch server with the default session secret
        "TALENTMATCH_RATE_LIMIT": os.environ.get("TALENTMATCH_RATE_LIMIT", ""),  # raw throughput: off
    }
    cmd = [sys.executable, "-m", "uvicorn", APP, "--host", "127.0.0.1", "--port", str(port)]
    # A keep-alive timeout longer than uvicorn's 5 s: on a saturated 2-CPU box the event loop can
    # be late enough to close a connection whose next request is already on the wire.
    cmd += [
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
        "--timeout-keep-alive",
        "75",
    ]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp / "server.log", "wb"))


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    sys.exit("the server did not answer /healthz in time")


def page_path(rid: str, who: str, same_bytes: bool) -> str:
    return f"/bench/bytes/{rid}-{who}" if same_bytes else f"/api/v1/requirements/{rid}/shortlist"


async def capture_pages(
    base: str, keys: dict[str, str], ids: list[str], page: int, etags: dict[str, str]
) -> int:
    """Store each shortlist page's bytes (per requirement and key) for the same-bytes route, and
    its ETag in ``etags`` (by same-bytes path); the mean page size in bytes."""
    sizes = []
    async with httpx.AsyncClient(base_url=base, timeout=30.0) as http:
        for rid in ids:
            for who, key in keys.items():
                auth = {"Authorization": f"Bearer {key}"}
                r = await http.get(page_path(rid, who, False), params={"limit": page}, headers=auth)
                r.raise_for_status()
                stored = await http.put(page_path(rid, who, True), content=r.content, headers=auth)
                stored.raise_for_status()
                sizes.append(len(r.content))
                etags[page_path(rid, who, True)] = r.headers["etag"]
    return round(statistics.fmean(sizes))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children that were waited for (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(x) for x in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


async def drive(
    base: str,
    keys: dict[str, str],
    ids: list[str],
    args: argparse.Namespace,
    same_bytes: bool = False,
    etags: dict[str, str] | None = None,
) -> tuple[list[float], int, float, dict[int | str, int]]:
    """Latencies (s) of the measured requests, how many failed, the measured wall time, statuses
    (an exception's name when there was no response, e.g. a timeout). With ``etags``, each
    shortlist request sends its page's ETag in If-None-Match and succeeds on a 304."""
    latencies: list[float] = []
    statuses: dict[int | str, int] = {}
    failed = 0
    issued = 0
    total = args.warmup + args.requests
    measuring_from = 0.0
    stop_at = float("inf")

    async def worker(http: httpx.AsyncClient) -> None:
        nonlocal issued, failed, measuring_from, stop_at
        while issued < total and time.perf_counter() < stop_at:
            i = issued
            issued += 1
            who = "client" if i % 2 == 0 else "recruiter"
            path = page_path(ids[i % len(ids)], who, same_bytes)
            headers = {"Authorization": f"Bearer {keys[who]}"}
            if etags is not None:
                headers["If-None-Match"] = etags[page_path(ids[i % len(ids)], who, True)]
            start = time.perf_counter()
            status: int | str
            try:
                r = await http.get(path, params={"limit": args.page}, headers=headers)
                if etags is not None:
                    status, ok = r.status_code, r.status_code == 304
                else:
                    status, ok = r.status_code, r.status_code == 200 and bool(r.json()["items"])
            except httpx.HTTPError as exc:
                status, ok = type(exc).__name__, False
            elapsed = time.perf_counter() - start
            if i == args.warmup:
                measuring_from = start
                stop_at = start + args.seconds
            if i >= args.warmup:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
                failed += not ok

    # One client, with one keep-alive connection, per simulated user. A single client with a
    # pool of ``concurrency`` connections rescans the whole pool (a getpeername() per
    # connection) each time a request starts or ends: at 50 connections that cost the load
    # generator more CPU per request than the server spends, on the same two cores.
    one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=base, limits=one, timeout=30.0))
            for _ in range(args.concurrency)
        ]
        began = time.perf_counter()
        await asyncio.gather(*(worker(http) for http in clients))
        wall = time.perf_counter() - (measuring_from or began)
    return latencies, failed, wall, statuses


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(
    latencies: list[float], failed: int, wall: float, statuses: dict[int | str, int], args: Any
) -> dict[str, Any]:
    return {
        "benchmark": "api_load",
        "endpoint": "GET /api/v1/requirements/{id}/shortlist (half client view, half staff view)",
        "concurrency": args.concurrency,
        "uvicorn_workers": args.workers,
        "page_size": args.page,
        "candidates": args.candidates,
        "requirements": args.requirements,
        "requests": len(latencies),
        "failed": failed,
        "statuses": statuses,
        "wall_s": round(wall, 2),
        "requests_per_s": round(len(latencies) / wall, 1) if wall else 0.0,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p90_ms": round(percentile(latencies, 0.90) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1),
        "machine": finished(args.machine),
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    args.machine = machine()
    print(line(args.machine), flush=True)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        if args.database_url:
            url = args.database_url
            ids = with_shortlists(url) if args.no_seed else seed(url, args.candidates, args.requirements)
            return _run(url, ids, args, tmp)
        with scratch_database(args.keep) as url:
            print(
                f"seeding {args.candidates} candidates and {args.requirements} requirements ...", flush=True
            )
            ids = seed(url, args.candidates, args.requirements)
            return _run(url, ids, args, tmp)


def _run(url: str, ids: list[str], args: argparse.Namespace, tmp: Path) -> int:
    if not ids:
        sys.exit("no requirement has a shortlist to read")
    keys = make_keys(url, "bench")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(url, port, args.workers, tmp)
    phases: dict[str, dict[str, Any]] = {}
    try:
        wait_ready(base, server)
        etags: dict[str, str] = {}
        page_bytes = asyncio.run(capture_pages(base, keys, ids, args.page, etags))
        for name, same, tags in (
            ("shortlist", False, None),
            ("same_bytes", True, None),
            ("not_modified", False, etags),
        ):
            cpu = cpu_seconds(server.pid)
            latencies, failed, wall, statuses = asyncio.run(drive(base, keys, ids, args, same, tags))
            cpu = cpu_seconds(server.pid) - cpu
            phases[name] = report(latencies, failed, wall, statuses, args)
            # warm-up requests ran in the same interval: CPU is divided over all of them
            phases[name]["server_cpu_ms_per_request"] = round(cpu * 1000 / (len(latencies) + args.warmup), 2)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log = (tmp / "server.log").read_text(errors="replace").strip()
        if log:
            print("server log (last lines):\n" + "\n".join(log.splitlines()[-20:]), file=sys.stderr)
    page, copy, cached = phases["shortlist"], phases["same_bytes"], phases["not_modified"]
    summary = ("requests_per_s", "p50_ms", "p99_ms", "server_cpu_ms_per_request")
    result = {
        **page,
        "page_bytes_mean": page_bytes,
        "same_bytes": {k: copy[k] for k in summary},
        # the same requests with If-None-Match: the page unchanged, a 304 without a body
        "not_modified": {k: cached[k] for k in (*summary, "statuses")},
        "ratio_page_vs_same_bytes": {
            "server_cpu_per_request": round(
                page["server_cpu_ms_per_request"] / max(copy["server_cpu_ms_per_request"], 1e-9), 2
            ),
            "p50": round(page["p50_ms"] / max(copy["p50_ms"], 1e-9), 2),
            "requests_per_s": round(copy["requests_per_s"] / max(page["requests_per_s"], 1e-9), 2),
        },
    }
    failed = page["failed"] + copy["failed"] + cached["failed"]
    print(json.dumps(result, indent=2))
    OUT.mkdir(exist_ok=True)
    (OUT / "api_load.json").write_text(json.dumps(result, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
