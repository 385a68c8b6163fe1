"""The candidate pool of a worker process, served from the host's shared index snapshot.

``SnapshotPoolCache`` replaces ``PoolCache`` when ``index_snapshot_dir`` is set. Instead of every
worker process building its pool and index from the database (about 110 µs a candidate), the
first process on a host builds the index once and writes it as a snapshot
(``matcher.index.snapshot``); every other process maps the same files read-only, so start-up
takes seconds and the arrays are in memory once per host.

Freshness: a snapshot reflects the database up to its watermark (``max(updated_at)`` of the
candidates when it was built). When the pool fingerprint changes, the candidates written since
the watermark (minus ``index_snapshot_margin_seconds``, so a transaction that committed late with
an older timestamp is still seen) are applied on top: upserted, or removed when erased. When
that delta passes ``index_snapshot_rewrite_fraction`` of the pool, a background thread rebuilds
the snapshot from the database and every process switches to it on its next check.

Never trusted: a snapshot that is missing, truncated, corrupt (checksums), written by another
format or code version, or stale (the database holds a different number of candidates created
up to the watermark, or nothing as recent as the watermark: restored, swapped) is rebuilt.
A file lock makes the processes of a host build one snapshot, not one each.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, cast, func, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from matcher.candidate_rows import CAND
from matcher.core.types import CandidateProfile
from matcher.index.index import CandidateIndex
from matcher.index.loading import BATCH, profiles_from_db
from matcher.index.ranker import DERIVED_KEY
from matcher.index.snapshot import (
    IdMap,
    Snapshot,
    SnapshotInvalid,
    WindowDigest,
    current_version,
    read_snapshot,
    stamp_us,
    write_snapshot,
)
from matcher.observability import metrics
from matcher.schemas import VettingStatus
from matcher.services.candidate_pool import Pool, PoolCache, pool_fingerprint
from matcher.skills import Taxonomy, load_taxonomy

log = logging.getLogger(__name__)

LOCK = ".lock"
#: How far before the watermark a late commit may be stamped (``index_snapshot_margin_seconds``).
DEFAULT_MARGIN = dt.timedelta(minutes=5)
#: A snapshot-backed index merges its segments only when extra rows pass this share of the pool:
#: merging copies the shared arrays into the process, so the background rewrite comes first.
COMPACT_FRACTION = 0.5


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes (stored as UTC), PostgreSQL aware ones."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


@contextmanager
def host_lock(root: Path) -> Iterator[None]:
    """Exclusive lock of the snapshot directory across the processes of this host."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / LOCK).open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _database_state(conn: Connection) -> tuple[dt.datetime | None, int]:
    """The watermark (latest ``updated_at``) and how many rows were created up to it."""
    watermark = _utc(conn.execute(select(func.max(CAND.c.updated_at))).scalar())
    if watermark is None:
        return None, 0
    created = conn.execute(select(func.count()).where(CAND.c.created_at <= watermark)).scalar_one()
    return watermark, int(created)


def window_digest(conn: Connection, start: dt.datetime, end: dt.datetime) -> WindowDigest | None:
    """The digest of the candidate rows stamped from ``start`` to ``end`` (PostgreSQL, one
    aggregate over the ``updated_at`` index); None on SQLite, whose stamps are text."""
    if conn.dialect.name != "postgresql":
        return None
    stamp = cast(func.extract("epoch", CAND.c.updated_at) * 1_000_000, BigInteger)
    rows, total = conn.execute(
        select(func.count(), func.coalesce(func.sum(stamp), 0)).where(
            CAND.c.updated_at >= start, CAND.c.updated_at <= end
        )
    ).one()
    return WindowDigest(start=start, rows=int(rows), stamp_sum=int(total))


def build_snapshot(
    engine: Engine, root: Path, *, taxonomy: Taxonomy | None = None, margin: dt.timedelta = DEFAULT_MARGIN
) -> Path:
    """Build the index of every candidate not erased in one consistent read, and write it as
    the live snapshot under ``root``, with the digest of the ``margin`` before its watermark."""
    tax = taxonomy or load_taxonomy()
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            watermark, created = _database_state(conn)
            window = None if watermark is None else window_digest(conn, watermark - margin, watermark)
            index = CandidateIndex(compact_fraction=COMPACT_FRACTION)
            builder = index.builder()
            rows: list[tuple[uuid.UUID, str, dt.datetime]] = []
            stamps = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
                select(CAND.c.id, CAND.c.updated_at).where(CAND.c.erased_at.is_(None)).order_by(CAND.c.id)
            )
            for (cid, profile), (sid, stamp) in zip(profiles_from_db(conn, tax), stamps, strict=True):
                if sid != cid:
                    raise RuntimeError("candidate streams out of step")
                builder.add(profile)
                rows.append((cid, profile.external_id, stamp))
    index.append(builder)
    return write_snapshot(
        root,
        index,
        IdMap.build(rows),
        watermark=watermark,
        created_by_watermark=created,
        now=dt.datetime.now(dt.UTC),
        window=window,
    )


