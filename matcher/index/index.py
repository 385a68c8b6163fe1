"""The in-memory candidate index: rank a requirement against the whole pool at once.

``CandidateIndex.rank`` has the contract of ``matcher.core.ranking.rank`` and returns the same
``RankedCandidate`` objects. The pool is scored with array operations (``scoring``; for a top
K, only the rows whose score bound could reach the K-th best, ``pruning``); only the top K
contenders are rebuilt as profiles (``contenders``) and scored by the core's own scorer
(``Scorer``, what ``rank`` and ``score_candidate`` run; built once per ranking, which checks the
inputs), which gives the exact sort key and then writes the explanations of the K that make
the cut. Contenders
are every candidate whose vectorised score is within ``CONTENDER_MARGIN`` of the K-th best, so
even a last-bit difference in a score could never change who makes the cut or the order.

Updates never rebuild the index: changed and removed candidates are tombstoned where they are,
new versions wait in a pending buffer that becomes a small segment when the next ranking (or
``flush``) needs it, small segments are merged together once there are too many of them, and
everything is merged into one main segment when the extra rows or the tombstones pass a
fraction of the pool (``compact`` does it on demand).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from matcher.core.profiles import WeightProfile
from matcher.core.ranking import Prepared, Scorer, check_profile, check_relations, sort_key
from matcher.core.results import RankedCandidate
from matcher.core.types import CandidateProfile, Relations, RequirementProfile
from matcher.errors import Conflict, NotFound, ValidationFailed
from matcher.index.columns import ColumnBuilder, FloatArray
from matcher.index.contenders import ProfileDecoder
from matcher.index.plan import Plan, PlanCache
from matcher.index.pruning import contenders as choose_contenders
from matcher.index.pruning import pruned
from matcher.index.scoring import BoolArray, Scored, eligible_only, everyone
from matcher.index.segment import Segment, merge
from matcher.index.tables import Tables

#: How far below the K-th best vectorised score a candidate is still re-scored by the reference.
CONTENDER_MARGIN = 1e-6


@dataclass(frozen=True)
class PoolScores:
    """Every candidate's vectorised score, must-have value and eligibility for one requirement."""

    external_ids: list[str]
    score: FloatArray
    must_have: FloatArray
    eligible: BoolArray

    def as_dict(self) -> dict[str, tuple[float, bool]]:
        return {
            ext: (float(s), bool(e))
            for ext, s, e in zip(self.external_ids, self.score, self.eligible, strict=True)
        }


