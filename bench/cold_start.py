"""Worker cold start: building the index from the database vs mapping the shared snapshot.

    python -m bench cold_start [--candidates 100000] [--processes 4] [--database-url URL] [--keep]

One run, one database (a scratch PostgreSQL database seeded from the generator unless
``--database-url``), fresh processes each time. Every process does what a worker does before its
first task: open the pool (``runtime.pool_cache.get``, which builds the index from the
database, or maps the snapshot in ``index_snapshot_dir``), then ranks and explains one
requirement. Timed from ``Popen`` to the first ranking done:

* ``build``: no snapshot: the pool and its index are built from the database (today's workers);
* ``snapshot, first``: snapshot mode with an empty folder: it builds the index and writes it;
* ``snapshot, 2nd..Nth``: each maps the snapshot the first one wrote (what every further worker
  process on the host does). These stay alive together; their memory is read from
  ``/proc/PID/smaps_rollup``: RSS, PSS (shared pages divided among the processes mapping them)
  and private bytes, beside a bare process that imported the same code and opened no pool.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench._machine import finished, line, machine
from bench.rematch import OUT, scratch_database, seed


def _child(mode: str) -> int:
    """Runs in the measured process: open the pool, rank one requirement, report, wait."""
    started = time.perf_counter()
    from sqlalchemy import select

    from matcher.bootstrap import bootstrap
    from matcher.db import make_engine
    from matcher.services import matching
    from matcher.settings import get_settings

    settings = get_settings()
    runtime = bootstrap(settings, engine=make_engine(settings.database_url))
    imported = time.perf_counter()
    report: dict[str, Any] = {"mode": mode, "pid": os.getpid(), "import_s": imported - started}
    if mode != "bare":
        with runtime.session() as session:
            pool = runtime.pool_cache.get(session)
            matching.prepare_pool(pool)
            opened = time.perf_counter()
            rid = session.scalars(select(matching.REQ.c.id).order_by(matching.REQ.c.external_id)).first()
            assert rid is not None
            loaded = matching.load_requirements(session, [rid])[rid]
            computed = matching.compute_shortlist(session, loaded, pool)
        report.update(
            pool_s=opened - imported,
            first_rank_ms=(time.perf_counter() - opened) * 1000.0,
            ranked=len(computed.ranked),
            pool=len(pool),
        )
    print(json.dumps(report), flush=True)
    sys.stdin.read()  # stay alive (and mapped) until the parent is done measuring
    return 0


def _memory(pid: int) -> dict[str, float]:
    """RSS, PSS and private MB of a process (Linux ``smaps_rollup``)."""
    fields: dict[str, int] = {}
    for text in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = text.split()
        fields[name.rstrip(":")] = int(value)
    private = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return {
        "rss_mb": round(fields["Rss"] / 1024, 1),
        "pss_mb": round(fields["Pss"] / 1024, 1),
        "private_mb": round(private / 1024, 1),
    }


class Child:
    def __init__(self, mode: str, env: dict[str, str]) -> None:
        self.began = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.cold_start", "--child", mode],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        self.wall_s = time.perf_counter() - self.began
        if not first:
            self.proc.wait()
            raise SystemExit(f"the {mode} process failed (exit {self.proc.returncode})")
        self.report: dict[str, Any] = {**json.loads(first), "start_to_first_rank_s": round(self.wall_s, 3)}

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    base = {**os.environ, "TALENTMATCH_DATABASE_URL": url, "TALENTMATCH_AUTO_REMATCH": "false"}
    base.pop("TALENTMATCH_INDEX_SNAPSHOT_DIR", None)
    folder = Path(tempfile.mkdtemp(prefix="tm-snapshot-"))
    snap_env = {**base, "TALENTMATCH_INDEX_SNAPSHOT_DIR": str(folder)}
    out: dict[str, Any] = {}
    built = Child("build", base)
    out["build"] = built.report
    built.stop()
    first = Child("snapshot", snap_env)
    out["snapshot_first"] = first.report
    first.stop()
    out["snapshot_mb"] = round(sum(p.stat().st_size for p in folder.rglob("*.npy")) / 1e6, 1)
    bare = Child("bare", base)
    others = [Child("snapshot", snap_env) for _ in range(args.processes - 1)]
    out["bare"] = {**bare.report, **_memory(bare.proc.pid)}
    out["snapshot_others"] = [{**c.report, **_memory(c.proc.pid)} for c in others]
    for c in [bare, *others]:
        c.stop()
    walls = [c["start_to_first_rank_s"] for c in out["snapshot_others"]]
    out["ratio_build_vs_snapshot"] = round(
        out["build"]["start_to_first_rank_s"] / statistics.median(walls), 1
    )
    return out


def _print(out: dict[str, Any]) -> None:
    b, f = out["build"], out["snapshot_first"]
    print(f"pool of {b['pool']:,} candidates; snapshot files {out['snapshot_mb']} MB")
    print("process start -> first ranking (s):  [pool open s]")
    print(f"  build from the database:          {b['start_to_first_rank_s']:7.2f}  [{b['pool_s']:.2f}]")
    print(f"  snapshot, first (build + write):  {f['start_to_first_rank_s']:7.2f}  [{f['pool_s']:.2f}]")
    bare = out["bare"]
    for i, c in enumerate(out["snapshot_others"], start=2):
        print(
            f"  snapshot, process {i} (maps it):    {c['start_to_first_rank_s']:7.2f}  [{c['pool_s']:.2f}]"
            f"   RSS {c['rss_mb']} MB, PSS {c['pss_mb']} MB, private {c['private_mb']} MB "
            f"(+{c['private_mb'] - bare['private_mb']:.1f} MB over a bare process)"
        )
    print(
        f"  bare process (imports, no pool): RSS {bare['rss_mb']} MB, PSS {bare['pss_mb']} MB, "
        f"private {bare['private_mb']} MB"
    )
    print(f"ratio build / snapshot (median of processes 2..N): {out['ratio_build_vs_snapshot']}x")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench cold_start", description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--requirements", type=int, default=20)
    parser.add_argument("--processes", type=int, default=4, help="snapshot processes alive together")
    parser.add_argument("--database-url", help="an existing database (seeded unless --no-seed)")
    parser.add_argument("--no-seed", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child)
    if args.processes < 2 or args.candidates < 1:
        parser.error("--processes must be at least 2 and --candidates positive")
    started = machine()
    if not args.json:
        print(line(started), flush=True)
    report: dict[str, Any] = {"candidates": args.candidates}
    if args.database_url:
        if not args.no_seed:
            report.update(seed(args.database_url, args.candidates, args.requirements))
        report.update(run(args.database_url, args))
    else:
        with scratch_database(args.keep) as url:
            print(f"seeding {args.candidates:,} candidates ...", flush=True)
            report.update(seed(url, args.candidates, args.requirements))
            report.update(run(url, args))
    report["machine"] = finished(started)
    OUT.mkdir(exist_ok=True)
    (OUT / "cold_start.json").write_text(json.dumps(report, indent=2) + "\n")
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print(report)
        print(line(report["machine"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
