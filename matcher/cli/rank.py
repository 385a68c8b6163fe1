"""``talentmatch rank``: rank a candidates file against a requirement file, no database needed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from matcher.cli.app import app, day_option, fail, read_text
from matcher.errors import TalentmatchError

if TYPE_CHECKING:
    from pydantic import BaseModel
    from rich.table import Table

    from matcher.core import RankedCandidate, RequirementProfile

M = TypeVar("M", bound="BaseModel")

#: Components and reasons shown per row of the table; ``--json`` has them all.
TABLE_COMPONENTS = 3
TABLE_REASONS = 2


def _parse(path: Path, model: type[M]) -> list[M]:
    from matcher.json_records import parse_models

    good, errors = parse_models(read_text(path), model)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise fail(f"{path}: {errors[0]}{more}")
    return [item for _, item in good]


def _components(result: RankedCandidate) -> str:
    best = sorted(result.components.items(), key=lambda kv: -kv[1].points)[:TABLE_COMPONENTS]
    return "\n".join(f"{name} {c.points:.1f}" for name, c in best)


def _table(results: Sequence[RankedCandidate], title: str) -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_lines=True)
    table.add_column("rank", justify="right")
    table.add_column("candidate")
    table.add_column("score", justify="right")
    table.add_column("top components")
    table.add_column("reasons")
    from matcher.core.ranking import tie_note

    previous: RankedCandidate | None = None
    for r in results:
        if r.eligible:
            reasons = "\n".join(r.reasons[:TABLE_REASONS])
            note = tie_note(previous, r) if previous is not None else None
            if note:
                reasons = note + "\n" + reasons
            previous = r
        else:
            reasons = "ineligible: " + "; ".join(r.exclusions)
        rank_text = str(r.rank) if r.rank is not None else "-"
        table.add_row(rank_text, r.external_id, f"{r.score:.1f}", _components(r), reasons)
    return table


#: ``--help`` text; the order is ``matcher.core.ranking.TIE_BREAK`` (a test keeps them equal).
RANK_HELP = (
    "Rank candidates for one requirement, with the points and reasons behind each score.\n\n"
    "Order: score, highest first; on equal scores the higher must-have value (how fully the "
    "must-have skills are met) first; then the external id, in alphabetical order. When two "
    "shown scores tie, the lower row says which of these decided."
)


@app.command("rank", help=RANK_HELP)
def rank_command(
    ctx: typer.Context,
    requirement_file: Path = typer.Option(
        ..., "--requirement", "-r", help="The requirement spec: one JSON object."
    ),
    candidates_file: Path = typer.Option(
        ..., "--candidates", "-c", help="Candidates: JSON Lines (or a JSON array)."
    ),
    top: int | None = typer.Option(None, "--top", min=1, help="Show only the best N eligible."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array, best first."),
    include_ineligible: bool = typer.Option(
        False, "--include-ineligible", help="Also list ineligible candidates, with the reasons."
    ),
    profile_file: Path | None = typer.Option(
        None, "--profile", help="A weight profile JSON file instead of the track's default."
    ),
    today: str | None = typer.Option(
        None, "--today", help="Date for skill recency, YYYY-MM-DD (default: settings, else the clock)."
    ),
) -> None:
    """Rank candidates for one requirement, with the points and reasons behind each score."""
    from matcher.core import (
        default_profile,
        load_profile,
        prepare_candidate,
        prepare_requirement,
        rank,
        relations_for,
        skill_names,
    )
    from matcher.schemas import CandidateIn, RequirementIn
    from matcher.skills import default_resolver

    requirements = _parse(requirement_file, RequirementIn)
    if len(requirements) != 1:
        raise fail(f"{requirement_file}: expected one requirement, found {len(requirements)}")
    requirement = requirements[0]
    candidates = _parse(candidates_file, CandidateIn)
    on = day_option(ctx, today, "--today")
    try:
        profile = load_profile(profile_file) if profile_file else default_profile(requirement.track)
        resolver = default_resolver()
        names = skill_names(requirement, candidates)
        resolutions = {r.input: r for r in resolver.resolve_many(names)}
        req = prepare_requirement(requirement, resolutions)
        pool = [prepare_candidate(c, resolutions) for c in candidates]
        relations = relations_for(req, resolver.taxonomy.related_to)
        results = rank(req, pool, profile, relations, on, top=top, include_ineligible=include_ineligible)
    except TalentmatchError as exc:
        raise fail(exc.detail) from None
    if as_json:
        typer.echo(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2))
        return
    title = (
        f"{requirement.external_id}: {requirement.title} "
        f"({requirement.track.value}, {profile.label}, as of {on.isoformat()})"
    )
    _print_ranking(results, title, req, len(candidates))


def _print_ranking(
    results: Sequence[RankedCandidate], title: str, req: RequirementProfile, candidates: int
) -> None:
    """The ranking as a table, then the requirement's skills the taxonomy does not know and the count."""
    from rich.console import Console

    console = Console(soft_wrap=False)
    console.print(_table(results, title))
    unknown = [s.skill.written for s in (*req.must_have, *req.nice_to_have) if s.skill.method == "unknown"]
    if unknown:
        console.print(f"not in the skill taxonomy, matched by name only: {', '.join(unknown)}")
    eligible = sum(1 for r in results if r.eligible)
    console.print(f"{eligible} ranked (of {candidates} candidates)")
