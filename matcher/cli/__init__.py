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

from matcher.cli import commands  # noqa: F401  (imports register the command groups)
from matcher.cli.app import RuntimeOnDemand, app, day_option, fail, read_text
from matcher.errors import TalentmatchError

__all__ = ["RuntimeOnDemand", "app", "day_option", "fail", "main", "read_text"]


def main(argv: list[str] | None = None) -> Any:
    """Run one command; its runtime is built on demand and reached as click's context object."""
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
