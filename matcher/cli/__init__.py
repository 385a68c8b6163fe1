"""The ``talentmatch`` command: the single entry point for every operation.

Each command group lives in its own module and registers itself on ``app``; this module only
assembles them and turns domain errors into one readable line and a non-zero exit.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError

from matcher.errors import TalentmatchError

app = typer.Typer(
    name="talentmatch",
    help="Pre-vetted backend candidate matching engine.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


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


def day_option(value: str | None, option: str) -> dt.date:
    """The date an option names (YYYY-MM-DD), else today (``matcher.clock``); a bad one is one
    readable error line and exit 1."""
    from matcher import clock

    if value is None:
        return clock.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


def _register() -> None:
    from matcher.cli import commands  # noqa: F401  (imports register the command groups)


_register()


def main(argv: list[str] | None = None) -> Any:
    try:
        return app(args=argv, standalone_mode=True)
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