class CandidateIndex:
    """Columnar, incrementally updatable candidate pool (see the module docstring).

    ``max_segments``: small segments allowed beside the main one before they are merged.
    ``compact_fraction``: extra rows or tombstones, as a share of the pool, that trigger a full
    merge. Thread-safe: one lock serialises updates and rankings.
    """

    def __init__(self, *, max_segments: int = 8, compact_fraction: float = 0.1) -> None:
        if max_segments < 1 or not 0 < compact_fraction <= 1:
            raise ValidationFailed("max_segments must be >= 1 and compact_fraction in (0, 1]")
        self.max_segments = max_segments
        self.compact_fraction = compact_fraction
        self._tables = Tables()
        self._cache = PlanCache()
        self._decoder = ProfileDecoder()
        self._segments: list[Segment] = []
        self._pending: dict[str, CandidateProfile] = {}
        self._lock = threading.RLock()

    def __getstate__(self) -> dict[str, object]:
        with self._lock:
            state = dict(self.__dict__)
        del state["_lock"], state["_cache"], state["_decoder"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()
        self._cache = PlanCache()
        self._decoder = ProfileDecoder()

    # --- building -----------------------------------------------------------------------------

    @classmethod
    def from_profiles(
        cls, profiles: Iterable[CandidateProfile], *, max_segments: int = 8, compact_fraction: float = 0.1
    ) -> CandidateIndex:
        """An index of ``profiles`` (streamed: no list of them is kept). Ids must be unique."""
        index = cls(max_segments=max_segments, compact_fraction=compact_fraction)
        builder = index.builder()
        for p in profiles:
            builder.add(p)
        index.append(builder)
        return index

    @classmethod
    def restore(cls, tables: Tables, segments: list[Segment], **options: Any) -> CandidateIndex:
        """An index over segments and tables restored as they were (``matcher.index.snapshot``)."""
        index = cls(**options)
        index._tables = tables
        index._segments = list(segments)
        return index

    def compacted_parts(self) -> tuple[Tables, list[Segment]]:
        """The tables and the segments after ``compact`` (at most one, without tombstones)."""
        with self._lock:
            self.compact()
            return self._tables, list(self._segments)

    def builder(self) -> ColumnBuilder:
        """A builder sharing this index's dictionaries, to fill and pass to ``append``."""
        return ColumnBuilder(self._tables)

    def append(self, builder: ColumnBuilder) -> None:
        """Add a batch of new candidates as one segment; ids already in the pool are a Conflict."""
        with self._lock:
            cols = builder.finish()
            if not len(cols):
                return
            if len(self):
                taken = [ext for ext in (bytes(i).decode("utf-8") for i in cols.ids) if ext in self]
                if taken:
                    raise Conflict(f"candidate {taken[0]} is already in the index ({len(taken)} in all)")
            self._segments.append(Segment(cols, self._tables))
            self._maintain()

    # --- size ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        with self._lock:
            return sum(s.live for s in self._segments) + len(self._pending)

    @property
    def nbytes(self) -> int:
        """Bytes held by the index: its arrays and an estimate of its dictionaries."""
        with self._lock:
            pending = 2000 * len(self._pending)
            return sum(s.nbytes for s in self._segments) + self._tables.nbytes() + pending

    def stats(self) -> dict[str, int | float]:
        with self._lock:
            n = len(self)
            return {
                "candidates": n,
                "segments": len(self._segments),
                "pending": len(self._pending),
                "tombstones": sum(s.dead for s in self._segments),
                "skill_columns": len(self._tables.keys),
                "nbytes": self.nbytes,
                "bytes_per_candidate": self.nbytes / n if n else 0.0,
            }

    # --- lookup and updates ---------------------------------------------------------------------

    def _where(self, key: bytes) -> tuple[Segment, int] | None:
        for seg in reversed(self._segments):
            row = seg.locate(key)
            if row is not None:
                return seg, row
        return None

    def __contains__(self, external_id: object) -> bool:
        if not isinstance(external_id, str):
            return False
        with self._lock:
            return external_id in self._pending or self._where(external_id.encode("utf-8")) is not None

    def get(self, external_id: str) -> CandidateProfile | None:
        """The stored profile of a candidate, rebuilt from the columns."""
        with self._lock:
            if external_id in self._pending:
                return self._pending[external_id]
            found = self._where(external_id.encode("utf-8"))
            return None if found is None else found[0].profile(found[1], self._tables)

    def ids(self) -> list[str]:
        """Every candidate's external id (in no particular order)."""
        with self._lock:
            out = [seg.external_id(int(row)) for seg in self._segments for row in seg.live_rows()]
            return out + list(self._pending)

    def _check(self, profiles: Iterable[CandidateProfile]) -> list[CandidateProfile]:
        batch = list(profiles)
        seen: set[str] = set()
        probe = self.builder()
        for p in batch:
            probe.add(p)
            if p.external_id in seen:
                raise Conflict(f"candidate {p.external_id} appears twice")
            seen.add(p.external_id)
        return batch

    def add(self, profiles: Iterable[CandidateProfile]) -> None:
        """Add new candidates; an id already in the pool is a Conflict (nothing is added)."""
        with self._lock:
            batch = self._check(profiles)
            taken = [p.external_id for p in batch if p.external_id in self]
            if taken:
                raise Conflict(f"candidate {taken[0]} is already in the index")
            self._stage(batch)

    def update(self, profiles: Iterable[CandidateProfile]) -> None:
        """Replace existing candidates; an unknown id is NotFound (nothing is changed)."""
        with self._lock:
            batch = self._check(profiles)
            missing = [p.external_id for p in batch if p.external_id not in self]
            if missing:
                raise NotFound(f"candidate {missing[0]} is not in the index")
            self._stage(batch)

    def upsert(self, profiles: Iterable[CandidateProfile]) -> None:
        """Add or replace candidates by external id."""
        with self._lock:
            self._stage(self._check(profiles))

    def remove(self, external_ids: Iterable[str], *, missing_ok: bool = False) -> int:
        """Remove candidates; returns how many were removed. Unknown ids are NotFound unless
        ``missing_ok`` (then nothing is removed for them)."""
        with self._lock:
            ids = list(dict.fromkeys(external_ids))
            if not missing_ok:
                missing = [i for i in ids if i not in self]
                if missing:
                    raise NotFound(f"candidate {missing[0]} is not in the index")
            removed = 0
            for ext in ids:
                removed += self._drop(ext)
            self._maintain()
            return removed

    def _drop(self, external_id: str) -> int:
        if self._pending.pop(external_id, None) is not None:
            return 1
        found = self._where(external_id.encode("utf-8"))
        if found is None:
            return 0
        found[0].kill(found[1])
        return 1

    def _stage(self, batch: list[CandidateProfile]) -> None:
        for p in batch:
            self._drop(p.external_id)
            self._pending[p.external_id] = p
        self._maintain()

    # --- maintenance ----------------------------------------------------------------------------

    def flush(self) -> None:
        """Turn the pending buffer into a segment (rankings do this when they need it)."""
        with self._lock:
            if not self._pending:
                return
            builder = self.builder()
            for p in self._pending.values():
                builder.add(p)
            self._pending.clear()
            self._segments.append(Segment(builder.finish(), self._tables))
            self._maintain()

    def compact(self) -> None:
        """Merge everything (pending buffer included) into one segment without tombstones."""
        with self._lock:
            self.flush()
            if len(self._segments) > 1 or any(s.dead for s in self._segments):
                self._segments = [merge(self._segments, None, self._tables)]

    def _maintain(self) -> None:
        segs = self._segments
        if not segs:
            return
        total = sum(len(s) for s in segs)
        main = max(segs, key=len)
        extra = total - len(main)
        dead = sum(s.dead for s in segs)
        if (extra + dead) > self.compact_fraction * max(total, 1) and total >= 64:
            self._segments = [merge(segs, None, self._tables)]
        elif len(segs) > self.max_segments + 1:
            small = [s for s in segs if s is not main]
            self._segments = [main, merge(small, None, self._tables)]

    # --- ranking --------------------------------------------------------------------------------

    def score_pool(
        self,
        requirement: RequirementProfile,
        profile: WeightProfile,
        relations: Relations,
        today: dt.date,
    ) -> PoolScores:
        """Every candidate's vectorised score and eligibility (no explanations, no ranking)."""
        check_profile(requirement, profile)
        check_relations(relations)
        with self._lock:
            self.flush()
            plan = self._plan(requirement, profile, relations, today)
            ids: list[str] = []
            parts: list[Scored] = []
            for seg in self._segments:
                scored = everyone(seg, plan)
                parts.append(scored)
                ids.extend(seg.external_id(int(r)) for r in scored.rows)
            return PoolScores(
                ids,
                np.concatenate([p.score for p in parts]) if parts else np.zeros(0),
                np.concatenate([p.must_have for p in parts]) if parts else np.zeros(0),
                np.concatenate([p.eligible for p in parts]) if parts else np.zeros(0, dtype=bool),
            )

    def _plan(
        self, requirement: RequirementProfile, profile: WeightProfile, relations: Relations, today: dt.date
    ) -> Plan:
        return Plan(self._tables, self._cache, requirement, profile, relations, today)

    def rank(
        self,
        requirement: RequirementProfile,
        profile: WeightProfile,
        relations: Relations,
        today: dt.date,
        *,
        top: int | None = None,
        include_ineligible: bool = False,
    ) -> list[RankedCandidate]:
        """Same contract and result as ``matcher.core.rank`` over the indexed pool."""
        return self.rank_counted(
            requirement, profile, relations, today, top=top, include_ineligible=include_ineligible
        )[0]

    def rank_counted(
        self,
        requirement: RequirementProfile,
        profile: WeightProfile,
        relations: Relations,
        today: dt.date,
        *,
        top: int | None = None,
        include_ineligible: bool = False,
        timings: dict[str, float] | None = None,
    ) -> tuple[list[RankedCandidate], int]:
        """``rank``, and how many candidates of the pool are eligible.

        ``timings``, when given, receives ``select_ms`` (the vectorised scoring and the choice
        of contenders) and ``explain_ms`` (rebuilding the contenders and scoring them with the
        reference, which writes the explanations).
        """
        started = time.perf_counter()
        scorer = Scorer(requirement, profile, relations, today)
        if top is not None and top < 1:
            raise ValidationFailed(f"top must be at least 1, got {top}")
        with self._lock:
            self.flush()
            plan = self._plan(requirement, profile, relations, today)
            if top is None or include_ineligible:
                parts = [(seg, eligible_only(seg, plan)) for seg in self._segments]
                eligible = sum(len(scored.rows) for _, scored in parts)
            else:
                parts, eligible = pruned(self._segments, plan, top, CONTENDER_MARGIN)
            picked = choose_contenders(parts, top, CONTENDER_MARGIN)
            selected = time.perf_counter()

            def prepare(seg: Segment, rows: Iterable[int]) -> list[Prepared]:
                decode = self._decoder.profile
                return [scorer.prepare(decode(seg, int(r), self._tables)) for r in rows]

            # Contenders are scored first and explained only once they make the cut: writing
            # the reasons is most of the per-candidate cost.
            contenders = sorted(
                (p for seg, rows in picked for p in prepare(seg, rows) if not p.excluded),
                key=Prepared.sort_key,
            )[:top]
            ranked = [scorer.result(p, rank=i) for i, p in enumerate(contenders, start=1)]
            if include_ineligible:
                rest: list[RankedCandidate] = []
                for seg, scored in parts:
                    others = seg.alive.copy()
                    others[scored.rows] = False
                    rest.extend(scorer.result(p) for p in prepare(seg, np.flatnonzero(others)) if p.excluded)
                ranked.extend(sorted(rest, key=sort_key))
            if timings is not None:
                timings["select_ms"] = (selected - started) * 1000.0
                timings["explain_ms"] = (time.perf_counter() - selected) * 1000.0
            return ranked, eligible