def check_against(snapshot: Snapshot, conn: Connection) -> None:
    """``SnapshotInvalid`` when the database no longer agrees with the snapshot's history."""
    m = snapshot.manifest
    latest = _utc(conn.execute(select(func.max(CAND.c.updated_at))).scalar())
    if m.watermark is None:
        if m.candidates:
            raise SnapshotInvalid("stale: candidates but no watermark")
        return
    if latest is None or latest < m.watermark:
        raise SnapshotInvalid(f"stale: the database's latest change {latest} is older than the snapshot's")
    created = conn.execute(select(func.count()).where(CAND.c.created_at <= m.watermark)).scalar_one()
    if created != m.created_by_watermark:
        raise SnapshotInvalid(
            f"stale: {created} candidates created up to the watermark, "
            f"the snapshot saw {m.created_by_watermark}"
        )


def open_snapshot(
    engine: Engine, root: Path, *, verify: bool = True, margin: dt.timedelta = DEFAULT_MARGIN
) -> tuple[Snapshot, bool]:
    """The live snapshot, checked against the database; built (once per host, under the lock)
    when there is none or it cannot be trusted. Also returns whether this call built it."""
    try:
        snapshot = read_snapshot(root, verify=verify, compact_fraction=COMPACT_FRACTION)
        with engine.connect() as conn:
            check_against(snapshot, conn)
        return snapshot, False
    except SnapshotInvalid as first:
        with host_lock(root):
            try:  # another process may have rebuilt it while this one waited for the lock
                snapshot = read_snapshot(root, verify=verify, compact_fraction=COMPACT_FRACTION)
                with engine.connect() as conn:
                    check_against(snapshot, conn)
                return snapshot, False
            except SnapshotInvalid:
                log.warning(
                    "index snapshot in %s not used (%s): rebuilding it from the database", root, first
                )
                build_snapshot(engine, root, margin=margin)
        return read_snapshot(root, verify=False, compact_fraction=COMPACT_FRACTION), True


class SnapshotPool(Pool):
    """A ``Pool`` whose index is the shared snapshot plus the delta applied on top.

    It holds no tuple of profiles: ``get`` and ``id_of`` answer from the index and the id maps,
    and ``candidates`` (the reference ranker's input only) is decoded on demand.
    """

    def __init__(self, fingerprint: tuple[Any, ...], source: SnapshotSource) -> None:
        # Deliberately not the dataclass constructor: that would build the profile tuple.
        self.fingerprint = fingerprint
        self.derived = {DERIVED_KEY: source.index}
        self._source = source

    def __len__(self) -> int:
        return len(self._source.index)

    # ``candidates`` and ``ids`` are dataclass fields in Pool, decoded on demand here.
    @property
    def candidates(self) -> tuple[CandidateProfile, ...]:  # type: ignore[override]
        index = self._source.index
        found = (index.get(ext) for ext in sorted(index.ids()))
        return tuple(p for p in found if p is not None and p.vetting_status == VettingStatus.passed)

    @property
    def ids(self) -> tuple[uuid.UUID, ...]:  # type: ignore[override]
        return tuple(self.id_of(c.external_id) for c in self.candidates)

    def plausible(self, requirement: Any) -> list[CandidateProfile]:
        return list(self.candidates)

    def get(self, candidate_id: uuid.UUID) -> CandidateProfile | None:
        ext = self._source.ext_of(candidate_id)
        profile = None if ext is None else self._source.index.get(ext)
        return profile if profile is not None and profile.vetting_status == VettingStatus.passed else None

    def id_of(self, external_id: str) -> uuid.UUID:
        found = self._source.uuid_of(external_id)
        if found is None:
            raise KeyError(external_id)
        return found


