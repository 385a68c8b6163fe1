"""The shared index snapshot: same rankings as a pool built from the database, changes applied on
top, rewritten when the delta grows, and never trusted when it is corrupt, truncated, stale or
written by another version (each rebuilt), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from matcher.candidate_rows import CAND as CANDIDATES
from matcher.index.shared import SnapshotPoolCache, open_snapshot
from matcher.index.snapshot import CURRENT, MANIFEST, SnapshotInvalid, read_snapshot
from matcher.models import Role
from matcher.schemas import RequirementStatus, Track, VettingStatus
from matcher.services import matching
from matcher.services.accounts.service import Principal
from matcher.services.candidate_pool import PoolCache
from matcher.services.candidates import erasure
from matcher.services.imports import importing
from tests.helpers import missing_id, runtime_on, session_on, session_scope
from tests.rematch_fixtures import pinned_settings  # noqa: F401  (autouse: the re-matching tests' settings)
from tests.rematch_support import Seeded, seed

ADMIN = Principal(key_id=missing_id(), prefix="tm_test0000", role=Role.admin)


@pytest.fixture
def small(engine: Engine) -> Seeded:
    return seed(engine, 120, 8)


def _open_requirements(engine: Engine, seeded: Seeded) -> list[matching.LoadedRequirement]:
    with session_on(engine) as session:
        ids = session.scalars(
            select(matching.REQ.c.id).where(
                matching.REQ.c.external_id.in_(
                    [r.external_id for r in seeded.requirements if r.status is RequirementStatus.open]
                )
            )
        ).all()
        return list(matching.load_requirements(session, list(ids)).values())


def _rankings(engine: Engine, cache: PoolCache, seeded: Seeded) -> list[list[tuple[object, ...]]]:
    """Every open requirement's computed shortlist (database id, rank, score, reasons)."""
    out = []
    with runtime_on(engine).session() as session:
        pool = cache.get(session)
        for loaded in _open_requirements(engine, seeded):
            computed = matching.compute_shortlist(session, loaded, pool)
            out.append([(e.candidate_id, e.rank, e.score, tuple(e.reasons)) for e in computed.ranked])
    return out


def test_the_snapshot_pool_ranks_exactly_as_the_pool_built_from_the_database(
    engine: Engine, small: Seeded, tmp_path: Path
) -> None:
    snap = SnapshotPoolCache(tmp_path)
    got = _rankings(engine, snap, small)
    assert got == _rankings(engine, PoolCache(), small)
    assert sum(len(r) for r in got) > 0
    assert snap.last["built"] == 1.0
    again = SnapshotPoolCache(tmp_path)
    assert _rankings(engine, again, small) == got
    assert again.last["built"] == 0.0  # mapped, not rebuilt
    assert again.source is not None
    assert isinstance(again.source.snapshot.index._segments[0].cols.rate, np.memmap)


def test_changes_since_the_watermark_are_applied_on_top(
    engine: Engine, small: Seeded, tmp_path: Path
) -> None:
    cache = SnapshotPoolCache(tmp_path, rewrite_fraction=1.0)
    with session_on(engine) as session:
        before = cache.get(session)
        assert cache.get(session) is before
    passed = [c for c in small.candidates if c.vetting.status is VettingStatus.passed]
    changed, erased = passed[0], passed[1]
    new = passed[2].model_copy(update={"external_id": "cand-new-one", "email": "new.one@example.org"})
    with session_scope(engine) as session:
        importing.import_candidates(session, [changed.model_copy(update={"hourly_rate": 1.0}), new])
        erased_id = before.id_of(erased.external_id)
        erasure.erase_candidate(session, ADMIN, erased_id)
    with session_on(engine) as session:
        after = cache.get(session)
    assert after is not before
    assert cache.last["applied"] == 3
    assert after.get(after.id_of(changed.external_id)).hourly_rate == 1.0  # type: ignore[union-attr]
    assert after.get(after.id_of("cand-new-one")) is not None
    assert after.get(erased_id) is None
    with pytest.raises(KeyError):
        after.id_of(erased.external_id)
    assert _rankings(engine, cache, small) == _rankings(engine, PoolCache(), small)


