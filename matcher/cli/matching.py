"""``talentmatch rematch``, ``runs``, ``worker``, ``beat`` and ``worker-ping``: bulk re-matching
with Celery (or in this process with ``rematch --inline``)."""

from __future__ import annotations

import socket
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from matcher.cli.app import app, fail, runtime, session_scope
from matcher.cli.progress import progress_bar

if TYPE_CHECKING:
    from matcher.services.runs import RunProgress

DEFAULT_SCHEDULE_FILE = Path("var") / "celerybeat-schedule"
POLL_SECONDS = 0.5


def _requirement_ids(ctx: typer.Context, values: list[str]) -> list[uuid.UUID]:
    """UUIDs as given; anything else is an external id, which must name one requirement."""
    from sqlalchemy import select

    from matcher.models import Requirement

    req = Requirement.__table__  # type: ignore[attr-defined]
    ids = []
    with session_scope(ctx) as session:
        for value in values:
            try:
                ids.append(uuid.UUID(value))
                continue
            except ValueError:
                pass
            found = list(session.scalars(select(req.c.id).where(req.c.external_id == value)))
            if not found:
                raise fail(f"no requirement with id or external id {value!r}")
            if len(found) > 1:
                raise fail(
                    f"external id {value!r} is used by {len(found)} clients: give the requirement's id"
                )
            ids.append(found[0])
    return ids


def _summary(progress: RunProgress) -> str:
    return (
        f"run {progress.id} {progress.status.value}: {progress.processed}/{progress.total} requirements"
        f" ({progress.failed} failed); shortlists: {progress.entered} entered, {progress.left} left,"
        f" {progress.moved} moved"
    )


def _wait(ctx: typer.Context, run_id: uuid.UUID, total: int) -> RunProgress:
    from matcher.services import runs

    shown = 0
    with progress_bar("re-matching", total) as advance:
        while True:
            with session_scope(ctx) as session:
                progress = runs.get_progress(session, run_id)
            advance(progress.processed - shown)
            shown = progress.processed
            if progress.finished:
                return progress
            time.sleep(POLL_SECONDS)


@app.command("rematch")
def rematch(
    ctx: typer.Context,
    requirement: list[str] = typer.Option(
        None,
        "--requirement",
        "-r",
        help="Requirement id or external id; repeat for several. Default: every open requirement.",
    ),
    wait: bool = typer.Option(False, "--wait", help="Show the progress until the run finishes."),
    inline: bool = typer.Option(False, "--inline", help="Match in this process: no broker, no worker."),
) -> None:
    """Re-match requirements: a match run, in chunks on the workers (or --inline)."""
    from matcher.services import runs

    ids = _requirement_ids(ctx, requirement) if requirement else None
    errors: list[Exception] = []
    queue = runtime(ctx).dispatcher.sender

    def send(task: str, args: list[Any]) -> None:
        if inline:
            return
        try:
            queue(task, args)
        except Exception as exc:
            errors.append(exc)

    with session_scope(ctx) as session:
        run = runs.start_run(session, ids, requested_by="cli", dispatch=send)
        run_id, total = run.id, run.total
    typer.echo(f"run {run_id} queued: {total} requirement(s)")
    if errors:
        typer.echo(
            f"warning: could not enqueue the run ({errors[0]}); a worker's recovery sweep will pick it up",
            err=True,
        )
    if inline:
        with progress_bar("re-matching", total) as advance:
            progress = runs.run_inline(runtime(ctx), run_id, on_done=lambda: advance(1))
    elif wait:
        progress = _wait(ctx, run_id, total)
    else:
        return
    typer.echo(_summary(progress))
    if progress.error:
        raise fail(progress.error)


@app.command("runs")
def list_runs(
    ctx: typer.Context, limit: int = typer.Option(10, min=1, max=1000, help="How many, latest first.")
) -> None:
    """The latest match runs and their progress."""
    from matcher.services import runs

    with session_scope(ctx) as session:
        for progress in runs.list_runs(session, limit=limit):
            typer.echo(f"{progress.created_at:%Y-%m-%d %H:%M:%S} {progress.trigger:<10} {_summary(progress)}")


@app.command("worker")
def worker(
    concurrency: int = typer.Option(2, min=1, help="Worker processes."),
    loglevel: str = typer.Option("info", help="debug, info, warning or error."),
    pool: str = typer.Option("prefork", help="Celery pool: prefork, solo or threads."),
    beat: bool = typer.Option(
        False, "--beat", help="Run the scheduler inside this worker too (one worker only)."
    ),
) -> None:
    """Start a Celery worker with talentmatch's settings."""
    from tasks.app import app as celery_app

    argv = ["worker", f"--concurrency={concurrency}", f"--loglevel={loglevel}", f"--pool={pool}"]
    if beat:
        DEFAULT_SCHEDULE_FILE.parent.mkdir(parents=True, exist_ok=True)
        argv += ["--beat", f"--schedule={DEFAULT_SCHEDULE_FILE}"]
    celery_app.worker_main(argv)


@app.command("beat")
def beat(
    loglevel: str = typer.Option("info", help="debug, info, warning or error."),
    schedule: Path = typer.Option(DEFAULT_SCHEDULE_FILE, help="Where beat keeps its schedule state."),
) -> None:
    """Start Celery beat: the scheduled full re-match (TALENTMATCH_REMATCH_SCHEDULE)."""
    from tasks.app import app as celery_app

    schedule.parent.mkdir(parents=True, exist_ok=True)
    celery_app.Beat(loglevel=loglevel, schedule=str(schedule)).run()


@app.command("worker-ping")
def worker_ping(
    timeout: float = typer.Option(5.0, help="Seconds to wait for the reply."),
    node: str | None = typer.Option(None, help="Worker node name; default: this host's worker."),
) -> None:
    """Health check: does the worker on this host answer? (needs a broadcast broker: Redis)."""
    from tasks.app import app as celery_app

    destination = node or f"celery@{socket.gethostname()}"
    try:
        replies = celery_app.control.ping(destination=[destination], timeout=timeout)
    except Exception as exc:
        raise fail(f"cannot ping {destination}: {exc}") from None
    if not replies:
        raise fail(f"no reply from {destination} within {timeout:g} s")
    typer.echo(f"{destination}: pong")
