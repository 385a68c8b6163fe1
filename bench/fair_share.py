"""Fair share: client A saturates its rate limit while client B's latency stays near idle.

    uv run python -m bench.fair_share --candidates 3000 --requirements 10 --seconds 10

On a scratch PostgreSQL database next to ``TALENTMATCH_TEST_POSTGRES_URL`` (seeded from the
generator, every shortlist matched), two API servers are started in turn on loopback with
``uvicorn api.main:app``: one with the per-key rate limit (``--rate-limit``, the production
default) and one without. Against each, client B first reads ``GET /api/v1/me`` one request
after another for ``--seconds`` (idle), then again while client A, from a separate process,
reads shortlists from ``--concurrency`` connections as fast as it can, ignoring 429s (a
hostile or broken client). Reports B's p50/p90 idle and under load, their ratio, and A's
answers (200 and 429); writes ``bench/out/fair_share.json``. The claim checked: with the
limit, B's loaded p50 is within 2x of its idle p50.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx

from bench._machine import finished, line, machine
from bench.api_load import OUT, free_port, percentile, seed, start_server, wait_ready
from bench.rematch import scratch_database

DEFAULT_LIMIT = "10/second;300/minute"
#: Client B's pause between requests: about 2.5 a second, inside any sensible limit.
PACE = 0.4


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.fair_share", description=__doc__.split("\n\n")[0])
    p.add_argument("--candidates", type=int, default=3000)
    p.add_argument("--requirements", type=int, default=10)
    p.add_argument("--concurrency", type=int, default=50, help="Client A's connections.")
    p.add_argument("--seconds", type=float, default=10.0, help="Length of each measured phase.")
    p.add_argument("--page", type=int, default=50)
    p.add_argument("--rate-limit", default=DEFAULT_LIMIT, help="The limited server's TALENTMATCH_RATE_LIMIT.")
    p.add_argument("--keep", action="store_true", help="Keep the scratch database.")
    return p.parse_args(argv)


def _keys(url: str) -> dict[str, str]:
    from matcher.db import make_engine, session_scope
    from matcher.models import Role
    from matcher.services.accounts import service as accounts

    operator = accounts.Principal.console("system")
    engine = make_engine(url)
    with session_scope(engine) as session:
        keys = {
            "a": accounts.create_key(session, operator, Role.client, client="bench", label="client A").secret,
            "b": accounts.create_key(session, operator, Role.client, client="other", label="client B").secret,
        }
    engine.dispose()
    return keys


def _b_latencies(base: str, key: str, seconds: float) -> list[float]:
    """Client B: /me, one request after another, for ``seconds``."""
    out: list[float] = []
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, timeout=30.0) as http:
        for _ in range(3):  # warm the connection and the server's caches
            http.get("/api/v1/me", headers=headers)
            time.sleep(PACE)
        stop = time.perf_counter() + seconds
        while time.perf_counter() < stop:
            start = time.perf_counter()
            r = http.get("/api/v1/me", headers=headers)
            out.append(time.perf_counter() - start)
            if r.status_code != 200:
                raise SystemExit(f"client B got {r.status_code}: {r.text[:200]}")
            time.sleep(PACE)  # a person's client, well within its share
    return out


def _flood(
    base: str, key: str, ids: list[str], concurrency: int, seconds: float, page: int, out: Any
) -> None:
    """Client A (its own process): shortlist reads from ``concurrency`` connections."""

    async def run() -> dict[str, int]:
        statuses: dict[str, int] = {}
        stop = time.perf_counter() + seconds
        headers = {"Authorization": f"Bearer {key}"}

        async def worker(http: httpx.AsyncClient, n: int) -> None:
            i = n
            while time.perf_counter() < stop:
                try:
                    r = await http.get(
                        f"/api/v1/requirements/{ids[i % len(ids)]}/shortlist",
                        params={"limit": page},
                        headers=headers,
                    )
                    status = str(r.status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                statuses[status] = statuses.get(status, 0) + 1
                i += 1

        one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with AsyncExitStack() as stack:
            clients = [
                await stack.enter_async_context(httpx.AsyncClient(base_url=base, limits=one, timeout=30.0))
                for _ in range(concurrency)
            ]
            await asyncio.gather(*(worker(http, n) for n, http in enumerate(clients)))
        return statuses

    out.put(asyncio.run(run()))


def _measure(
    url: str, ids: list[str], keys: dict[str, str], limit: str, args: argparse.Namespace
) -> dict[str, Any]:
    os.environ["TALENTMATCH_RATE_LIMIT"] = limit  # start_server passes the environment on
    with tempfile.TemporaryDirectory() as tmp_dir:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(url, port, 1, Path(tmp_dir))
        try:
            wait_ready(base, server)
            idle = _b_latencies(base, keys["b"], args.seconds)
            queue: Any = multiprocessing.Queue()
            flood = multiprocessing.Process(
                target=_flood,
                args=(base, keys["a"], ids, args.concurrency, args.seconds + 2, args.page, queue),
            )
            flood.start()
            time.sleep(1.0)  # let A reach full speed
            loaded = _b_latencies(base, keys["b"], args.seconds)
            a_statuses = queue.get(timeout=120)
            flood.join(timeout=60)
        finally:
            server.terminate()
            server.wait(timeout=30)
    p50_idle, p50_loaded = percentile(idle, 0.5), percentile(loaded, 0.5)
    return {
        "rate_limit": limit or "off",
        "b_requests_idle": len(idle),
        "b_requests_loaded": len(loaded),
        "b_p50_idle_ms": round(p50_idle * 1000, 1),
        "b_p90_idle_ms": round(percentile(idle, 0.9) * 1000, 1),
        "b_p50_loaded_ms": round(p50_loaded * 1000, 1),
        "b_p90_loaded_ms": round(percentile(loaded, 0.9) * 1000, 1),
        "b_p50_ratio": round(p50_loaded / p50_idle, 2),
        "a_statuses": a_statuses,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    started = machine()
    print(line(started), flush=True)
    os.environ.setdefault("TALENTMATCH_DEV_MODE", "true")
    with scratch_database(args.keep) as url:
        print(f"seeding {args.candidates} candidates and {args.requirements} requirements ...", flush=True)
        ids = seed(url, args.candidates, args.requirements)
        if not ids:
            sys.exit("no requirement has a shortlist to read")
        keys = _keys(url)
        limited = _measure(url, ids, keys, args.rate_limit, args)
        print(json.dumps(limited, indent=2), flush=True)
        unlimited = _measure(url, ids, {**keys, **_keys(url)}, "", args)
        print(json.dumps(unlimited, indent=2), flush=True)
    result = {
        "benchmark": "fair_share",
        "concurrency_a": args.concurrency,
        "seconds_per_phase": args.seconds,
        "candidates": args.candidates,
        "requirements": args.requirements,
        "with_limit": limited,
        "without_limit": unlimited,
        "b_within_2x_of_idle_with_limit": limited["b_p50_ratio"] <= 2.0,
        "machine": finished(started),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "fair_share.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if not isinstance(v, dict)}, indent=2))
    return 0 if result["b_within_2x_of_idle_with_limit"] else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
