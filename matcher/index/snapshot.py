"""The candidate index on disk: a versioned set of ``.npy`` files, mapped read-only.

A snapshot is one directory per version under the snapshot root, and a ``CURRENT`` file naming
the live one (replaced atomically, so a reader sees a whole snapshot or the previous one)::

    <root>/CURRENT                     "20261201T052233-3f9a…"
    <root>/20261201T052233-3f9a…/manifest.json
    <root>/20261201T052233-3f9a…/s0_ids.npy, s0_track.npy, …, ids_ext.npy, …

Every array is a plain ``.npy`` file opened with ``mmap_mode="r"``: worker processes on one host
share the pages through the page cache, and a stray write raises instead of corrupting it. The
manifest carries the format version, the code version (a hash of the modules that encode the
columns: an index written by other code is never read), the database watermark it reflects, the
tables (the small dictionaries, as JSON) and every file's size and SHA-256. ``read_snapshot``
checks all of them and raises ``SnapshotInvalid`` with the reason; callers rebuild, never trust.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import shutil
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from pydantic import ValidationError

from matcher.core.types import SkillRef
from matcher.index.columns import Columns
from matcher.index.index import CandidateIndex
from matcher.index.manifest import FileEntry, Manifest, SegmentEntry, SnapshotInvalid, WindowDigest
from matcher.index.segment import Segment
from matcher.index.tables import Tables

#: Bumped whenever the layout of the files changes.
FORMAT_VERSION = 1
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
#: Versions kept besides the live one (a process may still map an older one).
KEEP_OLD = 1
_ENCODING_MODULES = ("columns.py", "tables.py", "segment.py", "snapshot.py", "manifest.py")
_COLUMNS = tuple(Columns.__dataclass_fields__)


def _code_version() -> str:
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in _ENCODING_MODULES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()


# --- id maps ----------------------------------------------------------------------------------


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def stamp_us(value: dt.datetime) -> int:
    """A timestamp as integer microseconds since the epoch (naive values are UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return (value - EPOCH) // dt.timedelta(microseconds=1)


class IdMap:
    """External id <-> database id of every candidate of a snapshot, and the ``updated_at`` of
    the version the snapshot holds (sorted arrays, mapped)."""

    def __init__(
        self,
        ext: npt.NDArray[np.bytes_],
        uuid_of_ext: npt.NDArray[np.bytes_],
        stamp_of_ext: npt.NDArray[np.int64],
        uuids: npt.NDArray[np.bytes_],
        ext_of_uuid: npt.NDArray[np.int64],
    ) -> None:
        self.ext, self.uuid_of_ext, self.stamp_of_ext = ext, uuid_of_ext, stamp_of_ext
        self.uuids, self.ext_of_uuid = uuids, ext_of_uuid

    @classmethod
    def build(cls, rows: Iterable[tuple[uuid.UUID, str, dt.datetime]]) -> IdMap:
        """From (database id, external id, updated_at) of every candidate."""
        items = list(rows)
        ext = np.array([e.encode("utf-8") for _, e, _ in items] or [b""], dtype=np.bytes_)[: len(items)]
        hexes = np.array([u.hex.encode() for u, _, _ in items], dtype="S32")
        stamps = np.array([stamp_us(t) for _, _, t in items], dtype=np.int64)
        by_ext = np.argsort(ext, kind="stable")
        ext, hexes, stamps = ext[by_ext], hexes[by_ext], stamps[by_ext]
        by_uuid = np.argsort(hexes, kind="stable")
        return cls(ext, hexes, stamps, hexes[by_uuid], by_uuid.astype(np.int64))

    def __len__(self) -> int:
        return len(self.ext)

    def uuid_of(self, external_id: str) -> uuid.UUID | None:
        key = external_id.encode("utf-8")
        pos = int(np.searchsorted(self.ext, key))
        if pos < len(self.ext) and bytes(self.ext[pos]) == key:
            return uuid.UUID(bytes(self.uuid_of_ext[pos]).decode())
        return None

    def _row(self, candidate_id: uuid.UUID) -> int | None:
        key = candidate_id.hex.encode()
        pos = int(np.searchsorted(self.uuids, key))
        if pos < len(self.uuids) and bytes(self.uuids[pos]) == key:
            return int(self.ext_of_uuid[pos])
        return None

    def ext_of(self, candidate_id: uuid.UUID) -> str | None:
        row = self._row(candidate_id)
        return None if row is None else bytes(self.ext[row]).decode("utf-8")

    def stamps_of(self, hexes: npt.NDArray[np.bytes_]) -> npt.NDArray[np.int64]:
        """``stamp_of`` for many database ids at once (``uuid.hex`` as bytes); -1 when absent."""
        if not len(self.uuids) or not len(hexes):
            return np.full(len(hexes), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.uuids, hexes), len(self.uuids) - 1)
        found = self.uuids[pos] == hexes
        return np.where(found, self.stamp_of_ext[self.ext_of_uuid[pos]], -1).astype(np.int64)

    def stamp_of(self, candidate_id: uuid.UUID) -> int | None:
        """``updated_at`` (``stamp_us``) of the candidate's version in the snapshot."""
        row = self._row(candidate_id)
        return None if row is None else int(self.stamp_of_ext[row])

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        return {
            "ids_ext": self.ext,
            "ids_uuid_of_ext": self.uuid_of_ext,
            "ids_stamp_of_ext": self.stamp_of_ext,
            "ids_uuid": self.uuids,
            "ids_ext_of_uuid": self.ext_of_uuid,
        }


