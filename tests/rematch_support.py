"""Helpers of the re-matching tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.engine import Engine

from fixtures.generator import generate_candidates, generate_requirements
from matcher.dispatch import REMATCH_CHUNK
from matcher.schemas import CandidateIn, RequirementIn
from matcher.services.imports import importing
from tests.helpers import session_scope
from tests.suite_clock import TODAY

SEED = 20261123


@dataclass
class ChunkRecorder:
    """A task sender that only records: each run with the chunks it was sent, in sending order
    (consecutive chunks of one run are one entry, as a run sends all of its chunks at once)."""

    sent: list[tuple[uuid.UUID, list[list[uuid.UUID]]]] = field(default_factory=list)

    def __call__(self, task: str, args: list[Any]) -> None:
        assert task == REMATCH_CHUNK
        run_id, chunk = uuid.UUID(args[0]), [uuid.UUID(r) for r in args[1]]
        if self.sent and self.sent[-1][0] == run_id:
            self.sent[-1][1].append(chunk)
        else:
            self.sent.append((run_id, [chunk]))


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
