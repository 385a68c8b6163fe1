"""``talentmatch import`` and ``talentmatch export``: the shared JSON format in and out."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

from matcher.cli import app, fail
from matcher.cli.progress import progress_bar
from matcher.db import session_scope
from matcher.services import exporting, importing

import_app = typer.Typer(help="Import candidates or requirements (all or nothing).", no_args_is_help=True)
app.add_typer(import_app, name="import")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise fail(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise fail(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise fail(f"{path}: {exc.strerror}") from None


@import_app.command("candidates")
def import_candidates(
    file: Path = typer.Argument(..., help="JSON Lines (or a JSON array) of candidates."),
) -> None:
    """Create or update candidates by external_id. Any invalid record: nothing is written."""
    records = importing.parse_candidates(_read(file))
    with progress_bar("importing candidates", len(records)) as advance, session_scope() as session:
        result = importing.import_candidates(session, records, actor="cli", progress=advance)
    typer.echo(f"imported {result.total} candidates: {result.created} created, {result.updated} updated")


@import_app.command("requirements")
def import_requirements(
    file: Path = typer.Argument(..., help="One JSON object, a JSON array, or JSON Lines."),
) -> None:
    """Create or update requirement specs by (client, external_id). Any invalid record: nothing is written."""
    records = importing.parse_requirements(_read(file))
    with progress_bar("importing requirements", len(records)) as advance, session_scope() as session:
        result = importing.import_requirements(session, records, actor="cli", progress=advance)
    typer.echo(f"imported {result.total} requirements: {result.created} created, {result.updated} updated")


class What(StrEnum):
    candidates = "candidates"
    requirements = "requirements"


@app.command("export")
def export(
    what: What = typer.Argument(..., help="candidates or requirements"),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to FILE instead of stdout."),
) -> None:
    """Export as JSON Lines in the import format."""
    stream = out.open("w", encoding="utf-8") if out else sys.stdout
    try:
        with session_scope() as session:
            records = (
                exporting.iter_candidate_records(session)
                if what is What.candidates
                else exporting.iter_requirement_records(session)
            )
            count = 0
            for rec in records:
                stream.write(json.dumps(rec, ensure_ascii=False) + "\n")
                count += 1
    finally:
        if out:
            stream.close()
    if out:
        typer.echo(f"exported {count} {what.value} to {out}", err=True)
