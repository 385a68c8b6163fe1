"""The ``talentmatch`` command: the single entry point for every operation.

Each command group lives in its own module and registers itself on ``matcher.cli.app.app``
(``commands`` imports them all); this module turns domain errors into one readable line and a
non-zero exit.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
from pydantic import ValidationError

from matcher.bootstrap import Runtime, bootstrap
from matcher.cli import commands  # noqa: F401  (imports register the command groups)
from matcher.cli.app import app, day_option, fail, read_text
from matcher.dispatch import dispatcher
from matcher.errors import TalentmatchError

__all__ = ["app", "day_option", "fail", "main", "read_text"]


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
    (``ctx.obj()``): commands that need neither settings nor a database (``--help``, ``version``,
    ``skills``) read no settings and create no database directory."""

    def __init__(self) -> None:
        self._runtime: Runtime | None = None

    def __call__(self) -> Runtime:
        if self._runtime is None:
            self._runtime = bootstrap()
        return self._runtime


def main(argv: list[str] | None = None) -> Any:
    """Run one command; its runtime is built on demand and reached as click's context object."""
    # The CLI's writes (imports, seeding, edits) enqueue their re-matches like the API's do
    # (``dispatcher`` is the one every runtime hands on).
    dispatcher.register(_CelerySenderOnDemand())
    try:
        return app(args=argv, standalone_mode=True, obj=RuntimeOnDemand())
    except TalentmatchError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        for err in exc.errors:
            typer.echo(f"  {err}", err=True)
        sys.exit(1)
    except ValidationError as exc:
        if exc.title != "Settings":
            raise
        first = exc.errors()[0]
        name = "TALENTMATCH_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
        typer.echo(f"error: {name}: {first['msg']}", err=True)
        sys.exit(2)
