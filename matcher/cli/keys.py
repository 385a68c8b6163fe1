"""``talentmatch keys``: create, list and revoke API keys."""

from __future__ import annotations

import typer

from matcher.cli.app import app, session_scope
from matcher.roles import Role

keys_app = typer.Typer(help="API keys: create (shown once), list, revoke.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def create(
    ctx: typer.Context,
    role: Role = typer.Option(..., "--role", help="client, recruiter or admin."),
    client: str | None = typer.Option(None, "--client", help="Client account slug (client keys only)."),
    label: str = typer.Option("", "--label", help="A note to recognise the key by."),
) -> None:
    """Create a key and print it. It is shown this once: only its hash is stored."""
    from matcher.services.accounts import service as accounts

    with session_scope(ctx) as session:
        new = accounts.create_key(session, accounts.Principal.console(), role, client=client, label=label)
    owner = f" for client {new.info.client}" if new.info.client else ""
    typer.echo(
        f"created {new.info.role.value} key {new.info.prefix}{owner}; store it now, it is not shown again:",
        err=True,
    )
    typer.echo(new.secret)


@keys_app.command("list")
def list_(
    ctx: typer.Context,
    all_keys: bool = typer.Option(False, "--all", help="Include revoked keys."),
) -> None:
    """List keys (prefix, role, client, state); never the secrets."""
    from matcher.services.accounts import service as accounts

    with session_scope(ctx) as session:
        keys = accounts.list_keys(session, accounts.Principal.console(), include_revoked=all_keys)
    if not keys:
        typer.echo("no keys", err=True)
        return
    typer.echo(f"{'prefix':<12} {'role':<10} {'client':<20} {'state':<8} {'last used':<20} label")
    for k in keys:
        state = "active" if k.active else "revoked"
        used = k.last_used_at.strftime("%Y-%m-%d %H:%M") if k.last_used_at else "never"
        typer.echo(f"{k.prefix:<12} {k.role.value:<10} {k.client or '-':<20} {state:<8} {used:<20} {k.label}")


@keys_app.command("revoke")
def revoke(
    ctx: typer.Context, key: str = typer.Argument(..., help="The key's prefix (tm_xxxxxxxx) or id.")
) -> None:
    """Revoke a key; it stops working at once."""
    from matcher.services.accounts import service as accounts

    with session_scope(ctx) as session:
        info = accounts.revoke_key(session, accounts.Principal.console(), key)
    typer.echo(f"revoked {info.prefix}")
