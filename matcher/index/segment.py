"""An immutable block of candidate rows, laid out for scoring.

Rows are sorted by (group, external id): a requirement of one track reads one contiguous range
of rows, and candidates are found by binary search on their id. Skills are kept twice: in CSR
order (each candidate's skills as listed, for rebuilding profiles) and as a scipy CSC matrix
(candidate x canonical skill, values = code of (years, last used)) so that a requirement's skill
columns are cheap to slice. A candidate listing the same key twice keeps the first entry in the
matrix and the others in a small overflow matrix, so every column has unique rows.

Removal is a tombstone (``alive``); the index compacts segments when tombstones or segments pile
up.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from matcher.core.types import CandidateProfile
from matcher.errors import Conflict
from matcher.index.columns import (
    GROUPS,
    OTHER_GROUP,
    PASSED,
    Columns,
    FloatArray,
    IntArray,
    decode,
)
from matcher.index.tables import Tables, code_dtype
from matcher.schemas import CURRENCY_PER_USD

IdArray = npt.NDArray[np.bytes_]


def _narrow(codes: npt.NDArray[np.unsignedinteger]) -> npt.NDArray[np.unsignedinteger]:
    return codes.astype(code_dtype(int(codes.max()) if codes.size else 0), copy=False)


def _csc(
    rows: npt.NDArray[np.int32],
    cols: npt.NDArray[np.int64],
    data: npt.NDArray[np.unsignedinteger],
    shape: tuple[int, int],
) -> sp.csc_array:
    """CSC from entries already sorted by (column, row)."""
    indptr = np.zeros(shape[1] + 1, dtype=np.int64)
    np.cumsum(np.bincount(cols, minlength=shape[1]), out=indptr[1:])
    wide = max(len(rows), shape[0]) >= np.iinfo(np.int32).max
    index_dtype = np.int64 if wide else np.int32
    indices = cast(npt.NDArray[np.integer[Any]], rows.astype(index_dtype, copy=False))
    pointers = cast(npt.NDArray[np.integer[Any]], indptr.astype(index_dtype, copy=False))
    return sp.csc_array((data, indices, pointers), shape=shape)


class Segment:
    """One sorted block of rows (see the module docstring)."""

    def __init__(self, cols: Columns, tables: Tables) -> None:
        n = len(cols)
        group = np.where(cols.status == PASSED, cols.track, OTHER_GROUP).astype(np.uint8)
        by_id = np.argsort(cols.ids, kind="stable")
        sorted_ids = cols.ids[by_id]
        if n > 1:
            same = np.flatnonzero(sorted_ids[1:] == sorted_ids[:-1])
            if same.size:
                dup = bytes(sorted_ids[same[0]]).decode("utf-8")
                raise Conflict(f"candidate {dup} appears twice")
        order = by_id[np.argsort(group[by_id], kind="stable")]
        cols = cols.take(order)
        cols.currency = _narrow(cols.currency)
        cols.timezone = _narrow(cols.timezone)
        cols.field = _narrow(cols.field)
        cols.vetting = _narrow(cols.vetting)
        cols.skill_refs = _narrow(cols.skill_refs)
        cols.skill_pairs = _narrow(cols.skill_pairs)
        self.cols = cols
        self.bounds = np.searchsorted(group[order], np.arange(GROUPS + 1)).astype(np.int64)
        per_usd = np.array([CURRENCY_PER_USD[c] for c in tables.currencies.values], dtype=np.float64)
        # The same division as ``components.to_usd``, done once per candidate.
        self.rate_usd: FloatArray = cols.rate / per_usd[cols.currency] if n else cols.rate.copy()
        nnz = int(cols.skill_count.sum())
        index_dtype = np.int32 if nnz < np.iinfo(np.int32).max else np.int64
        self.skill_start = np.zeros(n + 1, dtype=index_dtype)
        np.cumsum(cols.skill_count, out=self.skill_start[1:])
        self.ncols = len(tables.keys)
        self.matrix, self.overflow = self._matrices(tables, nnz)
        self.mean_skills = nnz / n if n else 0.0
        self.alive = np.ones(n, dtype=bool)
        self.dead = 0
        self._scratch: npt.NDArray[np.int32] | None = None
        #: Per-row values that depend on the candidate and a weighting only (see ``scoring``).
        self.role_fit_cache: OrderedDict[Hashable, FloatArray] = OrderedDict()

    @classmethod
    def restore(
        cls,
        cols: Columns,
        bounds: IntArray,
        rate_usd: FloatArray,
        skill_start: npt.NDArray[np.integer],
        matrix: sp.csc_array,
        overflow: sp.csc_array | None,
    ) -> Segment:
        """A segment from arrays a segment laid out before (``matcher.index.snapshot``): nothing
        is sorted or copied, so memory-mapped arrays stay shared. Every row is alive."""
        seg = cls.__new__(cls)
        n = len(cols)
        seg.cols = cols
        seg.bounds = bounds
        seg.rate_usd = rate_usd
        seg.skill_start = skill_start
        seg.ncols = matrix.shape[1]
        seg.matrix, seg.overflow = matrix, overflow
        seg.mean_skills = int(skill_start[-1]) / n if n else 0.0
        seg.alive = np.ones(n, dtype=bool)
        seg.dead = 0
        seg._scratch = None
        seg.role_fit_cache = OrderedDict()
        return seg

    def _matrices(self, tables: Tables, nnz: int) -> tuple[sp.csc_array, sp.csc_array | None]:
        cols = self.cols
        n = len(cols)
        entry_row = np.repeat(np.arange(n, dtype=np.int32), cols.skill_count)
        ref_key = np.array(tables.ref_key, dtype=np.int64)
        entry_col = ref_key[cols.skill_refs] if nnz else np.zeros(0, dtype=np.int64)
        order = np.argsort(entry_col, kind="stable")
        rows, keys, pairs = entry_row[order], entry_col[order], cols.skill_pairs[order]
        repeat = np.zeros(len(rows), dtype=bool)
        repeat[1:] = (keys[1:] == keys[:-1]) & (rows[1:] == rows[:-1])
        shape = (n, self.ncols)
        first = ~repeat
        matrix = _csc(rows[first], keys[first], pairs[first], shape)
        overflow = _csc(rows[repeat], keys[repeat], pairs[repeat], shape) if repeat.any() else None
        return matrix, overflow

    # --- size and lookup ----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.cols)

    @property
    def live(self) -> int:
        return len(self.cols) - self.dead

    def group_range(self, group: int) -> tuple[int, int]:
        return int(self.bounds[group]), int(self.bounds[group + 1])

    def locate(self, external_id: bytes) -> int | None:
        """The live row of ``external_id``, or None."""
        ids = self.cols.ids
        for g in range(GROUPS):
            lo, hi = self.group_range(g)
            pos = lo + int(np.searchsorted(ids[lo:hi], external_id))
            if pos < hi and bytes(ids[pos]) == external_id and self.alive[pos]:
                return pos
        return None

    def kill(self, row: int) -> None:
        if self.alive[row]:
            self.alive[row] = False
            self.dead += 1

    def live_rows(self) -> IntArray:
        return np.flatnonzero(self.alive)

    def profile(self, row: int, tables: Tables) -> CandidateProfile:
        return decode(self.cols, row, int(self.skill_start[row]), tables)

    def external_id(self, row: int) -> str:
        return bytes(self.cols.ids[row]).decode("utf-8")

    def scratch(self) -> npt.NDArray[np.int32]:
        """Row -> position map for scattering skill credits, all -1 between uses."""
        if self._scratch is None:
            self._scratch = np.full(len(self.cols), -1, dtype=np.int32)
        return self._scratch

    def column_parts(
        self, key: int, lo: int, hi: int
    ) -> tuple[tuple[npt.NDArray[np.integer], npt.NDArray[np.unsignedinteger]], ...]:
        """(rows, pair codes) of one skill column limited to rows ``lo <= row < hi``: the main
        matrix's entries, then the overflow matrix's (repeated keys) when there is one."""
        if self.overflow is None:
            return (self.column(key, lo, hi),)
        return self.column(key, lo, hi), self.column(key, lo, hi, overflow=True)

    def column(
        self, key: int, lo: int, hi: int, overflow: bool = False
    ) -> tuple[npt.NDArray[np.integer], npt.NDArray[np.unsignedinteger]]:
        """(rows, pair codes) of one skill column, limited to rows ``lo <= row < hi``."""
        m = self.overflow if overflow else self.matrix
        if m is None or key >= self.ncols:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint32)
        a, b = int(m.indptr[key]), int(m.indptr[key + 1])
        rows = m.indices[a:b]
        if lo > 0 or hi < len(self.cols):
            cut = np.searchsorted(rows, np.array((lo, hi), dtype=rows.dtype))
            a, b = a + int(cut[0]), a + int(cut[1])
            rows = m.indices[a:b]
        return rows, m.data[a:b]

    @property
    def nbytes(self) -> int:
        c = self.cols
        arrays: Sequence[npt.NDArray[np.generic]] = (
            *(getattr(c, name) for name in Columns.__dataclass_fields__),
            self.rate_usd,
            self.skill_start,
            self.alive,
            self.matrix.data,
            self.matrix.indices,
            self.matrix.indptr,
            *(
                (self.overflow.data, self.overflow.indices, self.overflow.indptr)
                if self.overflow is not None
                else ()
            ),
            *((self._scratch,) if self._scratch is not None else ()),
            *self.role_fit_cache.values(),
        )
        return sum(a.nbytes for a in arrays)

    def live_columns(self) -> Columns:
        """The live rows, for merging segments."""
        return self.cols.take(self.live_rows())


def merge(segments: Sequence[Segment], extra: Columns | None, tables: Tables) -> Segment:
    """One segment with every live row of ``segments`` and the rows of ``extra``."""
    parts = [s.live_columns() for s in segments]
    if extra is not None:
        parts.append(extra)
    return Segment(Columns.concat(parts), tables)
