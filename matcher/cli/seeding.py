"""``talentmatch seed``: deterministic demo data."""

from __future__ import annotations

import typer

from matcher.cli.app import app, session_scope
from matcher.cli.progress import progress_bar


@app.command()
def seed(
    ctx: typer.Context,
    candidates: int = typer.Option(1000, min=0, help="How many candidates."),
    requirements: int = typer.Option(20, min=0, help="How many requirement specs."),
    seed: int = typer.Option(42, help="Random seed: the same seed gives the same data."),
) -> None:
    """Fill the database with realistic generated candidates and requirements."""
    from matcher.services.imports.seeding import seed as seed_service

    with progress_bar("seeding", candidates + requirements) as advance, session_scope(ctx) as session:
        cands, reqs = seed_service(
            session, candidates=candidates, requirements=requirements, seed=seed, progress=advance
        )
    typer.echo(
        f"seeded {cands.total} candidates ({cands.created} new) and "
        f"{reqs.total} requirements ({reqs.created} new) with seed {seed}"
    )