class SnapshotSource:
    """One mapped snapshot and the changes applied on top of it in this process."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.index = snapshot.index
        self.version = snapshot.path.name
        self.watermark = snapshot.manifest.watermark
        #: database id -> (external id, updated_at) of each candidate applied since the snapshot
        self.changed: dict[uuid.UUID, tuple[str | None, dt.datetime]] = {}
        self._by_ext: dict[str, uuid.UUID] = {}

    def ext_of(self, candidate_id: uuid.UUID) -> str | None:
        if candidate_id in self.changed:
            return self.changed[candidate_id][0]
        return self.snapshot.ids.ext_of(candidate_id)

    def uuid_of(self, external_id: str) -> uuid.UUID | None:
        found = self._by_ext.get(external_id)
        if found is not None:
            return found
        cid = self.snapshot.ids.uuid_of(external_id)
        return None if cid is None or cid in self.changed else cid

    def _window_unchanged(self, conn: Connection, since: dt.datetime) -> bool:
        """Whether the rows stamped from ``since`` to the watermark are as the snapshot saw them
        (its digest covers that window and the database's matches it): then only the rows
        stamped after the watermark need reading, not every row of the margin."""
        recorded = self.snapshot.manifest.window
        if recorded is None or self.watermark is None or recorded.start > since:
            return False
        return window_digest(conn, recorded.start, self.watermark) == recorded

    def apply_changes(self, conn: Connection, taxonomy: Taxonomy, margin: dt.timedelta) -> int:
        """Apply the candidates written since the watermark (minus ``margin``); how many."""
        query = select(CAND.c.id, CAND.c.external_id, CAND.c.updated_at, CAND.c.erased_at)
        if self.watermark is not None:
            since = self.watermark - margin
            if self._window_unchanged(conn, since):
                query = query.where(CAND.c.updated_at > self.watermark)
            else:
                query = query.where(CAND.c.updated_at >= since)
        rows = conn.execute(query).all()
        # What the snapshot holds of each row, looked up for all rows at once: -1 = absent.
        held = self.snapshot.ids.stamps_of(np.array([r.id.hex.encode() for r in rows], dtype="S32"))
        todo = []
        for r, snapshot_stamp in zip(rows, held.tolist(), strict=True):
            stamp = _utc(r.updated_at)
            assert stamp is not None
            seen = self.changed.get(r.id)
            if seen is not None:
                if seen[1] >= stamp:
                    continue
            elif r.erased_at is None and snapshot_stamp == stamp_us(stamp):
                continue  # the snapshot holds this version already
            elif r.erased_at is not None and snapshot_stamp < 0:
                continue  # erased, and never in the snapshot
            todo.append((r.id, r.external_id if r.erased_at is None else None, stamp))
        for start in range(0, len(todo), BATCH):
            batch = todo[start : start + BATCH]
            wanted = [cid for cid, ext, _ in batch if ext is not None]
            fresh = dict(profiles_from_db(conn, taxonomy, CAND.c.id.in_(wanted))) if wanted else {}
            gone: list[str] = []
            upserts: list[CandidateProfile] = []
            for cid, ext, stamp in batch:
                old = self.ext_of(cid)
                if old is not None and old != ext:
                    gone.append(old)
                    self._by_ext.pop(old, None)
                profile = fresh.get(cid)
                if profile is not None:
                    upserts.append(profile)
                    self._by_ext[profile.external_id] = cid
                self.changed[cid] = (profile.external_id if profile is not None else None, stamp)
            self.index.remove(gone, missing_ok=True)
            self.index.upsert(upserts)
        return len(todo)


class SnapshotPoolCache(PoolCache):
    """The pool of this process from the host's snapshot (see the module docstring)."""

    def __init__(
        self,
        root: Path,
        *,
        rewrite_fraction: float = 0.02,
        margin_seconds: float = 300.0,
        verify: bool = True,
    ) -> None:
        super().__init__()
        self.root = Path(root)
        self.rewrite_fraction = rewrite_fraction
        self.margin = dt.timedelta(seconds=margin_seconds)
        self.verify = verify
        self._source: SnapshotSource | None = None
        self._snap_pool: SnapshotPool | None = None
        self._rewriting: threading.Thread | None = None
        self._lock = threading.RLock()
        #: what the last ``get`` did, for metrics and the bench
        self.last: dict[str, float] = {}

    @property
    def source(self) -> SnapshotSource | None:
        return self._source

    def get(self, session: Session) -> Pool:
        with self._lock:
            fingerprint = pool_fingerprint(session)
            pool = self._snap_pool
            if pool is not None and pool.fingerprint == fingerprint and not self._moved():
                return pool
            engine = session.get_bind()
            assert isinstance(engine, Engine)
            start = time.perf_counter()
            if self._source is None or self._moved():
                snapshot, built = open_snapshot(engine, self.root, verify=self.verify, margin=self.margin)
                self._source = SnapshotSource(snapshot)
                self.last = {"opened_ms": (time.perf_counter() - start) * 1000.0, "built": float(built)}
            source = self._source
            applied = source.apply_changes(session.connection(), load_taxonomy(), self.margin)
            self.last["applied"] = float(applied)
            self._snap_pool = SnapshotPool(fingerprint, source)
            m = source.snapshot.manifest
            metrics.observe_snapshot(source.snapshot.nbytes, m.created_at, len(source.changed))
            if len(source.changed) > self.rewrite_fraction * max(len(source.index), 1):
                self._rewrite_in_background(engine)
            return self._snap_pool

    def _moved(self) -> bool:
        """Whether another process (or the background rewrite) made a newer snapshot live."""
        return self._source is not None and current_version(self.root) not in (None, self._source.version)

    def _rewrite_in_background(self, engine: Engine) -> None:
        if self._rewriting is not None and self._rewriting.is_alive():
            return

        def rewrite() -> None:
            try:
                with host_lock(self.root):
                    if not self._moved():
                        build_snapshot(engine, self.root, margin=self.margin)
            except Exception:
                log.exception("background rewrite of the index snapshot failed; the delta stays applied")

        self._rewriting = threading.Thread(target=rewrite, name="talentmatch-snapshot-rewrite", daemon=True)
        self._rewriting.start()

    def wait_for_rewrite(self, timeout: float | None = None) -> None:
        """Block until a background rewrite (if any) is done (for tests and the bench)."""
        if self._rewriting is not None:
            self._rewriting.join(timeout)

    def clear(self) -> None:
        with self._lock:
            super().clear()
            self._source = None
            self._snap_pool = None
