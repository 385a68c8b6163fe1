"""Deterministic demo data: the fixtures generator fed through the normal import path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pydantic import TypeAdapter
from sqlmodel import Session

from fixtures.generator import generate_candidates, generate_requirements
from matcher import clock
from matcher.runtime import runtime_of
from matcher.schemas import CandidateIn, RequirementIn
from matcher.services.decisions.simulate import simulate_self_identification
from matcher.services.imports.importing import ImportResult, import_candidates, import_requirements

BATCH = 5000
_candidates = TypeAdapter(list[CandidateIn])
_requirements = TypeAdapter(list[RequirementIn])


def seed(
    session: Session,
    *,
    candidates: int,
    requirements: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
    rematch: bool = True,
    anchor: dt.date | None = None,
) -> tuple[ImportResult, ImportResult]:
    """Fill the database with ``candidates`` and ``requirements`` generated from ``seed``.

    The same arguments always give the same data; re-seeding updates rows in place
    (the import is keyed by external_id), so it never duplicates. ``rematch=False`` leaves
    matching to the caller (one full run instead of one per batch). The data is generated around
    ``anchor``, by default today (``matcher.clock``), so demo data seeded on any day shows open
    requirements starting soon and candidates available soon, instead of a world that rots.
    Every candidate gets a seeded voluntary self-identification (for the impact-ratio audit);
    decisions need shortlists, so ``simulate.simulate_decisions`` runs after matching.
    """
    day = anchor or clock.today(runtime_of(session).settings)
    cand_total = ImportResult()
    for start in range(0, candidates, BATCH):
        count = min(BATCH, candidates - start)
        batch = _candidates.validate_python(list(generate_candidates(count, seed, start=start, anchor=day)))
        part = import_candidates(session, batch, actor="seed", progress=progress, rematch=rematch)
        cand_total.created += part.created
        cand_total.updated += part.updated
    simulate_self_identification(session, seed=seed)
    reqs = _requirements.validate_python(list(generate_requirements(requirements, seed, anchor=day)))
    req_total = import_requirements(session, reqs, actor="seed", progress=progress, rematch=rematch)
    return cand_total, req_total
