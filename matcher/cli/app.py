"""The ``talentmatch`` Typer app and what every command module shares: one readable error line
(``fail``), reading a file the user named, a date option. Command modules register on ``app``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

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
