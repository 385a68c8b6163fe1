"""The shortlist writer: recruiter work survives every run, leavers are marked not deleted, and
what changed is counted."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlmodel import Session

from matcher.core.pipeline import Stage
from matcher.errors import ValidationFailed
from matcher.models import EntryState, EventKind, PipelineEvent, ShortlistEntry
from matcher.services.shortlists.changes import RankChange
from matcher.services.shortlists.writer import (
    Existing,
    RankedEntry,
    load_entries,
    plan_shortlist,
    write_shortlist,
)
from tests.helpers import fixed_ids

ENTRY = ShortlistEntry.__table__  # type: ignore[attr-defined]


def top(*pairs: tuple[uuid.UUID, float]) -> list[RankedEntry]:
    """A ranked top N from (candidate, score) pairs, best first."""
    return [
        RankedEntry(cid, EntryState.active, i, score, {"rate": {"value": score / 100}}, [f"scored {score}"])
        for i, (cid, score) in enumerate(pairs, start=1)
    ]


def existing(update: RankedEntry, **changes: Any) -> Existing:
    fields: dict[str, Any] = {
        "candidate_id": update.candidate_id,
        "rank": update.rank,
        "score": update.score,
        "components": update.components,
        "reasons": update.reasons,
        "state": update.state,
        "stage": Stage.new,
        "has_notes": False,
        "weight_profile_id": None,
    }
    fields.update(changes)
    return Existing(**fields)


def rows(session: Session, requirement_id: uuid.UUID) -> dict[uuid.UUID, Any]:
    return {
        r.candidate_id: r
        for r in session.execute(select(ENTRY).where(ENTRY.c.requirement_id == requirement_id))
    }


# --- the plan (pure) --------------------------------------------------------------------------


def test_plan_counts_entered_left_and_moved() -> None:
    a, b, c, d = fixed_ids(4)
    before = {u.candidate_id: existing(u) for u in top((a, 90), (b, 80), (c, 70))}
    plan = plan_shortlist(before, top((b, 85), (a, 84), (d, 60)), {}, weight_profile_id=None)
    assert (plan.change.entered, plan.change.left, plan.change.moved) == (1, 1, 2)
    assert set(plan.change.changes) == {
        RankChange(b, 2, 1),
        RankChange(a, 1, 2),
        RankChange(d, None, 3),
        RankChange(c, 3, None),
    }
    assert [RankChange.from_json(j) for j in plan.change.to_json()] == list(plan.change.changes)
    states = {u.candidate_id: (u.state, u.rank) for u in plan.rows}
    assert states == {
        b: (EntryState.active, 1),
        a: (EntryState.active, 2),
        d: (EntryState.active, 3),
        c: (EntryState.dropped, None),
    }


def test_plan_of_an_unchanged_ranking_writes_nothing() -> None:
    a, b = fixed_ids(2)
    ranking = top((a, 90), (b, 80))
    plan = plan_shortlist({u.candidate_id: existing(u) for u in ranking}, ranking, {}, weight_profile_id=None)
    assert plan.rows == []
    assert (plan.change.entered, plan.change.left, plan.change.moved) == (0, 0, 0)


def test_plan_takes_the_callers_decision_for_leavers_and_a_return_counts_as_entered() -> None:
    a, b, c = fixed_ids(3)
    before = {
        a: existing(top((a, 90))[0]),
        b: existing(top((b, 50))[0], state=EntryState.dropped, rank=None),
        c: existing(top((c, 40))[0], state=EntryState.dropped, rank=None),
    }
    verdict = RankedEntry(a, EntryState.ineligible, None, 88.0, {}, ["rate above budget"])
    plan = plan_shortlist(before, top((b, 95)), {a: verdict}, weight_profile_id=None)
    assert (plan.change.entered, plan.change.left, plan.change.moved) == (1, 1, 0)
    assert set(plan.change.changes) == {RankChange(b, None, 1), RankChange(a, 1, None)}
    assert {u.candidate_id: u.state for u in plan.rows} == {b: EntryState.active, a: EntryState.ineligible}


@pytest.mark.parametrize(
    "ranking",
    [
        [RankedEntry(uuid.UUID(int=1), EntryState.active, 2, 50.0)],
        [RankedEntry(uuid.UUID(int=1), EntryState.dropped, 1, 50.0)],
        [
            RankedEntry(uuid.UUID(int=1), EntryState.active, 1, 50.0),
            RankedEntry(uuid.UUID(int=1), EntryState.active, 2, 40.0),
        ],
    ],
    ids=["gap-in-ranks", "not-active", "candidate-twice"],
)
def test_plan_rejects_a_malformed_ranking(ranking: list[RankedEntry]) -> None:
    with pytest.raises(ValidationFailed):
        plan_shortlist({}, ranking, {}, weight_profile_id=None)


def test_plan_rejects_a_decision_that_ranks_a_leaver() -> None:
    a = fixed_ids(1)[0]
    before = {a: existing(top((a, 90))[0])}
    with pytest.raises(ValidationFailed):
        plan_shortlist(before, [], {a: RankedEntry(a, EntryState.active, 1, 90.0)}, weight_profile_id=None)


# --- writing (both databases) -----------------------------------------------------------------


@pytest.fixture
def shortlist_ids(
    session: Session, requirement_factory: Any, candidate_factory: Any
) -> tuple[Any, list[Any]]:
    requirement = requirement_factory()
    candidates = candidate_factory.create_batch(5)
    session.commit()
    return requirement.id, [c.id for c in candidates]


def write(session: Session, requirement_id: uuid.UUID, ranking: Sequence[RankedEntry], **kw: Any) -> Any:
    change = write_shortlist(session, requirement_id, ranking, run_id=None, weight_profile_id=None, **kw)
    session.commit()
    return change


def _note(session: Session, rid: uuid.UUID, cid: uuid.UUID, text: str) -> None:
    session.add(
        PipelineEvent(
            requirement_id=rid, candidate_id=cid, actor="recruiter:t", kind=EventKind.note, text=text
        )
    )


def test_stage_handle_and_presentation_survive_score_changes(
    session: Session, shortlist_ids: tuple[Any, list[Any]]
) -> None:
    rid, (a, b, c, *_) = shortlist_ids
    write(session, rid, top((a, 90), (b, 80), (c, 70)))
    handles = {cid: r.handle for cid, r in rows(session, rid).items()}
    assert len(set(handles.values())) == 3 and all(len(h) == 9 for h in handles.values())
    session.execute(
        update(ENTRY)
        .where(ENTRY.c.requirement_id == rid, ENTRY.c.candidate_id == b)
        .values(stage=Stage.presented.value, client_note="strong Django")
    )
    session.commit()
    change = write(session, rid, top((b, 95), (c, 72), (a, 71)))
    after = rows(session, rid)
    assert (after[b].stage, after[b].client_note) == ("presented", "strong Django")
    assert {cid: r.handle for cid, r in after.items()} == handles
    assert (after[b].rank, after[b].score) == (1, 95)
    assert (change.entered, change.left, change.moved) == (0, 0, 3)


def test_every_score_change_is_in_the_history(session: Session, shortlist_ids: tuple[Any, list[Any]]) -> None:
    rid, (a, b, c, *_) = shortlist_ids
    write(session, rid, top((a, 90), (b, 80)))
    write(session, rid, top((a, 90), (b, 80)))  # nothing changed: no event
    write(session, rid, top((b, 85), (a, 84), (c, 10)))
    events = session.execute(select(PipelineEvent.__table__).order_by(PipelineEvent.id)).all()  # type: ignore[attr-defined]
    seen = [(e.candidate_id, e.score_before, e.score_after, e.rank_before, e.rank_after) for e in events]
    assert seen == [
        (a, None, 90, None, 1),
        (b, None, 80, None, 2),
        (b, 80, 85, 2, 1),
        (a, 90, 84, 1, 2),
        (c, None, 10, None, 3),
    ]
    assert {e.kind for e in events} == {"score"}


def test_leavers_are_marked_not_deleted_and_keep_their_notes(
    session: Session, shortlist_ids: tuple[Any, list[Any]]
) -> None:
    rid, (a, b, c, d, e) = shortlist_ids
    write(session, rid, top((a, 90), (b, 80), (c, 70)))
    session.execute(
        update(ENTRY)
        .where(ENTRY.c.requirement_id == rid, ENTRY.c.candidate_id == a)
        .values(stage=Stage.shortlisted.value)
    )
    _note(session, rid, c, "call back")
    session.commit()
    asked: list[uuid.UUID] = []

    def outside(entries: list[Existing]) -> dict[uuid.UUID, RankedEntry]:
        asked.extend(e.candidate_id for e in entries)
        return {a: RankedEntry(a, EntryState.ineligible, None, 89.0, {}, ["vetting failed, must be passed"])}

    change = write(session, rid, top((d, 99), (e, 98), (b, 97)), outside=outside)
    after = rows(session, rid)
    assert set(after) == {a, b, c, d, e}
    assert sorted(asked, key=str) == sorted([a, c], key=str)
    assert (after[a].state, after[a].rank, after[a].stage) == ("ineligible", None, "shortlisted")
    assert after[a].reasons == ["vetting failed, must be passed"]
    assert (after[c].state, after[c].rank, after[c].score, after[c].stage) == ("dropped", None, 70, "new")
    assert [after[x].rank for x in (d, e, b)] == [1, 2, 3]
    assert (change.entered, change.left, change.moved) == (2, 2, 1)
    assert sum(1 for r in after.values() if r.state == "active") == 3


def test_writing_the_same_ranking_twice_changes_nothing(
    session: Session, shortlist_ids: tuple[Any, list[Any]]
) -> None:
    rid, (a, b, c, *_) = shortlist_ids
    ranking = top((a, 90), (b, 80), (c, 70))
    first = write(session, rid, ranking)
    before = {cid: tuple(r) for cid, r in rows(session, rid).items()}
    second = write(session, rid, ranking)
    assert (first.written, first.entered) == (3, 3)
    assert (second.written, second.entered, second.left, second.moved) == (0, 0, 0, 0)
    assert {cid: tuple(r) for cid, r in rows(session, rid).items()} == before


def test_load_entries_reads_what_was_written(session: Session, shortlist_ids: tuple[Any, list[Any]]) -> None:
    rid, (a, b, *_) = shortlist_ids
    write(session, rid, top((a, 90), (b, 80)))
    loaded = load_entries(session, rid)
    assert {cid: (e.rank, e.state, e.worked_on) for cid, e in loaded.items()} == {
        a: (1, EntryState.active, False),
        b: (2, EntryState.active, False),
    }
    assert loaded[a].components == {"rate": {"value": 0.9}}
