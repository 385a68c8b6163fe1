"""``talentmatch rank-requirements``: one candidate against a requirements file, no database.

Each requirement is scored with its track's default weight profile (or ``--profile`` for
requirements of that profile's track), exactly as ``talentmatch rank`` would score the
candidate for it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from matcher.cli.app import app, day_option, fail
from matcher.cli.rank import TABLE_REASONS, _parse
from matcher.errors import TalentmatchError

if TYPE_CHECKING:
    from rich.table import Table

    from matcher.core import CandidateProfile
    from matcher.reverse import RequirementBook, RequirementMatch
    from matcher.schemas import CandidateIn, RequirementIn


def _table(matches: Sequence[RequirementMatch], titles: dict[str, str], title: str) -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_lines=True)
    table.add_column("rank", justify="right")
    table.add_column("requirement")
    table.add_column("score", justify="right")
    table.add_column("profile")
    table.add_column("reasons")
    for m in matches:
        reasons = (
            "\n".join(m.reasons[:TABLE_REASONS]) if m.eligible else "ineligible: " + "; ".join(m.exclusions)
        )
        rank_text = str(m.rank) if m.rank is not None else "-"
        table.add_row(
            rank_text, f"{m.requirement}\n{titles[m.requirement]}", f"{m.score:.1f}", m.profile, reasons
        )
    return table


def _names(candidate_skills: Sequence[str], requirements: Sequence[RequirementIn]) -> list[str]:
    names = list(candidate_skills)
    names.extend(s.name for r in requirements for s in (*r.must_have, *r.nice_to_have))
    return list(dict.fromkeys(names))


@app.command("rank-requirements")
def rank_requirements_command(
    ctx: typer.Context,
    candidate_file: Path = typer.Option(..., "--candidate", "-c", help="The candidate: one JSON object."),
    requirements_file: Path = typer.Option(
        ..., "--requirements", "-r", help="Requirements: JSON Lines (or a JSON array)."
    ),
    top: int | None = typer.Option(None, "--top", min=1, help="Show only the best N eligible."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object, matches best first."),
    include_ineligible: bool = typer.Option(
        False, "--include-ineligible", help="Also list requirements the candidate is ineligible for."
    ),
    include_closed: bool = typer.Option(
        False, "--include-closed", help="Also score requirements whose status is not open."
    ),
    profile_file: Path | None = typer.Option(
        None, "--profile", help="A weight profile JSON file for requirements of its track."
    ),
    today: str | None = typer.Option(
        None, "--today", help="Date for skill recency, YYYY-MM-DD (default: settings, else the clock)."
    ),
) -> None:
    """Rank the open requirements for one candidate, with the points and reasons behind each."""
    from rich.console import Console

    from matcher.reverse import rank_requirements
    from matcher.schemas import CandidateIn, RequirementIn, RequirementStatus

    candidates = _parse(candidate_file, CandidateIn)
    if len(candidates) != 1:
        raise fail(f"{candidate_file}: expected one candidate, found {len(candidates)}")
    candidate = candidates[0]
    requirements = _parse(requirements_file, RequirementIn)
    if not include_closed:
        requirements = [r for r in requirements if r.status is RequirementStatus.open]
    on = day_option(ctx, today, "--today")
    try:
        person, book = _book(candidate, requirements, profile_file)
        ranking = rank_requirements(person, book, on, top=top, include_ineligible=include_ineligible)
    except TalentmatchError as exc:
        raise fail(exc.detail) from None
    if as_json:
        typer.echo(json.dumps(ranking.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    titles = {r.external_id: r.title for r in requirements}
    console = Console(soft_wrap=False)
    title = f"{candidate.external_id} ({candidate.track.value}): best requirements as of {on.isoformat()}"
    console.print(_table(ranking.matches, titles, title))
    console.print(f"eligible for {ranking.eligible} of {ranking.requirements} requirements")


def _book(
    candidate: CandidateIn, requirements: Sequence[RequirementIn], profile_file: Path | None
) -> tuple[CandidateProfile, RequirementBook]:
    """The candidate and the requirements prepared with one resolution of every skill named, each
    requirement with its track's default profile or ``profile_file`` for requirements of its track."""
    from matcher.core import (
        default_profile,
        load_profile,
        prepare_candidate,
        prepare_requirement,
        relations_for,
    )
    from matcher.reverse import BookEntry, RequirementBook
    from matcher.skills import default_resolver

    custom = load_profile(profile_file) if profile_file else None
    resolver = default_resolver()
    names = _names([s.name for s in candidate.skills], requirements)
    resolutions = {res.input: res for res in resolver.resolve_many(names)}
    entries = []
    for r in requirements:
        req = prepare_requirement(r, resolutions)
        profile = custom if custom is not None and custom.track is r.track else default_profile(r.track)
        relations = relations_for(req, resolver.taxonomy.related_to)
        entries.append(BookEntry(r.external_id, req, profile, relations))
    return prepare_candidate(candidate, resolutions), RequirementBook(entries)
