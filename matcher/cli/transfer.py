"""``talentmatch import`` and ``talentmatch export``: the shared JSON format in and out."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import typer

from matcher.cli.app import app, fail, read_text, session_scope
from matcher.cli.progress import progress_bar

import_app = typer.Typer(help="Import candidates or requirements (all or nothing).", no_args_is_help=True)
app.add_typer(import_app, name="import")


@import_app.command("candidates")
def import_candidates(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="JSON Lines (or a JSON array) of candidates."),
) -> None:
    """Create or update candidates by external_id. Any invalid record: nothing is written."""
    from matcher.services.imports import importing

    records = importing.parse_candidates(read_text(file))
    with progress_bar("importing candidates", len(records)) as advance, session_scope(ctx) as session:
        result = importing.import_candidates(session, records, actor="cli", progress=advance)
    typer.echo(f"imported {result.total} candidates: {result.created} created, {result.updated} updated")


@import_app.command("requirements")
def import_requirements(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="One JSON object, a JSON array, or JSON Lines."),
) -> None:
    """Create or update requirement specs by (client, external_id). Any invalid record: nothing is written."""
    from matcher.services.imports import importing

    records = importing.parse_requirements(read_text(file))
    with progress_bar("importing requirements", len(records)) as advance, session_scope(ctx) as session:
        result = importing.import_requirements(session, records, actor="cli", progress=advance)
    typer.echo(f"imported {result.total} requirements: {result.created} created, {result.updated} updated")


class What(StrEnum):
    candidates = "candidates"
    requirements = "requirements"


@app.command("export")
def export(
    ctx: typer.Context,
    what: What = typer.Argument(..., help="candidates or requirements"),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to FILE instead of stdout."),
) -> None:
    """Export as JSON Lines in the import format."""
    from matcher.services.imports import exporting

    if out is not None and not out.parent.is_dir():
        raise fail(f"{out.parent}: no such directory")
    with session_scope(ctx) as session:
        records = (
            exporting.iter_candidate_records(session)
            if what is What.candidates
            else exporting.iter_requirement_records(session)
        )
        if out is None:
            for rec in records:
                sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
            return
        count = _write_whole(out, (json.dumps(rec, ensure_ascii=False) + "\n" for rec in records))
    typer.echo(f"exported {count} {what.value} to {out}", err=True)


def _write_whole(out: Path, lines: Iterator[str]) -> int:
    """Write beside ``out`` and rename into place: an export that fails leaves no half a file."""
    tmp = out.with_name(f".{out.name}.partial")
    count = 0
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line)
                count += 1
        tmp.replace(out)
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return count
