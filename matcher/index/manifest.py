"""The manifest of an index snapshot (``manifest.json``): what it holds and what it reflects."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel


class SnapshotInvalid(Exception):
    """The snapshot cannot be used (missing, corrupt, truncated, stale or foreign); the reason."""


class FileEntry(BaseModel):
    bytes: int
    sha256: str


class SegmentEntry(BaseModel):
    rows: int
    skill_columns: int
    overflow: bool


class WindowDigest(BaseModel):
    """The candidate rows (erased or not) stamped from ``start`` up to the watermark, as the
    database held them when the snapshot was written: how many, and the sum of their stamps.

    A transaction that commits late with an older timestamp adds a row to the window or moves a
    stamp in it, so an unchanged digest later means nothing in the window needs re-reading."""

    start: dt.datetime
    rows: int
    stamp_sum: int


class Manifest(BaseModel):
    format: int
    code: str
    created_at: dt.datetime
    #: ``max(updated_at)`` of the candidates the snapshot reflects (None: no candidate yet).
    watermark: dt.datetime | None
    #: Candidate rows (erased or not: rows are never deleted) created up to the watermark, when
    #: it was written: a database that disagrees later lost or rewrote history (restored from a
    #: backup, swapped, or a row committed late), so the snapshot is stale.
    created_by_watermark: int
    #: None where the database cannot compute it (SQLite): the window is then re-read row by row.
    window: WindowDigest | None = None
    candidates: int
    segments: list[SegmentEntry]
    tables: dict[str, Any]
    files: dict[str, FileEntry]
