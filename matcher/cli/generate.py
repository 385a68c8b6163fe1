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

from matcher.cli import app, fail
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
Workers = Annotated[
    int,
    typer.Option("--workers", min=0, help="Processes to generate with; 0 picks one per CPU for big runs."),
]


def _workers(requested: int, count: int) -> int:
    if requested:
        return requested
    return (os.cpu_count() or 1) if count >= _PARALLEL_FROM else 1


def _emit(
    kind: Literal["candidates", "requirements"],
    *,
    count: int,
    seed: int,
    start: int,
    out: Path | None,
    workers: int,
    clients: list[str] | None = None,
) -> None:
    if out is not None and not out.parent.is_dir():
        raise fail(f"directory {str(out.parent)!r} does not exist")
    from fixtures.generator import jsonl_chunks

    try:
        chunks = jsonl_chunks(
            kind, count, seed, start=start, clients=clients, workers=_workers(workers, count)
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
    count: Count,
    seed: Seed = 0,
    start: Start = 0,
    out: Out = None,
    workers: Workers = 0,
) -> None:
    """Candidates (cand-0000000, ...) in the import format, one JSON object a line."""
    _emit("candidates", count=count, seed=seed, start=start, out=out, workers=workers)


@generate.command("requirements")
def requirements(
    count: Count,
    seed: Seed = 0,
    clients: Annotated[
        str | None,
        typer.Option("--clients", help="Comma-separated client slugs; a default set of 8 if omitted."),
    ] = None,
    start: Start = 0,
    out: Out = None,
    workers: Workers = 0,
) -> None:
    """Requirement specs (req-00000, ...) in the import format, one JSON object a line."""
    slugs = None
    if clients is not None:
        slugs = [c.strip() for c in clients.split(",") if c.strip()]
        if not slugs:
            raise fail("--clients: give at least one client slug")
    _emit("requirements", count=count, seed=seed, start=start, out=out, workers=workers, clients=slugs)
