"""``talentmatch generate``: deterministic, realistic fixture data as JSON Lines.

For demo seeding, tests and benchmarks; the records are in the import format, so the output
can be fed straight to ``talentmatch import``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, BinaryIO, Literal

import typer

from matcher.cli.app import app, day_option, fail
from matcher.cli.progress import progress_bar
from matcher.errors import TalentmatchError

generate = typer.Typer(
    help="Generate realistic candidates or requirement specs as JSON Lines.", no_args_is_help=True
)
app.add_typer(generate, name="generate")

#: Below this many records a single process is faster than starting workers.
_PARALLEL_FROM = 50_000

Count = Annotated[int, typer.Option("--count", "-n", min=0, help="How many records.")]
Seed = Annotated[int, typer.Option("--seed", "-s", help="Random seed: the same seed gives the same output.")]
Start = Annotated[
    int, typer.Option("--start", min=0, help="Index of the first record (a slice of a bigger run).")
]
Out = Annotated[
    Path | None, typer.Option("--out", "-o", help="JSONL file to write; standard output if omitted.")
]
Anchor = Annotated[
    str | None,
    typer.Option(
        "--anchor",
        help="The day the data is generated around (YYYY-MM-DD); default: TALENTMATCH_TODAY or the clock.",
    ),
]
Workers = Annotated[
    int,
    typer.Option("--workers", min=0, help="Processes to generate with; 0 picks one per CPU for big runs."),
]


def _workers(requested: int, count: int) -> int:
    if requested:
        return requested
    return (os.cpu_count() or 1) if count >= _PARALLEL_FROM else 1


def _emit(
    ctx: typer.Context,
    kind: Literal["candidates", "requirements"],
    *,
    count: int,
    seed: int,
    start: int,
    out: Path | None,
    workers: int,
    anchor: str | None,
    clients: list[str] | None = None,
) -> None:
    day = day_option(ctx, anchor, "--anchor")
    if out is not None and not out.parent.is_dir():
        raise fail(f"directory {str(out.parent)!r} does not exist")
    from fixtures.generator import jsonl_chunks

    try:
        chunks = jsonl_chunks(
            kind, count, seed, start=start, clients=clients, anchor=day, workers=_workers(workers, count)
        )
        if out is None:
            _copy(chunks, sys.stdout.buffer, None)
            sys.stdout.flush()
            return
        with out.open("wb") as fh, progress_bar(f"generating {kind}", count) as advance:
            _copy(chunks, fh, advance)
    except TalentmatchError as exc:
        raise fail(exc.detail) from None
    except OSError as exc:
        raise fail(f"cannot write {out or 'stdout'}: {exc.strerror or exc}") from None
    typer.echo(f"wrote {count} {kind} to {out}", err=True)


def _copy(chunks: Iterable[tuple[int, bytes]], fh: BinaryIO, advance: Callable[[int], None] | None) -> None:
    for n, data in chunks:
        fh.write(data)
        if advance is not None:
            advance(n)


@generate.command("candidates")
def candidates(
    ctx: typer.Context,
    count: Count,
    seed: Seed = 0,
    start: Start = 0,
    out: Out = None,
    workers: Workers = 0,
    anchor: Anchor = None,
) -> None:
    """Candidates (cand-0000000, ...) in the import format, one JSON object a line."""
    _emit(ctx, "candidates", count=count, seed=seed, start=start, out=out, workers=workers, anchor=anchor)


@generate.command("requirements")
def requirements(
    ctx: typer.Context,
    count: Count,
    seed: Seed = 0,
    clients: Annotated[
        str | None,
        typer.Option("--clients", help="Comma-separated client slugs; a default set of 8 if omitted."),
    ] = None,
    start: Start = 0,
    out: Out = None,
    workers: Workers = 0,
    anchor: Anchor = None,
) -> None:
    """Requirement specs (req-00000, ...) in the import format, one JSON object a line."""
    slugs = None
    if clients is not None:
        slugs = [c.strip() for c in clients.split(",") if c.strip()]
        if not slugs:
            raise fail("--clients: give at least one client slug")
    _emit(
        ctx,
        "requirements",
        count=count,
        seed=seed,
        start=start,
        out=out,
        workers=workers,
        anchor=anchor,
        clients=slugs,
    )


@generate.command("report")
def report(
    ctx: typer.Context,
    candidates: Annotated[int, typer.Option("--candidates", min=1, help="How many candidates.")] = 3000,
    requirements: Annotated[int, typer.Option("--requirements", min=1, help="How many requirements.")] = 24,
    seed: Seed = 42,
    anchor: Anchor = None,
    per_requirement: Annotated[
        bool, typer.Option("--per-requirement", help="Also print one line per open requirement.")
    ] = False,
) -> None:
    """How realistic a generated world is: must-haves, eligible holders, #1 and #10 scores."""
    from fixtures.world_report import world_report

    result = world_report(candidates, requirements, seed, day_option(ctx, anchor, "--anchor"))
    typer.echo(f"{candidates} candidates, {requirements} requirements, seed {seed}, as of {result.anchor}")
    for name, value in result.summary.items():
        typer.echo(f"  {name}: {value}")
    if per_requirement:
        for r in result.requirements:
            top1 = "-" if r.top1 is None else f"{r.top1:.1f}"
            top10 = "-" if r.top10 is None else f"{r.top10:.1f}"
            lacks = "  #1 lacks a must-have" if r.top1_lacks_must_have else ""
            typer.echo(
                f"  {r.external_id} must {r.must_haves} eligible {r.eligible:4d} holders {r.holders:4d} "
                f"#1 {top1:>5} #10 {top10:>5}  {r.title}{lacks}"
            )
