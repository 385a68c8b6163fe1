"""``talentmatch cv-skills``: the skills (with years) a plain-text CV names."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from matcher.cli.app import app, read_text


@app.command("cv-skills")
def cv_skills_command(
    path: Path = typer.Argument(..., help="The CV as a plain text file."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with the source text of each."),
) -> None:
    """Read a CV's skills section into candidate skills: prints the ``skills`` list of the import
    format (name, years where stated) for a candidate record; with ``--json`` the spans too."""
    from matcher.drafting import skills_from_cv

    found = skills_from_cv(read_text(path))
    if as_json:
        typer.echo(json.dumps(found.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    skills = [{"name": s.name, **({"years": s.years} if s.years is not None else {})} for s in found.skills]
    typer.echo(json.dumps(skills, ensure_ascii=False))
    if found.section is None:
        typer.echo("no skills section found: the whole text was read", err=True)
