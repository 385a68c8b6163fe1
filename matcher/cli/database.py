"""``talentmatch db``: schema migrations."""

from __future__ import annotations

import typer

from matcher.cli.app import app, settings

db_app = typer.Typer(help="Database schema migrations (Alembic).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade(ctx: typer.Context, revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Bring the configured database to the latest schema (or REVISION)."""
    from matcher import db

    url = settings(ctx).database_url
    db.upgrade(url, revision=revision)
    typer.echo(f"database at {db.current_revision(url)}: {_safe_url(url)}")


@db_app.command("current")
def current(ctx: typer.Context) -> None:
    """Print the database's current schema revision."""
    from matcher import db

    typer.echo(db.current_revision(settings(ctx).database_url) or "(empty)")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
