"""Reverse ranking over a seeded database: for every requirement, the score its shortlist gives
a candidate is exactly the score the candidate's list of best requirements gives it."""

from __future__ import annotations

import uuid
from collections import defaultdict

import pytest
from sqlalchemy import select, update
from sqlmodel import Session

from matcher.core.pipeline import Stage
from matcher.errors import Conflict, Forbidden, NotFound
from matcher.models import (
    Candidate,
    EntryState,
    EventKind,
    PipelineEvent,
    Requirement,
    Role,
    ShortlistEntry,
)
from matcher.services import matching
from matcher.services.accounts.service import Principal
from matcher.services.imports import seeding
from matcher.services.shortlists import pipeline, placements
from matcher.services.shortlists.placements import MAX_TOP, BookCache
from tests.helpers import missing_id
from tests.suite_clock import TODAY

RECRUITER = Principal(key_id=missing_id(), prefix="tm_test0000", role=Role.recruiter)
CLIENT = Principal(key_id=missing_id(1), prefix="tm_test0001", role=Role.client, client_id=missing_id(2))


def _stage_events(
    session: Session, requirement_id: uuid.UUID, candidate_id: uuid.UUID
) -> list[tuple[str, ...]]:
    rows = session.execute(
        select(PipelineEvent.actor, PipelineEvent.from_stage, PipelineEvent.to_stage)
        .where(
            PipelineEvent.requirement_id == requirement_id,  # type: ignore[arg-type]
            PipelineEvent.candidate_id == candidate_id,  # type: ignore[arg-type]
            PipelineEvent.kind == EventKind.stage,  # type: ignore[arg-type]
        )
        .order_by(PipelineEvent.id)  # type: ignore[arg-type]
    )
    return [tuple(r) for r in rows]


def _seeded(session: Session) -> list[uuid.UUID]:
    seeding.seed(session, candidates=60, requirements=24, seed=5, rematch=False, anchor=TODAY)
    session.commit()
    ids = list(session.execute(select(Requirement.id).where(Requirement.status == "open")).scalars())
    for rid in ids:
        matching.match_requirement(session, rid)
    session.commit()
    return ids


def test_reverse_scores_are_the_shortlist_scores(session: Session) -> None:
    requirement_ids = _seeded(session)
    assert len(requirement_ids) >= 10
    entries = session.execute(
        select(ShortlistEntry).where(ShortlistEntry.state == EntryState.active)
    ).scalars()
    by_candidate: dict[uuid.UUID, dict[uuid.UUID, ShortlistEntry]] = defaultdict(dict)
    for e in entries:
        by_candidate[e.candidate_id][e.requirement_id] = e
    full = {
        rid
        for rid in requirement_ids
        if session.execute(
            select(ShortlistEntry.id).where(ShortlistEntry.requirement_id == rid).limit(1)
        ).first()
        is not None
    }
    assert len(by_candidate) >= 10
    cache = BookCache()
    compared = 0
    for candidate_id, on_lists in by_candidate.items():
        result = placements.candidate_matches(
            session, candidate_id, top=MAX_TOP, include_ineligible=True, cache=cache
        )
        assert result.open_requirements == len(requirement_ids)
        assert result.method == "vectorised"
        found = {m.requirement_id: m for m in result.items}
        assert set(found) == set(requirement_ids)
        for rid, entry in on_lists.items():
            match = found[rid]
            assert match.eligible
            assert match.score == entry.score
            assert match.reasons == entry.reasons
            assert {k: c.model_dump() for k, c in match.components.items()} == entry.components
            assert match.shortlist is not None and match.shortlist.rank == entry.rank
            compared += 1
        # shortlists hold everyone eligible here (the pool is smaller than the shortlist size),
        # so every requirement the candidate is eligible for lists the candidate
        for m in result.items:
            if m.eligible and m.requirement_id in full:
                assert m.requirement_id in on_lists, (candidate_id, m.requirement_id)
        eligible = [m for m in result.items if m.eligible]
        assert [m.rank for m in eligible] == list(range(1, len(eligible) + 1))
        assert all(m.rank is None for m in result.items if not m.eligible)
    assert compared >= 50


def test_the_book_follows_requirement_changes(session: Session) -> None:
    requirement_ids = _seeded(session)
    cache = BookCache()
    candidate_id = session.execute(select(Candidate.id).limit(1)).scalar_one()
    before = placements.candidate_matches(session, candidate_id, include_ineligible=True, cache=cache)
    assert before.open_requirements == len(requirement_ids)
    session.execute(
        update(Requirement.__table__).where(Requirement.id == requirement_ids[0]).values(status="closed")  # type: ignore[attr-defined]
    )
    session.commit()
    after = placements.candidate_matches(session, candidate_id, include_ineligible=True, cache=cache)
    assert after.open_requirements == len(requirement_ids) - 1
    assert requirement_ids[0] not in {m.requirement_id for m in after.items}


