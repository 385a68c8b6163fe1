"""``talentmatch draft-requirement``: a requirement drafted from a job description file."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from matcher.cli.app import app, day_option, read_text


@app.command("draft-requirement")
def draft_requirement_command(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="The job description: a plain text or Markdown file."),
    as_json: bool = typer.Option(
        False, "--json", help="Print one JSON object: the draft, every field's source text, notes."
    ),
    today: str | None = typer.Option(
        None, "--today", help="Date relative start dates are read against, YYYY-MM-DD (default: the clock)."
    ),
) -> None:
    """Draft a requirement from a job description: the import-format fields found (on stdout)
    and, for each, the text it was read from (on stderr). Nothing is saved."""
    from matcher.drafting import draft_requirement

    text = read_text(path)
    draft = draft_requirement(text, today=day_option(ctx, today, "--today"))
    if as_json:
        typer.echo(json.dumps(draft.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    typer.echo(json.dumps(draft.requirement, ensure_ascii=False, indent=2))
    for f in draft.fields:
        quoted = " | ".join(" ".join(s.text.split()) for s in f.spans)
        note = f"  ({f.note})" if f.note else ""
        typer.echo(f'{f.field}: {json.dumps(f.value, ensure_ascii=False)} <- "{quoted}"{note}', err=True)
    if draft.missing:
        typer.echo(f"missing (fill in before saving): {', '.join(draft.missing)}", err=True)
