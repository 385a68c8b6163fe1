"""Building an index in one streaming pass: from the database, or from a JSON Lines file.

Neither path keeps a list of the pool in memory: rows are turned into core profiles and encoded
into columns as they arrive (the ``ColumnBuilder`` flushes to arrays every 64k rows).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from os import PathLike
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from matcher.candidate_rows import CAND, CSKILL, PROFILE_COLUMNS, SKILL_COLUMNS, SKILL_ORDER, ProfileBuilder
from matcher.core.prepare import prepare_candidate
from matcher.core.types import CandidateProfile, CandidateSkill
from matcher.errors import FieldError, ValidationFailed
from matcher.index.index import CandidateIndex
from matcher.json_records import validation_errors
from matcher.schemas import CandidateIn
from matcher.skills import Resolution, Taxonomy, default_resolver, load_taxonomy

#: Rows fetched per round trip from the database, and JSONL lines validated per batch.
BATCH = 10_000
#: Errors listed when a JSONL file is invalid (the count covers them all).
SHOWN_ERRORS = 50


# --- JSON Lines -------------------------------------------------------------------------------


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                yield number, line


def build_index_from_jsonl(path: str | PathLike[str], **options: Any) -> CandidateIndex:
    """An index of the candidates in a JSON Lines file of the import format.

    Every line is validated as ``CandidateIn``; skill names are resolved in bulk, each distinct
    name once (one ``resolve_many`` per batch of lines, for the names not seen before). Invalid
    lines raise ``ValidationFailed`` listing them (nothing is indexed); a repeated external id
    is a ``Conflict``.
    """
    source = Path(path)
    try:
        source.stat()
    except OSError as exc:
        raise ValidationFailed(f"{source}: cannot read ({exc.strerror})") from exc
    index = CandidateIndex(**options)
    builder = index.builder()
    resolver = default_resolver()
    resolutions: dict[str, Resolution] = {}
    errors: list[FieldError] = []
    batch: list[CandidateIn] = []

    def flush() -> None:
        new = list(dict.fromkeys(s.name for c in batch for s in c.skills if s.name not in resolutions))
        if new:
            resolutions.update(zip(new, resolver.resolve_many(new), strict=True))
        for c in batch:
            builder.add(prepare_candidate(c, resolutions))
        batch.clear()

    for number, line in _lines(source):
        try:
            candidate = CandidateIn.model_validate_json(line)
        except ValidationError as exc:
            errors.extend(validation_errors(exc, number))
            continue
        if errors:
            continue
        batch.append(candidate)
        if len(batch) >= BATCH:
            flush()
    if errors:
        lines = len({e.line for e in errors})
        raise ValidationFailed(
            f"{source}: {lines} invalid candidate line(s), {len(errors)} error(s); nothing was indexed",
            errors[:SHOWN_ERRORS],
        )
    flush()
    index.append(builder)
    return index


# --- database ---------------------------------------------------------------------------------


def _stream(conn: Connection, statement: Any) -> Iterator[Any]:
    # Options of this statement only: ``conn.execution_options`` would set them on the connection
    # itself, and a session's later writes would then go through server-side cursors.
    yield from conn.execute(statement, execution_options={"stream_results": True, "yield_per": BATCH})


def profiles_from_db(
    conn: Connection, taxonomy: Taxonomy, where: Any = None
) -> Iterator[tuple[uuid.UUID, CandidateProfile]]:
    """(database id, profile) of every candidate not erased (and matching ``where``), joined
    with its skills by a merge on the candidate id (both streams are ordered by it;
    ``uuid.UUID`` orders like PostgreSQL's uuid and like the hex text SQLite stores)."""
    build = ProfileBuilder(taxonomy)
    live = CAND.c.erased_at.is_(None) if where is None else CAND.c.erased_at.is_(None) & where
    candidates = _stream(conn, select(*PROFILE_COLUMNS).where(live).order_by(CAND.c.id))
    skill_rows = _stream(
        conn,
        select(*SKILL_COLUMNS)
        .join(CAND, CAND.c.id == CSKILL.c.candidate_id)
        .where(live)
        .order_by(*SKILL_ORDER),
    )
    pending = next(skill_rows, None)
    for r in candidates:
        cid: uuid.UUID = r.id
        skills: list[CandidateSkill] = []
        while pending is not None and pending.candidate_id <= cid:
            if pending.candidate_id == cid:
                skills.append(build.skill(pending))
            pending = next(skill_rows, None)
        yield cid, build.profile(r, tuple(skills))


def build_index_from_db(
    source: Session | Engine | Connection, *, taxonomy: Taxonomy | None = None, **options: Any
) -> CandidateIndex:
    """An index of every candidate in the database that is not erased (all tracks and vetting
    states: the index applies eligibility itself), in one streaming pass of plain columns.

    With an engine, the pass runs in its own read-only transaction (REPEATABLE READ on
    PostgreSQL, so both streams see one snapshot); with a session or connection, in the
    caller's transaction.
    """
    tax = taxonomy or load_taxonomy()
    index = CandidateIndex(**options)
    builder = index.builder()

    def fill(conn: Connection) -> None:
        for _, profile in profiles_from_db(conn, tax):
            builder.add(profile)

    if isinstance(source, Engine):
        with source.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                fill(conn)
    elif isinstance(source, Session):
        fill(source.connection())
    else:
        fill(source)
    index.append(builder)
    return index
