"""``talentmatch skills``: resolve free-text skill names, list the taxonomy."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from matcher.cli.app import app, fail

skills_app = typer.Typer(
    help="The skill taxonomy: resolve free-text names, list canonical skills.",
    no_args_is_help=True,
)
app.add_typer(skills_app, name="skills")


@skills_app.command("resolve")
def resolve(
    names: list[str] = typer.Argument(..., help="Skill names as written, e.g. 'Postgres 14' k8s."),
    as_json: bool = typer.Option(
        False, "--json", help="Print a JSON array of {input, canonical, name, method, score}."
    ),
) -> None:
    """Resolve each NAME to its canonical skill: exact, alias, fuzzy (with score) or unknown."""
    from matcher.skills import default_resolver

    resolutions = default_resolver().resolve_many(names)
    if as_json:
        typer.echo(json.dumps([r.to_json() for r in resolutions], indent=2, ensure_ascii=False))
        return
    table = Table("input", "canonical", "name", "method", "score")
    for r in resolutions:
        table.add_row(r.input, r.canonical or "-", r.name or "-", r.method, f"{r.score:.1f}")
    Console().print(table)


@skills_app.command("list")
def list_skills(
    category: str | None = typer.Option(None, "--category", "-c", help="Only this category."),
) -> None:
    """Print the canonical skills (id, name, category, aliases), optionally of one category."""
    from matcher.skills import load_taxonomy

    taxonomy = load_taxonomy()
    if category is not None and category not in taxonomy.categories:
        known = ", ".join(sorted(taxonomy.categories))
        raise fail(f"unknown category {category!r}; known: {known}")
    skills = list(taxonomy.skills.values()) if category is None else taxonomy.in_category(category)
    table = Table(
        "id",
        "name",
        "category",
        "aliases",
        title=f"skill taxonomy {taxonomy.version}: {len(skills)} skills",
    )
    for skill in skills:
        table.add_row(skill.id, skill.name, skill.category, ", ".join(skill.aliases))
    Console().print(table)
