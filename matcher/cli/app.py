"""The ``talentmatch`` Typer app and what every command module shares: one readable error line
(``fail``), reading a file the user named, a date option, and the command's runtime
(``runtime(ctx)``, ``session_scope(ctx)``: the root click context's object, a
``RuntimeOnDemand``). Command modules register on ``app``; a command that needs its runtime
takes ``ctx: typer.Context``."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from matcher.bootstrap import bootstrap
from matcher.settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlmodel import Session

    from matcher.runtime import Runtime

app = typer.Typer(
    name="talentmatch",
    help="Pre-vetted backend candidate matching engine.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class _CelerySenderOnDemand:
    """The Celery sender (``tasks.dispatch``), imported when the first task is sent, so commands
    that send none (``--help``, ``skills``, ``generate``) do not load Celery."""

    @staticmethod
    def _sender() -> Any:
        from tasks.dispatch import celery_sender

        return celery_sender

    def __call__(self, task: str, args: list[Any]) -> None:
        self._sender()(task, args)

    def reachable(self) -> bool:
        return bool(self._sender().reachable())


class RuntimeOnDemand:
    """The command's runtime (``matcher.bootstrap``), built the first time it is asked for
    (``runtime(ctx)``): commands that need neither settings nor a
    database (``--help``, ``version``, ``skills``) read no settings and create no database
    directory. Its dispatcher sends through Celery, loaded on the first task sent: the CLI's
    writes (imports, seeding, edits) enqueue their re-matches like the API's do."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._runtime: Runtime | None = None

    @property
    def settings(self) -> Settings:
        """The command's settings (the environment's), read once, without building the runtime."""
        if self._settings is None:
            self._settings = get_settings()
        return self._settings

    def __call__(self) -> Runtime:
        if self._runtime is None:
            self._runtime = bootstrap(self.settings)
            self._runtime.dispatcher.register(_CelerySenderOnDemand())
        return self._runtime


def _on_demand(ctx: typer.Context) -> RuntimeOnDemand:
    """The root context's ``RuntimeOnDemand`` (``matcher.cli.main`` passes one; a command
    invoked another way, e.g. by ``typer.testing.CliRunner``, gets one here)."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = RuntimeOnDemand()
    on_demand: RuntimeOnDemand = root.obj
    return on_demand


def runtime(ctx: typer.Context) -> Runtime:
    """The command's runtime (``matcher.bootstrap``), built the first time it is asked for."""
    return _on_demand(ctx)()


def settings(ctx: typer.Context) -> Settings:
    """The command's settings, read without building the rest of its runtime."""
    return _on_demand(ctx).settings


def session_scope(ctx: typer.Context) -> AbstractContextManager[Session]:
    """A session of the command's runtime: commits on success, rolls back on error."""
    return runtime(ctx).session_scope()


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one readable line to stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def read_text(path: Path) -> str:
    """The UTF-8 text of a file the user named, or one readable error line and exit 1."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise fail(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise fail(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise fail(f"{path}: {exc.strerror}") from None


def day_option(ctx: typer.Context, value: str | None, option: str) -> dt.date:
    """The date an option names (YYYY-MM-DD), else today (``matcher.clock``); a bad one is one
    readable error line and exit 1."""
    from matcher import clock

    if value is None:
        return clock.today(settings(ctx))
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None
