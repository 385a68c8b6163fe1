"""Import benchmark: N candidates from a JSON Lines file into PostgreSQL, then into SQLite, side
by side in one run (the first import, then a re-import of the same file).

    uv run python -m bench importing [--count 100000] [--seed 7] [--backends postgresql,sqlite]
                                     [--no-cli] [--keep] [--json] [--profile]

The file comes from the fixtures generator (what ``talentmatch generate candidates --count N
--seed S`` writes), cached under ``var/bench/`` by count, seed and a fingerprint of the
generator's output. PostgreSQL: a scratch database (``--database-name``, default
``talentmatch_bench_import``) is created fresh on the server of ``--postgres-url`` (default
``TALENTMATCH_TEST_POSTGRES_URL``, else ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``;
only its server is used, never its database) and dropped at the end unless ``--keep``.
SQLite: a file in a temporary folder. Both are migrated to head with ``matcher.db.upgrade``.

Each import is timed end to end as ``talentmatch import candidates FILE`` runs it: read the file,
validate every record (``importing.parse_candidates``), write them in one transaction
(``importing.import_candidates`` with a progress callback, actor ``cli``) and commit. The skill
resolver's cache is emptied before each, as a fresh process has it. The re-import is the same
file again: every record updates its candidate (the update path). On PostgreSQL the real CLI is
also run once in a subprocess, on a freshly recreated database (process start-up included).
``TALENTMATCH_AUTO_REMATCH=false``: the import's re-match trigger is off, so this measures the
import alone (with it on, a commit also enqueues a re-match run; nothing runs it here).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench._machine import finished, line, machine

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "bench"
DEFAULT_COUNT = 100_000
DEFAULT_SEED = 7
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DATABASE_NAME = "talentmatch_bench_import"
BACKENDS = ("postgresql", "sqlite")
#: The product's target: 100k candidates into PostgreSQL in under a minute.
TARGET_S = 60.0
TARGET_COUNT = 100_000
AUTO_REMATCH = "TALENTMATCH_AUTO_REMATCH"
CLI = [sys.executable, "-c", "from matcher.cli import main; main()"]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _fingerprint(seed: int) -> str:
    """Changes when the generator's output does, so a stale cached file is never reused."""
    from fixtures.generator import generate_candidates

    first = json.dumps(next(iter(generate_candidates(1, seed))), sort_keys=True)
    return f"{zlib.crc32(first.encode()):08x}"


def candidates_file(count: int, seed: int) -> Path:
    """``var/bench/candidates-s{seed}-{fingerprint}-{count}.jsonl``, generated once."""
    from fixtures.generator import jsonl_chunks

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"candidates-s{seed}-{_fingerprint(seed)}-{count}.jsonl"
    if path.exists():
        return path
    _log(f"generating {count:,} candidates into {path} (cached for later runs)")
    workers = (os.cpu_count() or 1) if count >= 50_000 else 1
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        for _, chunk in jsonl_chunks("candidates", count, seed, workers=workers):
            fh.write(chunk)
    tmp.replace(path)
    return path


class ScratchPostgres:
    """A database of our own on the server of ``admin_url``, created fresh and dropped."""

    def __init__(self, admin_url: str, name: str) -> None:
        from sqlalchemy.engine import make_url

        from matcher.db import make_engine

        server = make_url(admin_url)
        # Connect to the maintenance database, never to the one in the URL (tests use it).
        self.admin = make_engine(server.set(database="postgres").render_as_string(hide_password=False))
        self.admin = self.admin.execution_options(isolation_level="AUTOCOMMIT")
        self.name = name
        self.url = server.set(database=name).render_as_string(hide_password=False)

    def recreate(self) -> str:
        from sqlalchemy import text

        from matcher.db import upgrade

        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        upgrade(self.url)
        return self.url

    def drop(self) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def counts(url: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from matcher.db import make_engine
    from matcher.models import Candidate, CandidatePersonal, CandidateSkill

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.__tablename__: int(conn.scalar(select(func.count()).select_from(t)) or 0)
                for t in (Candidate, CandidatePersonal, CandidateSkill)
            }
    finally:
        engine.dispose()