# --- tables -----------------------------------------------------------------------------------


def _tables_json(t: Tables) -> dict[str, Any]:
    return {
        "timezones": t.timezones.values,
        "currencies": t.currencies.values,
        "fields": t.fields.values,
        "scores": t.scores.values,
        "years": t.years.values,
        "last_used": t.last_used.values,
        "pairs": [list(p) for p in t.pairs.values],
        "keys": t.keys.values,
        "refs": [[r.key, r.raw, r.name, r.method, r.confidence] for r in t.refs.values],
        "ref_key": t.ref_key,
    }


def _tables_from(data: Mapping[str, Any]) -> Tables:
    t = Tables()
    for name in ("timezones", "currencies", "fields", "scores", "years", "last_used", "keys"):
        interner = getattr(t, name)
        for value in data[name]:
            interner.code(value)
        if len(interner) != len(data[name]):
            raise SnapshotInvalid(f"table {name} has repeated values")
    for y, lu in data["pairs"]:
        t.pairs.code((int(y), int(lu)))
        t.pair_years.append(int(y))
        t.pair_last_used.append(int(lu))
    for key, raw, name, method, confidence in data["refs"]:
        t.refs.code(SkillRef(key, raw, name, method, confidence))
    t.ref_key.extend(int(k) for k in data["ref_key"])
    if len(t.pairs) != len(data["pairs"]) or len(t.refs) != len(t.ref_key):
        raise SnapshotInvalid("tables are inconsistent")
    return t


# --- writing ----------------------------------------------------------------------------------


def _segment_arrays(seg: Segment) -> dict[str, npt.NDArray[Any]]:
    out: dict[str, npt.NDArray[Any]] = {f"col_{name}": getattr(seg.cols, name) for name in _COLUMNS}
    out.update(bounds=seg.bounds, rate_usd=seg.rate_usd, skill_start=seg.skill_start)
    out.update(m_data=seg.matrix.data, m_indices=seg.matrix.indices, m_indptr=seg.matrix.indptr)
    if seg.overflow is not None:
        o = seg.overflow
        out.update(o_data=o.data, o_indices=o.indices, o_indptr=o.indptr)
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def write_snapshot(
    root: Path,
    index: CandidateIndex,
    ids: IdMap,
    *,
    watermark: dt.datetime | None,
    created_by_watermark: int,
    now: dt.datetime,
    window: WindowDigest | None = None,
) -> Path:
    """Write ``index`` (compacted first) as a new version and make it the live one; older
    versions beyond ``KEEP_OLD`` are removed (processes mapping them keep their pages)."""
    root.mkdir(parents=True, exist_ok=True)
    tables, segments = index.compacted_parts()
    name = f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
    tmp = root / f".tmp-{name}"
    tmp.mkdir()
    files: dict[str, FileEntry] = {}
    arrays: dict[str, npt.NDArray[Any]] = dict(ids.arrays())
    for i, seg in enumerate(segments):
        arrays.update({f"s{i}_{k}": v for k, v in _segment_arrays(seg).items()})
    for key, array in arrays.items():
        path = tmp / f"{key}.npy"
        np.save(path, np.ascontiguousarray(array), allow_pickle=False)
        files[path.name] = FileEntry(bytes=path.stat().st_size, sha256=_sha256(path))
    manifest = Manifest(
        format=FORMAT_VERSION,
        code=CODE_VERSION,
        created_at=now,
        watermark=watermark,
        created_by_watermark=created_by_watermark,
        window=window,
        candidates=len(index),
        segments=[
            SegmentEntry(rows=len(s), skill_columns=s.matrix.shape[1], overflow=s.overflow is not None)
            for s in segments
        ],
        tables=_tables_json(tables),
        files=files,
    )
    (tmp / MANIFEST).write_text(manifest.model_dump_json())
    for path in tmp.iterdir():
        with path.open("rb") as fh:
            os.fsync(fh.fileno())
    final = root / name
    tmp.rename(final)
    pointer = root / f".{CURRENT}-{name}"
    pointer.write_text(name)
    pointer.replace(root / CURRENT)
    _prune(root, keep=name)
    return final


