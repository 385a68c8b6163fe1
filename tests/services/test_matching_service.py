"""The matching service: what it loads from the database is what the import format says, and
what it ranks and persists is what the core ranks on the same data."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matcher.core import default_profile, prepare_candidate, prepare_requirement, rank, relations_for
from matcher.models import EntryState, Requirement, ShortlistEntry
from matcher.schemas import RequirementStatus, Track, VettingStatus
from matcher.services import candidate_pool, matching
from matcher.services.imports import exporting, importing
from matcher.services.skills import resolve_names
from matcher.settings import get_settings
from matcher.skills import load_taxonomy
from tests.helpers import session_on, session_scope
from tests.rematch_support import Seeded
from tests.suite_clock import TODAY

ENTRY = ShortlistEntry.__table__  # type: ignore[attr-defined]
REQ = Requirement.__table__  # type: ignore[attr-defined]


def resolutions(seeded: Seeded) -> dict[str, Any]:
    names = [s.name for c in seeded.candidates for s in c.skills]
    names += [s.name for r in seeded.requirements for s in (*r.must_have, *r.nice_to_have)]
    return resolve_names(names)


def requirement_id(session: Session, external_id: str) -> Any:
    return session.scalar(select(REQ.c.id).where(REQ.c.external_id == external_id))


def test_the_pool_is_the_passed_candidates_of_both_tracks_as_the_import_format_says(
    engine: Engine, seeded: Seeded
) -> None:
    res = resolutions(seeded)
    expected = {
        c.external_id: prepare_candidate(c, res)
        for c in seeded.candidates
        if c.vetting.status is VettingStatus.passed
    }
    with session_on(engine) as session:
        pool = candidate_pool.load_pool(session)
    assert {c.external_id: c for c in pool.candidates} == expected
    assert len(pool) == len(expected) > 0


def test_ranking_and_persisting_match_the_core_on_the_import_data(engine: Engine, seeded: Seeded) -> None:
    res = resolutions(seeded)
    taxonomy = load_taxonomy()
    today = TODAY
    size = get_settings().shortlist_size
    everyone = [prepare_candidate(c, res) for c in seeded.candidates]
    checked = 0
    for spec in seeded.requirements:
        if spec.status is not RequirementStatus.open:
            continue
        core_req = prepare_requirement(spec, res)
        expected = rank(
            core_req,
            everyone,
            default_profile(spec.track),
            relations_for(core_req, taxonomy.related_to),
            today,
        )
        with session_scope(engine) as session:
            rid = requirement_id(session, spec.external_id)
            outcome = matching.match_requirement(session, rid)
        with session_on(engine) as session:
            stored = session.execute(
                select(ENTRY.c.candidate_id, ENTRY.c.rank, ENTRY.c.score, ENTRY.c.components, ENTRY.c.reasons)
                .where(ENTRY.c.requirement_id == rid, ENTRY.c.state == EntryState.active.value)
                .order_by(ENTRY.c.rank)
            ).all()
            ids = dict(session.execute(select(matching.CAND.c.id, matching.CAND.c.external_id)).all())
        assert outcome.eligible == len(expected)
        assert [(ids[r.candidate_id], r.rank, r.score) for r in stored] == [
            (e.external_id, e.rank, e.score) for e in expected[:size]
        ]
        for row, result in zip(stored, expected, strict=False):
            assert row.reasons == result.reasons
            assert row.components == {k: v.model_dump(mode="json") for k, v in result.components.items()}
        assert outcome.change.entered == len(stored)
        checked += 1
    assert checked >= 5


def test_the_pool_cache_rebuilds_when_a_candidate_changes(engine: Engine, seeded: Seeded) -> None:
    cache = candidate_pool.PoolCache()
    with session_on(engine) as session:
        first = cache.get(session)
        assert cache.get(session) is first
    changed = next(c for c in seeded.candidates if c.track is Track.developer)
    with session_scope(engine) as session:
        importing.import_candidates(session, [changed.model_copy(update={"hourly_rate": 1.0})])
    with session_on(engine) as session:
        second = cache.get(session)
    assert second is not first
    assert second.get(second.id_of(changed.external_id)).hourly_rate == 1.0  # type: ignore[union-attr]


def exported_record(session: Session, external_id: str) -> dict[str, Any]:
    return next(r for r in exporting.iter_requirement_records(session) if r["external_id"] == external_id)


def test_a_requirement_that_makes_must_haves_hard_is_imported_exported_and_ranked_so(
    engine: Engine, seeded: Seeded
) -> None:
    res = resolutions(seeded)
    everyone = [prepare_candidate(c, res) for c in seeded.candidates]
    related = load_taxonomy().related_to
    today = TODAY

    def core_eligible(spec: Any) -> int:
        req = prepare_requirement(spec, res)
        return len(rank(req, everyone, default_profile(spec.track), relations_for(req, related), today))

    candidates = [
        (spec, core_eligible(spec), core_eligible(spec.model_copy(update={"must_have_is_hard": True})))
        for spec in seeded.requirements
        if spec.status is RequirementStatus.open and spec.must_have
    ]
    spec, soft_count, hard_count = next(c for c in candidates if 0 < c[2] < c[1])
    hard_spec = spec.model_copy(update={"must_have_is_hard": True})

    with session_scope(engine) as session:
        rid = requirement_id(session, spec.external_id)
        assert matching.match_requirement(session, rid).eligible == soft_count
        exported = [
            r for r in exporting.iter_requirement_records(session) if r["external_id"] == spec.external_id
        ]
        assert "must_have_is_hard" not in exported[0]
    with session_scope(engine) as session:
        importing.import_requirements(session, [hard_spec])
    with session_scope(engine) as session:
        exported = [
            r for r in exporting.iter_requirement_records(session) if r["external_id"] == spec.external_id
        ]
        assert exported[0]["must_have_is_hard"] is True
        assert importing.parse_requirements(json.dumps(exported[0])) == [hard_spec]
        assert matching.match_requirement(session, rid).eligible == hard_count
    with session_on(engine) as session:
        reasons = session.scalars(
            select(ENTRY.c.reasons).where(ENTRY.c.requirement_id == rid, ENTRY.c.state == "active")
        ).all()
    assert len(reasons) == min(hard_count, get_settings().shortlist_size)
    assert not any("missing must-have" in r for rs in reasons for r in rs)