def test_add_to_shortlist(session: Session) -> None:
    _seeded(session)
    cache = BookCache()
    # a candidate eligible for a requirement without an entry on its shortlist
    target = None
    for candidate_id in session.execute(select(Candidate.id)).scalars():
        result = placements.candidate_matches(session, candidate_id, top=MAX_TOP, cache=cache)
        for m in result.items:
            if m.shortlist is None:
                target = (candidate_id, m)
                break
        if target:
            break
    if target is None:  # every eligible pair is on a shortlist: take one off
        entry = session.execute(select(ShortlistEntry).limit(1)).scalar_one()
        session.delete(entry)
        session.commit()
        result = placements.candidate_matches(session, entry.candidate_id, top=MAX_TOP, cache=cache)
        target = (
            entry.candidate_id,
            next(m for m in result.items if m.requirement_id == entry.requirement_id),
        )
    candidate_id, match = target
    with pytest.raises(Forbidden):
        placements.add_to_shortlist(session, CLIENT, match.requirement_id, candidate_id)
    added = placements.add_to_shortlist(session, RECRUITER, match.requirement_id, candidate_id)
    session.commit()
    assert added.created and added.stage is Stage.shortlisted
    assert added.score == match.score
    assert added.state in (EntryState.dropped, EntryState.active)
    # the move from new to shortlisted went through the pipeline: one recorded event
    moved = [(RECRUITER.actor, Stage.new.value, Stage.shortlisted.value)]
    assert _stage_events(session, match.requirement_id, candidate_id) == moved
    again = placements.add_to_shortlist(session, RECRUITER, match.requirement_id, candidate_id)
    assert not again.created and again.stage is Stage.shortlisted
    assert _stage_events(session, match.requirement_id, candidate_id) == moved
    listed = placements.candidate_matches(session, candidate_id, top=MAX_TOP, cache=cache)
    place = next(m.shortlist for m in listed.items if m.requirement_id == match.requirement_id)
    assert place is not None and place.stage is Stage.shortlisted and place.state is added.state

    with pytest.raises(NotFound):
        placements.add_to_shortlist(session, RECRUITER, uuid.uuid4(), candidate_id)
    with pytest.raises(NotFound):
        placements.add_to_shortlist(session, RECRUITER, match.requirement_id, uuid.uuid4())
    ineligible = placements.candidate_matches(
        session, candidate_id, top=1, include_ineligible=True, cache=cache
    )
    bad = next((m for m in ineligible.items if not m.eligible and m.shortlist is None), None)
    if bad is not None:
        with pytest.raises(Conflict, match="not eligible"):
            placements.add_to_shortlist(session, RECRUITER, bad.requirement_id, candidate_id)
    session.execute(
        update(Requirement.__table__).where(Requirement.id == match.requirement_id).values(status="closed")  # type: ignore[attr-defined]
    )
    with pytest.raises(Conflict, match="not open"):
        placements.add_to_shortlist(session, RECRUITER, match.requirement_id, candidate_id)


def test_an_entry_a_recruiter_moved_on_keeps_its_stage(session: Session) -> None:
    """Only a new entry is moved to shortlisted; one at reviewing or rejected stays there, with
    no event added."""
    _seeded(session)
    entries = session.execute(
        select(ShortlistEntry.requirement_id, ShortlistEntry.candidate_id)
        .where(ShortlistEntry.state == EntryState.active, ShortlistEntry.stage == Stage.new.value)  # type: ignore[arg-type]
        .order_by(ShortlistEntry.requirement_id, ShortlistEntry.candidate_id)  # type: ignore[arg-type]
        .limit(3)
    ).all()
    assert len(entries) == 3
    (r0, c0), (r1, c1), (r2, c2) = entries
    pipeline.change_entry(session, RECRUITER, r0, c0, pipeline.StageChange(stage=Stage.reviewing))
    pipeline.change_entry(session, RECRUITER, r1, c1, pipeline.StageChange(stage=Stage.rejected))
    session.commit()
    for rid, cid, stage in ((r0, c0, Stage.reviewing), (r1, c1, Stage.rejected)):
        before = _stage_events(session, rid, cid)
        kept = placements.add_to_shortlist(session, RECRUITER, rid, cid)
        assert not kept.created and kept.stage is stage and kept.state is EntryState.active
        assert _stage_events(session, rid, cid) == before
    moved = placements.add_to_shortlist(session, RECRUITER, r2, c2)
    assert not moved.created and moved.stage is Stage.shortlisted and moved.state is EntryState.active
    assert _stage_events(session, r2, c2) == [(RECRUITER.actor, "new", "shortlisted")]


def test_unknown_candidate_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        placements.candidate_matches(session, uuid.uuid4(), cache=BookCache())
