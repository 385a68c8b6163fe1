"""``talentmatch version``."""

from __future__ import annotations

from importlib.metadata import version as _version

import typer

from matcher.cli.app import app


@app.command()
def version() -> None:
    """Print the installed talentmatch version."""
    typer.echo(_version("talentmatch"))