def import_once(url: str, path: Path, profile: cProfile.Profile | None = None) -> dict[str, Any]:
    """One import of ``path`` into ``url`` the way ``talentmatch import candidates`` does it."""
    from matcher.bootstrap import bootstrap
    from matcher.db import make_engine
    from matcher.services.imports import importing
    from matcher.skills import default_resolver

    runtime = bootstrap(engine=make_engine(url))
    engine = runtime.engine
    default_resolver().clear_cache()
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n

    try:
        if profile is not None:
            profile.enable()
        start = time.perf_counter()
        text = path.read_text(encoding="utf-8")
        records = importing.parse_candidates(text)
        parsed = time.perf_counter()
        with runtime.session_scope() as session:
            result = importing.import_candidates(session, records, actor="cli", progress=advance)
            written = time.perf_counter()
        end = time.perf_counter()
        if profile is not None:
            profile.disable()
    finally:
        engine.dispose()
    if done != len(records):
        raise RuntimeError(f"progress reported {done} of {len(records)} records")
    total = end - start
    return {
        "records": len(records),
        "created": result.created,
        "updated": result.updated,
        "total_s": round(total, 2),
        "parse_s": round(parsed - start, 2),
        "write_s": round(written - parsed, 2),
        "commit_s": round(end - written, 2),
        "records_per_s": round(len(records) / total),
    }


def cli_import(url: str, path: Path) -> dict[str, Any]:
    """``talentmatch import candidates FILE`` in a subprocess, start-up included."""
    env = {**os.environ, "TALENTMATCH_DATABASE_URL": url, AUTO_REMATCH: "false"}
    start = time.perf_counter()
    out = subprocess.run(
        [*CLI, "import", "candidates", str(path)], env=env, cwd=ROOT, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"talentmatch import failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return {"wall_s": round(wall, 2), "output": out.stdout.strip()}


def run_backend(backend: str, url: str, path: Path, count: int, profile: bool) -> dict[str, Any]:
    prof = cProfile.Profile() if profile else None
    _log(f"{backend}: first import of {count:,} candidates")
    first = import_once(url, path, prof)
    after_first = counts(url)
    _log(f"{backend}: {first['total_s']} s; re-import of the same file")
    again = import_once(url, path)
    after_again = counts(url)
    _log(f"{backend}: {again['total_s']} s")
    if (first["created"], again["updated"]) != (count, count) or after_first != after_again:
        raise RuntimeError(f"{backend}: unexpected result {first}, {again}, {after_first}, {after_again}")
    out: dict[str, Any] = {"first_import": first, "reimport": again, "rows": after_again}
    if prof is not None:
        text = io.StringIO()
        pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(30)
        out["profile"] = text.getvalue()
    return out


def _postgres_version(url: str) -> str:
    from sqlalchemy import text

    from matcher.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.scalar(text("SHOW server_version")))
    finally:
        engine.dispose()


@contextmanager
def auto_rematch_off() -> Iterator[None]:
    """``TALENTMATCH_AUTO_REMATCH=false`` for the imports (and the CLI's environment), restored
    afterwards."""
    from matcher.settings import get_settings

    before = os.environ.get(AUTO_REMATCH)
    os.environ[AUTO_REMATCH] = "false"
    get_settings.cache_clear()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(AUTO_REMATCH, None)
        else:
            os.environ[AUTO_REMATCH] = before
        get_settings.cache_clear()


def run(args: argparse.Namespace) -> dict[str, Any]:
    path = candidates_file(args.count, args.seed)
    report: dict[str, Any] = {
        "machine": machine(),
        "config": {
            "count": args.count,
            "seed": args.seed,
            "file": str(path),
            "file_mb": round(path.stat().st_size / 1e6, 1),
            "auto_rematch": False,
        },
        "backends": {},
    }
    if "postgresql" in args.backends:
        pg = ScratchPostgres(args.postgres_url, args.database_name)
        try:
            url = pg.recreate()
            report["config"]["postgresql"] = _postgres_version(url)
            report["backends"]["postgresql"] = run_backend("postgresql", url, path, args.count, args.profile)
            if args.cli:
                _log("postgresql: talentmatch import candidates (subprocess) into a fresh database")
                pg.recreate()
                report["backends"]["postgresql"]["cli_first_import"] = cli_import(url, path)
        finally:
            if args.keep:
                _log(f"kept database {pg.name}")
                pg.admin.dispose()
            else:
                pg.drop()
    if "sqlite" in args.backends:
        from matcher.db import upgrade

        tmp = Path(tempfile.mkdtemp(prefix="tm-bench-import-"))
        try:
            url = f"sqlite:///{tmp / 'bench.db'}"
            upgrade(url)
            report["backends"]["sqlite"] = run_backend("sqlite", url, path, args.count, args.profile)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    pg_res, lite = report["backends"].get("postgresql"), report["backends"].get("sqlite")
    if pg_res and lite:
        report["pg_vs_sqlite"] = {
            run: round(pg_res[run]["total_s"] / lite[run]["total_s"], 2)
            for run in ("first_import", "reimport")
        }
    if pg_res and args.count == TARGET_COUNT:
        report["target"] = {
            "first_import_under_60s": pg_res["first_import"]["total_s"] < TARGET_S,
            "reimport_under_60s": pg_res["reimport"]["total_s"] < TARGET_S,
        }
    return report


