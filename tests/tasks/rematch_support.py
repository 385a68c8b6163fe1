"""Helpers of the re-matching tests."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import TypeAdapter
from sqlalchemy.engine import Engine

from fixtures.generator import generate_candidates, generate_requirements
from matcher.db import session_scope
from matcher.schemas import CandidateIn, RequirementIn
from matcher.services import importing
from tests.suite_clock import TODAY

SEED = 20261123


@dataclass
class Seeded:
    candidates: list[CandidateIn]
    requirements: list[RequirementIn]


def seed(engine: Engine, candidates: int, requirements: int, seed: int = SEED) -> Seeded:
    """Import generated candidates and requirements (with auto re-matching off)."""
    cands = TypeAdapter(list[CandidateIn]).validate_python(
        list(generate_candidates(candidates, seed, anchor=TODAY))
    )
    reqs = TypeAdapter(list[RequirementIn]).validate_python(
        list(generate_requirements(requirements, seed, anchor=TODAY))
    )
    with session_scope(engine) as session:
        importing.import_candidates(session, cands)
        importing.import_requirements(session, reqs)
    return Seeded(cands, reqs)