def _prune(root: Path, keep: str) -> None:
    versions = sorted(p for p in root.iterdir() if p.is_dir() and p.name != keep)
    for old in versions[: max(len(versions) - KEEP_OLD, 0)]:
        shutil.rmtree(old, ignore_errors=True)


# --- reading ----------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """A snapshot read and verified: the index over mapped arrays, its id map, its manifest."""

    path: Path
    manifest: Manifest
    index: CandidateIndex
    ids: IdMap

    @property
    def nbytes(self) -> int:
        return sum(f.bytes for f in self.manifest.files.values())


def current_version(root: Path) -> str | None:
    try:
        return (root / CURRENT).read_text().strip() or None
    except OSError:
        return None


def _load(folder: Path, name: str, entry: FileEntry, verify: bool) -> npt.NDArray[Any]:
    path = folder / name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SnapshotInvalid(f"{name}: missing ({exc.strerror})") from exc
    if size != entry.bytes:
        raise SnapshotInvalid(f"{name}: {size} bytes, the manifest says {entry.bytes} (truncated?)")
    if verify and _sha256(path) != entry.sha256:
        raise SnapshotInvalid(f"{name}: checksum mismatch (corrupt)")
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise SnapshotInvalid(f"{name}: unreadable ({exc})") from exc
    return np.asarray(array) if array.ndim == 0 else array


def read_snapshot(root: Path, *, verify: bool = True, **options: Any) -> Snapshot:
    """The live snapshot under ``root``, checked (format and code version, sizes, checksums
    when ``verify``, table consistency); ``SnapshotInvalid`` says why it cannot be used."""
    name = current_version(root)
    if name is None:
        raise SnapshotInvalid("no snapshot")
    folder = root / name
    try:
        manifest = Manifest.model_validate_json((folder / MANIFEST).read_bytes())
    except OSError as exc:
        raise SnapshotInvalid(f"{name}: no manifest ({exc.strerror})") from exc
    except ValidationError as exc:
        raise SnapshotInvalid(f"{name}: unreadable manifest ({exc.error_count()} error(s))") from exc
    if manifest.format != FORMAT_VERSION:
        raise SnapshotInvalid(f"{name}: format {manifest.format}, this code reads {FORMAT_VERSION}")
    if manifest.code != CODE_VERSION:
        raise SnapshotInvalid(f"{name}: written by code {manifest.code}, this is {CODE_VERSION}")
    arrays = {n.removesuffix(".npy"): _load(folder, n, entry, verify) for n, entry in manifest.files.items()}
    try:
        tables = _tables_from(manifest.tables)
        segments = [_segment(arrays, f"s{i}_", entry) for i, entry in enumerate(manifest.segments)]
        ids = IdMap(
            *(arrays[f"ids_{k}"] for k in ("ext", "uuid_of_ext", "stamp_of_ext", "uuid", "ext_of_uuid"))
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise SnapshotInvalid(f"{name}: inconsistent ({type(exc).__name__}: {exc})") from exc
    index = CandidateIndex.restore(tables, segments, **options)
    if len(index) != manifest.candidates or len(ids) != manifest.candidates:
        raise SnapshotInvalid(f"{name}: {len(index)} rows, the manifest says {manifest.candidates}")
    return Snapshot(folder, manifest, index, ids)


def _segment(arrays: Mapping[str, npt.NDArray[Any]], p: str, entry: SegmentEntry) -> Segment:
    cols = Columns(**{name: arrays[f"{p}col_{name}"] for name in _COLUMNS})
    n = entry.rows
    if any(len(getattr(cols, name)) != n for name in _COLUMNS if name not in ("skill_refs", "skill_pairs")):
        raise ValueError("column lengths differ")
    shape = (n, entry.skill_columns)

    def csc(prefix: str) -> sp.csc_array:
        data, indices, indptr = (arrays[f"{p}{prefix}_{k}"] for k in ("data", "indices", "indptr"))
        if len(indptr) != shape[1] + 1 or len(indices) != len(data) or int(indptr[-1]) != len(data):
            raise ValueError(f"{prefix} matrix is inconsistent")
        m = sp.csc_array(shape, dtype=data.dtype)
        m.data, m.indices, m.indptr = data, indices, indptr
        return m

    skill_start = arrays[f"{p}skill_start"]
    if len(skill_start) != n + 1 or int(skill_start[-1]) != len(cols.skill_refs):
        raise ValueError("skill offsets are inconsistent")
    return Segment.restore(
        cols,
        arrays[f"{p}bounds"],
        arrays[f"{p}rate_usd"],
        skill_start,
        csc("m"),
        csc("o") if entry.overflow else None,
    )
