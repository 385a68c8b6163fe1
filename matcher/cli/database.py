"""``talentmatch db``: schema migrations."""

from __future__ import annotations

import typer

from matcher.cli.app import app

db_app = typer.Typer(help="Database schema migrations (Alembic).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Bring the configured database to the latest schema (or REVISION)."""
    from matcher import db

    db.upgrade(revision=revision)
    typer.echo(f"database at {db.current_revision()}: {_safe_url()}")


@db_app.command("current")
def current() -> None:
    """Print the database's current schema revision."""
    from matcher import db

    typer.echo(db.current_revision() or "(empty)")


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    from matcher.settings import get_settings

    return make_url(get_settings().database_url).render_as_string(hide_password=True)
