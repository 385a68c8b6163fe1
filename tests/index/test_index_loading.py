"""Building the index from a JSON Lines file and from the database (SQLite and PostgreSQL), and
plugging it into the matching service: every path ranks exactly like the reference."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matcher.core import rank
from matcher.core.rankers import reference_ranker
from matcher.errors import Conflict, ValidationFailed
from matcher.index import build_index_from_db, build_index_from_jsonl, index_ranker, pool_index
from matcher.models import Candidate
from matcher.schemas import CandidateIn
from matcher.services.candidate_pool import load_pool
from matcher.services.imports.importing import import_candidates
from tests.helpers import jsonl
from tests.index.index_data import candidate_records, prepared, specs

RECORDS = candidate_records(250, seed=21)
SPECS = specs(10, seed=9)


def test_jsonl_build_stores_the_prepared_profiles_and_ranks_like_the_reference(tmp_path: Path) -> None:
    path = tmp_path / "pool.jsonl"
    path.write_text("\n" + jsonl(RECORDS) + "\n", encoding="utf-8")
    index = build_index_from_jsonl(path)
    pool = prepared(RECORDS)
    assert len(index) == len(pool)
    for p in pool:
        assert index.get(p.external_id) == p
    for spec in SPECS:
        requirement, profile, relations, today = spec.args()
        for top in (5, None):
            want = rank(requirement, pool, profile, relations, today, top=top)
            assert index.rank(requirement, profile, relations, today, top=top) == want


def test_jsonl_errors_name_every_bad_line_and_index_nothing(tmp_path: Path) -> None:
    bad = dict(RECORDS[1], currency="XYZ")
    lines = [json.dumps(RECORDS[0]), "{not json", json.dumps(bad), json.dumps(RECORDS[2])]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        build_index_from_jsonl(path)
    assert sorted({e.line for e in caught.value.errors}) == [2, 3]
    assert any(e.field == "currency" for e in caught.value.errors)
    with pytest.raises(ValidationFailed):
        build_index_from_jsonl(tmp_path / "missing.jsonl")
    path.write_text(jsonl([RECORDS[0], RECORDS[0]]), encoding="utf-8")
    with pytest.raises(Conflict):
        build_index_from_jsonl(path)


def _import(session: Session) -> None:
    import_candidates(session, [CandidateIn.model_validate(r) for r in RECORDS])
    session.commit()


def test_db_build_matches_the_matching_service_pool(session: Session, engine: Engine) -> None:
    _import(session)
    erased = RECORDS[0]["external_id"]
    session.execute(
        update(Candidate).where(Candidate.external_id == erased).values(erased_at=Candidate.updated_at)  # type: ignore[arg-type]
    )
    session.commit()
    from_session = build_index_from_db(session)
    from_engine = build_index_from_db(engine)
    assert len(from_session) == len(from_engine) == len(RECORDS) - 1
    assert erased not in from_session
    pool = load_pool(session)
    for candidate in pool.candidates:
        assert from_session.get(candidate.external_id) == candidate
    for spec in SPECS:
        requirement, profile, relations, today = spec.args()
        want = rank(requirement, pool.candidates, profile, relations, today, top=8)
        assert from_session.rank(requirement, profile, relations, today, top=8) == want
        assert from_engine.rank(requirement, profile, relations, today, top=8) == want


def test_index_ranker_is_a_drop_in_for_the_reference_ranker(session: Session) -> None:
    _import(session)
    pool = load_pool(session)
    for spec in SPECS:
        requirement, profile, relations, today = spec.args()
        want = reference_ranker(requirement, pool, profile, relations, today, top=7)
        got = index_ranker(requirement, pool, profile, relations, today, top=7)
        assert got == want
    assert pool_index(pool) is pool_index(pool)