def _table(report: dict[str, Any]) -> str:
    cfg = report["config"]
    head = (
        f"{'backend':<11} {'run':<13} {'total':>8} {'records/s':>10} | "
        f"{'parse':>7} {'write':>7} {'commit':>7}"
    )
    lines = [
        f"{cfg['count']:,} candidates, seed {cfg['seed']} ({cfg['file_mb']} MB JSONL)",
        head,
        "-" * len(head),
    ]
    for backend, res in report["backends"].items():
        for run_name, label in (("first_import", "first import"), ("reimport", "re-import")):
            r = res[run_name]
            lines.append(
                f"{backend:<11} {label:<13} {r['total_s']:>7.2f}s {r['records_per_s']:>10,} | "
                f"{r['parse_s']:>6.2f}s {r['write_s']:>6.2f}s {r['commit_s']:>6.2f}s"
            )
        if "cli_first_import" in res:
            c = res["cli_first_import"]
            lines.append(
                f"{backend:<11} {'CLI, first':<13} {c['wall_s']:>7.2f}s "
                f"{round(cfg['count'] / c['wall_s']):>10,} | (subprocess wall time: {c['output']})"
            )
    if "pg_vs_sqlite" in report:
        ratio = report["pg_vs_sqlite"]
        lines.append(
            f"PostgreSQL / SQLite time: first import {ratio['first_import']:.2f}x, "
            f"re-import {ratio['reimport']:.2f}x"
        )
    if "target" in report:
        t = report["target"]
        lines.append(
            f"target (100k into PostgreSQL < {TARGET_S:.0f} s): first import "
            f"{'met' if t['first_import_under_60s'] else 'MISSED'}, re-import "
            f"{'met' if t['reimport_under_60s'] else 'MISSED'}"
        )
    lines += [
        "",
        "Each run is timed as 'talentmatch import candidates FILE' runs it: read, validate every "
        "record (parse), write in one transaction with skill resolution from a cold resolver cache "
        "(write), commit. Re-import: the same file again, every record updates its candidate. "
        "TALENTMATCH_AUTO_REMATCH=false: the import's re-match trigger is off, this is the import alone.",
    ]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench importing", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="candidates (default: %(default)s)")
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="generator seed (default: %(default)s)"
    )
    parser.add_argument(
        "--backends",
        default=",".join(BACKENDS),
        help="comma-separated, of postgresql and sqlite (default: %(default)s)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("TALENTMATCH_TEST_POSTGRES_URL") or DEFAULT_PG,
        help="a URL on the PostgreSQL server to use (only the server: the scratch database is ours)",
    )
    parser.add_argument(
        "--database-name", default=DATABASE_NAME, help="scratch database (default: %(default)s)"
    )
    parser.add_argument("--no-cli", dest="cli", action="store_false", help="skip the CLI subprocess run")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL scratch database")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--profile", action="store_true", help="cProfile each backend's first import")
    args = parser.parse_args(argv)
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not args.backends or set(args.backends) - set(BACKENDS):
        parser.error(f"--backends: a comma-separated list of {', '.join(BACKENDS)}")
    if args.count < 1:
        parser.error("--count must be positive")
    if args.database_name in ("postgres", "test", "template0", "template1"):
        parser.error(f"--database-name {args.database_name!r} is not a scratch database")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with auto_rematch_off():
        report = run(args)
    profiles = {b: r.pop("profile") for b, r in report["backends"].items() if "profile" in r}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(_table(report))
        print(line(finished(report["machine"])))
    for backend, text in profiles.items():
        print(f"--- cProfile of the first import, {backend} ---\n{text}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
