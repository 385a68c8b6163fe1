"""Incremental updates: adds, updates and removals are seen by the next ranking, without a
rebuild, and the index stays equal to the reference scorer over the changed pool."""

from __future__ import annotations

import math
import pickle
from dataclasses import replace

import pytest

from matcher.core import CandidateProfile, rank
from matcher.errors import Conflict, NotFound, ValidationFailed
from matcher.index import CandidateIndex
from matcher.schemas import VettingStatus
from tests.index.index_data import Spec, candidate_records, prepared, specs

POOL = prepared(candidate_records(400))
SPECS = specs(12)


def _same_as_reference(index: CandidateIndex, pool: list[CandidateProfile], top: int = 15) -> None:
    for spec in SPECS:
        requirement, profile, relations, today = spec.args()
        want = rank(requirement, pool, profile, relations, today, top=top)
        assert index.rank(requirement, profile, relations, today, top=top) == want


def _best_eligible(spec: Spec, index: CandidateIndex) -> str:
    ranked = index.rank(*spec.args(), top=1)
    assert ranked, "the fixture pool has an eligible candidate for every spec used here"
    return ranked[0].external_id


def test_add_update_remove_are_seen_by_the_next_ranking() -> None:
    index = CandidateIndex.from_profiles(POOL[:300])
    pool = list(POOL[:300])
    _same_as_reference(index, pool)

    index.add(POOL[300:])
    pool += POOL[300:]
    assert len(index) == 400
    _same_as_reference(index, pool)

    spec = next(s for s in SPECS if index.rank(*s.args(), top=1))
    leader = _best_eligible(spec, index)
    failed = replace(index.get(leader), vetting_status=VettingStatus.failed)  # type: ignore[arg-type]
    index.update([failed])
    pool = [failed if p.external_id == leader else p for p in pool]
    assert leader not in [r.external_id for r in index.rank(*spec.args(), top=10)]
    _same_as_reference(index, pool)

    runner_up = _best_eligible(spec, index)
    assert index.remove([runner_up]) == 1
    pool = [p for p in pool if p.external_id != runner_up]
    assert runner_up not in index and index.get(runner_up) is None
    assert runner_up not in [r.external_id for r in index.rank(*spec.args(), top=10)]
    _same_as_reference(index, pool)

    clone = replace(index.get(_best_eligible(spec, index)), external_id="zz-clone")  # type: ignore[arg-type]
    index.upsert([clone])
    pool.append(clone)
    assert "zz-clone" in [r.external_id for r in index.rank(*spec.args(), top=5)]
    _same_as_reference(index, pool)
    assert sorted(index.ids()) == sorted(p.external_id for p in pool)


def test_many_small_updates_merge_segments_and_compaction_drops_tombstones() -> None:
    index = CandidateIndex.from_profiles(POOL, max_segments=3, compact_fraction=0.5)
    pool = list(POOL)
    for i, p in enumerate(POOL[:60]):
        changed = replace(p, years_experience=p.years_experience + 1, hourly_rate=p.hourly_rate * 0.9)
        index.update([changed])
        pool[i] = changed
        index.rank(*SPECS[i % len(SPECS)].args(), top=3)
        assert index.stats()["segments"] <= 1 + 3 + 1
    stats = index.stats()
    assert stats["tombstones"] == 60 and stats["segments"] > 1
    _same_as_reference(index, pool)
    index.compact()
    stats = index.stats()
    assert (stats["segments"], stats["tombstones"], stats["pending"]) == (1, 0, 0)
    _same_as_reference(index, pool)


def test_a_large_share_of_changes_triggers_a_full_merge() -> None:
    index = CandidateIndex.from_profiles(POOL, compact_fraction=0.1)
    index.remove([p.external_id for p in POOL[:50]])
    stats = index.stats()
    assert (stats["segments"], stats["tombstones"], stats["candidates"]) == (1, 0, 350)
    _same_as_reference(index, POOL[50:])


def test_add_update_and_remove_check_their_ids_and_change_nothing_on_error() -> None:
    index = CandidateIndex.from_profiles(POOL[:10])
    with pytest.raises(Conflict):
        index.add([POOL[0]])
    with pytest.raises(Conflict):
        index.add([POOL[20], POOL[20]])
    with pytest.raises(NotFound):
        index.update([POOL[10]])
    with pytest.raises(NotFound):
        index.remove(["nobody"])
    assert index.remove(["nobody", POOL[0].external_id], missing_ok=True) == 1
    assert len(index) == 9 and POOL[20].external_id not in index
    index.add([POOL[30]])
    for taken in (POOL[1], POOL[30]):  # in a segment; still pending
        builder = index.builder()
        builder.add(taken)
        with pytest.raises(Conflict):
            index.append(builder)


@pytest.mark.parametrize(
    "change",
    [
        {"currency": "XXX"},
        {"timezone": "Mars/Olympus_Mons"},
        {"hourly_rate": math.nan},
        {"years_experience": math.inf},
        {"external_id": ""},
        {"hours_per_week": 1 << 20},
    ],
)
def test_invalid_profiles_are_rejected_before_anything_changes(change: dict[str, object]) -> None:
    index = CandidateIndex.from_profiles(POOL[:5])
    bad = replace(POOL[5], **change)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed):
        index.add([POOL[6], bad])
    assert len(index) == 5 and POOL[6].external_id not in index


def test_pickled_index_ranks_the_same() -> None:
    index = CandidateIndex.from_profiles(POOL[:200])
    index.add(POOL[200:210])
    index.remove([POOL[0].external_id])
    back = pickle.loads(pickle.dumps(index))
    for spec in SPECS:
        assert back.rank(*spec.args(), top=5) == index.rank(*spec.args(), top=5)


def test_memory_per_candidate_is_within_budget() -> None:
    """Generated (realistic) candidates, personal data excluded: at most 300 bytes each, the
    dictionaries and the scratch space of a ranking included."""
    index = CandidateIndex.from_profiles(prepared(candidate_records(5000, seed=3)))
    index.rank(*SPECS[0].args(), top=1)
    assert index.nbytes / len(index) <= 300