def test_a_growing_delta_rewrites_the_snapshot_in_the_background(
    engine: Engine, small: Seeded, tmp_path: Path
) -> None:
    cache = SnapshotPoolCache(tmp_path, rewrite_fraction=0.01)
    with session_on(engine) as session:
        cache.get(session)
    first = (tmp_path / CURRENT).read_text()
    developers = [c for c in small.candidates if c.track is Track.developer][:5]
    with session_scope(engine) as session:
        importing.import_candidates(
            session, [c.model_copy(update={"hours_per_week": 39}) for c in developers]
        )
    with session_on(engine) as session:
        cache.get(session)
    cache.wait_for_rewrite(60)
    assert (tmp_path / CURRENT).read_text() != first
    with session_on(engine) as session:
        pool = cache.get(session)
    assert cache.source is not None and cache.source.changed == {}  # the rewrite holds the delta
    assert pool.get(pool.id_of(developers[0].external_id)).hours_per_week == 39  # type: ignore[union-attr]
    assert _rankings(engine, cache, small) == _rankings(engine, PoolCache(), small)


def test_a_change_committed_late_with_an_older_stamp_is_still_applied(
    engine: Engine, small: Seeded, tmp_path: Path
) -> None:
    """A transaction that commits after the snapshot but is stamped before its watermark (inside
    the margin) changes the window's digest, so the window is re-read and the change applied;
    an untouched window is taken from the digest without reading its rows (PostgreSQL)."""
    with session_on(engine) as session:
        SnapshotPoolCache(tmp_path).get(session)
    fresh = SnapshotPoolCache(tmp_path)
    with session_on(engine) as session:
        fresh.get(session)
        source = fresh.source
        assert source is not None and source.watermark is not None
        window = source.snapshot.manifest.window
        since = source.watermark - fresh.margin
        postgres = engine.dialect.name == "postgresql"
        assert (window is not None) is postgres
        assert source._window_unchanged(session.connection(), since) is postgres
    assert fresh.last["applied"] == 0
    late = next(c for c in small.candidates if c.vetting.status is VettingStatus.passed)
    with session_scope(engine) as session:
        importing.import_candidates(session, [late.model_copy(update={"hourly_rate": 2.0})])
        session.execute(
            update(CANDIDATES)
            .where(CANDIDATES.c.external_id == late.external_id)
            .values(updated_at=source.watermark - dt.timedelta(seconds=30))
        )
    cache = SnapshotPoolCache(tmp_path)
    with session_on(engine) as session:
        pool = cache.get(session)
        assert cache.source is not None
        assert not cache.source._window_unchanged(session.connection(), since)
    assert cache.last["built"] == 0.0 and cache.last["applied"] == 1
    assert pool.get(pool.id_of(late.external_id)).hourly_rate == 2.0  # type: ignore[union-attr]


def _live(root: Path) -> Path:
    return root / (root / CURRENT).read_text()


def _edit_manifest(root: Path, **changes: object) -> None:
    path = _live(root) / MANIFEST
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def _biggest_array(root: Path) -> Path:
    return max(_live(root).glob("*.npy"), key=lambda p: p.stat().st_size)


def _flip_a_byte(root: Path) -> None:
    path = _biggest_array(root)
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(root: Path) -> None:
    path = _biggest_array(root)
    path.write_bytes(path.read_bytes()[:-8])


def _stale_count(root: Path) -> None:
    data = json.loads((_live(root) / MANIFEST).read_text())
    _edit_manifest(root, created_by_watermark=data["created_by_watermark"] + 1)


def _from_the_future(root: Path) -> None:
    _edit_manifest(root, watermark="2999-01-01T00:00:00Z")


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "corrupt": (_flip_a_byte, "checksum mismatch"),
    "truncated": (_truncate, "truncated"),
    "foreign format": (lambda root: _edit_manifest(root, format=999), "format 999"),
    "foreign code version": (lambda root: _edit_manifest(root, code="0123456789abcdef"), "written by code"),
    "stale count": (_stale_count, "stale"),
    "stale watermark": (_from_the_future, "stale"),
    "unreadable manifest": (lambda root: (_live(root) / MANIFEST).write_text("{"), "unreadable manifest"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_snapshot_that_cannot_be_trusted_is_rebuilt_not_used(
    engine: Engine, small: Seeded, tmp_path: Path, damage: str
) -> None:
    expected = _rankings(engine, SnapshotPoolCache(tmp_path), small)
    spoil, reason = DAMAGE[damage]
    spoil(tmp_path)
    with pytest.raises(SnapshotInvalid, match=reason):
        snapshot = read_snapshot(tmp_path)
        with engine.connect() as conn:
            from matcher.index.shared import check_against

            check_against(snapshot, conn)
    snapshot, built = open_snapshot(engine, tmp_path)
    assert built
    read_snapshot(tmp_path)  # the rebuilt one is sound
    cache = SnapshotPoolCache(tmp_path)
    assert _rankings(engine, cache, small) == expected
    assert cache.last["built"] == 0.0
