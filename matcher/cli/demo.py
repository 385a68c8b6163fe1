"""``talentmatch demo``: the main job on the embedded default, end to end.

Migrates the database, seeds deterministic demo data, creates demo API keys, starts a real
Celery worker (with beat) on the embedded SQLite broker, runs a full re-match through it and
waits for it, simulates recruiters' and clients' decisions on the shortlists (so the fit and the
audit pages have data), then serves the API and UI until interrupted; the worker stops with it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid

import typer

from matcher.cli.app import app, fail, runtime, session_scope
from matcher.cli.progress import progress_bar


def _start_worker() -> subprocess.Popen[bytes]:
    log = open("var/worker.log", "ab")  # noqa: SIM115  (the worker writes to it until demo exits)
    return subprocess.Popen(
        [sys.executable, "-m", "matcher.cli", "worker", "--concurrency", "2", "--beat"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    """SIGTERM as an exit that runs ``finally`` blocks. uvicorn restores this handler and
    re-raises the signal after its graceful shutdown; with the default handler the process
    would die there and leave its worker running."""
    raise SystemExit(128 + signum)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@app.command()
def demo(
    ctx: typer.Context,
    candidates: int = typer.Option(3000, min=1, help="Demo candidates to seed."),
    requirements: int = typer.Option(24, min=1, help="Demo requirement specs to seed."),
    seed: int = typer.Option(42, help="Random seed of the demo data."),
    host: str | None = typer.Option(None, help="Bind address (default: settings api_host)."),
    port: int | None = typer.Option(None, help="Port (default: settings api_port)."),
    serve: bool = typer.Option(True, help="Serve the API and UI after matching."),
    decisions: bool = typer.Option(True, help="Simulate recruiters' and clients' decisions after matching."),
) -> None:
    """Migrate, seed demo data, re-match through a real worker, and serve the API and UI."""
    from matcher import db
    from matcher.settings import get_settings

    os.environ["TALENTMATCH_DEV_MODE"] = "true"  # the demo's well-known keys and secret are for development
    get_settings.cache_clear()  # read before the command's runtime is built (its first use, here)
    settings = runtime(ctx).settings
    db.upgrade(settings.database_url)
    _seed(ctx, candidates, requirements, seed)
    keys = _demo_keys(ctx)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    worker = _start_worker()
    try:
        _match(ctx, seed, decisions)
        typer.echo("\nDemo API keys (shown once):")
        for role, secret in keys:
            typer.echo(f"  {role:<9} {secret}")
        bind_host, bind_port = host or settings.api_host, port or settings.api_port
        typer.echo(
            f"\nUI: http://{bind_host}:{bind_port}/  (sign in with a key above)\n"
            f"API docs: http://{bind_host}:{bind_port}/docs\n"
        )
        if serve:
            import uvicorn

            uvicorn.run("api.main:app", host=bind_host, port=bind_port)
    finally:
        _stop(worker)


def _seed(ctx: typer.Context, candidates: int, requirements: int, seed: int) -> None:
    from matcher.services.imports.seeding import seed as seed_data
    from matcher.services.weight_profiles import store as profiles

    with progress_bar("seeding", candidates + requirements) as advance, session_scope(ctx) as session:
        profiles.ensure_default_profiles(session)
        cands, reqs = seed_data(
            session,
            candidates=candidates,
            requirements=requirements,
            seed=seed,
            progress=advance,
            rematch=False,
        )
    typer.echo(f"seeded {cands.total} candidates and {reqs.total} requirements (seed {seed})")


def _demo_keys(ctx: typer.Context) -> list[tuple[str, str]]:
    """An admin's, a recruiter's and a client's key: (role, secret)."""
    from matcher.models import Role
    from matcher.services.accounts import service as accounts

    with session_scope(ctx) as session:
        demo = accounts.Principal.console("demo")
        keys = [
            accounts.create_key(session, demo, Role.admin, label="demo admin"),
            accounts.create_key(session, demo, Role.recruiter, label="demo recruiter"),
            accounts.create_key(session, demo, Role.client, client="acme-fintech", label="demo client"),
        ]
    return [(key.info.role.value, key.secret) for key in keys]


def _match(ctx: typer.Context, seed: int, decisions: bool) -> None:
    """Re-match every open requirement on the worker; then, if asked, simulate decisions."""
    from matcher.cli.matching import _summary, _wait
    from matcher.services import runs

    with session_scope(ctx) as session:
        run = runs.start_run(session, None, trigger="demo", requested_by="demo")
        run_id: uuid.UUID = run.id
        total = run.total
    typer.echo(f"re-matching {total} open requirements on a Celery worker (log: var/worker.log)")
    progress = _wait(ctx, run_id, total)
    typer.echo(_summary(progress))
    if progress.error:
        raise fail(progress.error)
    if decisions:
        from matcher.services.decisions.simulate import simulate_decisions

        with session_scope(ctx) as session:
            moves = simulate_decisions(session, seed=seed)
        typer.echo(f"simulated {moves} recruiter and client decisions (a hidden preference plus noise)")
