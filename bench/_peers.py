"""Two peers for the ranking bench, each doing the least work a comparable query needs.

Both read the same generated pool (the bench's JSON Lines file) on their own, without the
index: an independent harness, so the index is compared with what a user would otherwise write.

* ``NumpyScan``: plain arrays, one full scan per requirement: six filters (vetting passed,
  track, hours, start date, rate within the tolerance, time-zone overlap), two must-have skills
  through posting lists (sorted row arrays per skill key), an 11-dimension role fit (a matrix
  product with the profile's dimension weights), six numeric components and ``argpartition``
  for the top K. No recency, related-skill credit, explanations or exact tie-breaking.
* ``SqlPeer``: the same pool in two PostgreSQL tables (candidates with plain columns, and a
  (skill key, candidate) table with a primary key, so must-haves are an index lookup), and one
  query per requirement that filters, scores the same way and returns the top K.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher.core.components import RATE_TOLERANCE
from matcher.core.profiles import WeightProfile
from matcher.core.timezones import overlap_hours
from matcher.core.types import RequirementProfile
from matcher.schemas import CURRENCY_PER_USD, Dimension, Seniority, Track
from matcher.services.skills import resolve_names

DIMENSIONS = tuple(Dimension)
TRACK_CODE = {t.value: i for i, t in enumerate(Track)}
SENIORITY_CODE = {s.value: i for i, s in enumerate(Seniority)}
#: Weights of the six numeric components (rate, experience, overlap, start date, seniority,
#: hours) and of the role fit; they sum to 1.
COMPONENT_WEIGHT = 0.1
ROLE_FIT_WEIGHT = 1.0 - 6 * COMPONENT_WEIGHT
#: Must-have skills filtered through posting lists: the first two of the requirement (the issue's
#: peer; more would make the peers' candidate sets, and their work, smaller still).
MUST_HAVES = 2


@dataclass
class PeerPool:
    """The generated pool as plain arrays (one row per candidate, file order)."""

    ids: list[str]
    track: npt.NDArray[np.int8]
    passed: npt.NDArray[np.bool_]
    hours: npt.NDArray[np.int16]
    available: npt.NDArray[np.int32]
    rate_usd: npt.NDArray[np.float64]
    years: npt.NDArray[np.float64]
    seniority: npt.NDArray[np.int8]
    zone: npt.NDArray[np.int32]
    zones: list[str]
    vetting: npt.NDArray[np.float64]
    #: skill key -> sorted rows that list it
    postings: dict[str, npt.NDArray[np.int32]]

    def __len__(self) -> int:
        return len(self.ids)


def _records(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def load_pool(path: Path) -> PeerPool:
    """Read the pool file into arrays; skill names resolved in bulk, as an import would."""
    records = list(_records(path))
    keys = {
        name: r.key
        for name, r in resolve_names(s["name"] for c in records for s in c["skills"]).items()
        if r.key is not None
    }
    zones: dict[str, int] = {}
    lists: dict[str, list[int]] = {}
    for row, c in enumerate(records):
        zones.setdefault(c["timezone"], len(zones))
        for key in dict.fromkeys(keys[s["name"]] for s in c["skills"] if s["name"] in keys):
            lists.setdefault(key, []).append(row)
    vetting = np.array(
        [[c["vetting"]["scores"].get(d.value, 0) for d in DIMENSIONS] for c in records], dtype=np.float64
    )
    return PeerPool(
        ids=[c["external_id"] for c in records],
        track=np.array([TRACK_CODE[c["track"]] for c in records], dtype=np.int8),
        passed=np.array([c["vetting"]["status"] == "passed" for c in records], dtype=bool),
        hours=np.array([c["hours_per_week"] for c in records], dtype=np.int16),
        available=np.array(
            [dt.date.fromisoformat(c["available_from"]).toordinal() for c in records], dtype=np.int32
        ),
        rate_usd=np.array(
            [c["hourly_rate"] / CURRENCY_PER_USD[c["currency"]] for c in records], dtype=np.float64
        ),
        years=np.array([c["years_experience"] for c in records], dtype=np.float64),
        seniority=np.array([SENIORITY_CODE[c["seniority"]] for c in records], dtype=np.int8),
        zone=np.array([zones[c["timezone"]] for c in records], dtype=np.int32),
        zones=list(zones),
        vetting=vetting / 5.0,
        postings={k: np.array(v, dtype=np.int32) for k, v in lists.items()},
    )


@dataclass(frozen=True)
class Query:
    """What both peers need of one requirement (computed per ranking, inside the timing)."""

    track: int
    hours: int
    start: int
    budget_usd: float
    min_overlap: float
    seniority: int
    must: tuple[str, ...]
    dims: npt.NDArray[np.float64]
    overlaps: npt.NDArray[np.float64]


def query(pool: PeerPool, req: RequirementProfile, profile: WeightProfile) -> Query:
    return Query(
        track=TRACK_CODE[req.track.value],
        hours=req.hours_per_week,
        start=req.start_by.toordinal(),
        budget_usd=req.max_hourly_rate / CURRENCY_PER_USD[req.currency],
        min_overlap=req.min_overlap_hours,
        seniority=SENIORITY_CODE[req.seniority.value],
        must=tuple(dict.fromkeys(s.skill.key for s in req.must_have))[:MUST_HAVES],
        dims=np.array([profile.dimensions.get(d, 0.0) for d in DIMENSIONS], dtype=np.float64),
        overlaps=np.array([overlap_hours(req.timezone, z, req.start_by) for z in pool.zones]),
    )


class NumpyScan:
    """The plain numpy scan (see the module docstring)."""

    def __init__(self, pool: PeerPool) -> None:
        self.pool = pool

    def rank(self, req: RequirementProfile, profile: WeightProfile, top: int) -> list[str]:
        p = self.pool
        q = query(p, req, profile)
        limit = q.budget_usd * (1.0 + RATE_TOLERANCE)
        overlap = q.overlaps[p.zone]
        keep = (
            p.passed
            & (p.track == q.track)
            & (p.hours >= q.hours)
            & (p.available <= q.start)
            & (p.rate_usd <= limit)
            & (overlap >= q.min_overlap)
        )
        rows = np.flatnonzero(keep)
        for key in q.must:
            rows = np.intersect1d(rows, p.postings.get(key, np.zeros(0, dtype=np.int32)), assume_unique=True)
        if not len(rows):
            return []
        score = ROLE_FIT_WEIGHT * (p.vetting[rows] @ q.dims) + COMPONENT_WEIGHT * (
            np.clip(1.0 - p.rate_usd[rows] / max(limit, 1e-9), 0.0, 1.0)
            + np.minimum(p.years[rows] / 10.0, 1.0)
            + np.minimum(overlap[rows] / 8.0, 1.0)
            + np.clip((q.start - p.available[rows]) / 30.0, 0.0, 1.0)
            + 1.0
            - np.abs(p.seniority[rows] - q.seniority) / 4.0
            + np.minimum(p.hours[rows] / max(q.hours, 1), 1.0)
        )
        k = min(top, len(rows))
        best = np.argpartition(-score, k - 1)[:k]
        best = best[np.argsort(-score[best], kind="stable")]
        return [p.ids[int(r)] for r in rows[best]]


SCHEMA = "bench_ranking_peer"

_ROLE_FIT = " + ".join(f"c.v{i} * %(w{i})s" for i in range(len(DIMENSIONS)))
_SQL = f"""
SELECT c.external_id,
       {ROLE_FIT_WEIGHT} * ({_ROLE_FIT})
     + {COMPONENT_WEIGHT} * (
         greatest(0, least(1, 1 - c.rate_usd / %(limit)s))
       + least(c.years / 10.0, 1)
       + least(z.overlap / 8.0, 1)
       + greatest(0, least(1, (%(start)s - c.available) / 30.0))
       + 1 - abs(c.seniority - %(seniority)s) / 4.0
       + least(c.hours::float8 / %(hours)s, 1)
       ) AS score
FROM {SCHEMA}.candidate c
JOIN unnest(%(zones)s::int[], %(overlaps)s::float8[]) AS z(zone, overlap) ON z.zone = c.zone
WHERE c.passed AND c.track = %(track)s AND c.hours >= %(hours)s AND c.available <= %(start)s
  AND c.rate_usd <= %(limit)s AND z.overlap >= %(min_overlap)s
  AND c.id IN (SELECT s.candidate FROM {SCHEMA}.skill s WHERE s.key = ANY(%(must)s)
               GROUP BY s.candidate HAVING count(*) = %(must_count)s)
ORDER BY score DESC
LIMIT %(top)s
"""

_SQL_NO_MUST = _SQL.replace(
    f"""  AND c.id IN (SELECT s.candidate FROM {SCHEMA}.skill s WHERE s.key = ANY(%(must)s)
               GROUP BY s.candidate HAVING count(*) = %(must_count)s)
""",
    "",
)


def plain_url(url: str) -> str:
    """A libpq URL from an SQLAlchemy one (``postgresql+psycopg://`` -> ``postgresql://``)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class SqlPeer:
    """The pool in PostgreSQL (schema ``bench_ranking_peer``, dropped by ``close``)."""

    def __init__(self, pool: PeerPool, url: str) -> None:
        import psycopg

        self.pool = pool
        self.conn = psycopg.connect(plain_url(url), autocommit=True)
        self._load()

    def _load(self) -> None:
        p = self.pool
        dims = ", ".join(f"v{i} float8 NOT NULL" for i in range(len(DIMENSIONS)))
        with self.conn.cursor() as cur:
            cur.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            cur.execute(f"CREATE SCHEMA {SCHEMA}")
            cur.execute(
                f"""CREATE TABLE {SCHEMA}.candidate (
                    id int PRIMARY KEY, external_id text NOT NULL, track smallint NOT NULL,
                    passed bool NOT NULL, hours int NOT NULL, available int NOT NULL,
                    rate_usd float8 NOT NULL, years float8 NOT NULL, seniority int NOT NULL,
                    zone int NOT NULL, {dims})"""
            )
            cur.execute(
                f"CREATE TABLE {SCHEMA}.skill (key text NOT NULL, candidate int NOT NULL, "
                "PRIMARY KEY (key, candidate))"
            )
            columns = ", ".join(
                ["id", "external_id", "track", "passed", "hours", "available", "rate_usd", "years"]
                + ["seniority", "zone"]
                + [f"v{i}" for i in range(len(DIMENSIONS))]
            )
            with cur.copy(f"COPY {SCHEMA}.candidate ({columns}) FROM STDIN") as copy:
                for i in range(len(p)):
                    copy.write_row(
                        (
                            i,
                            p.ids[i],
                            int(p.track[i]),
                            bool(p.passed[i]),
                            int(p.hours[i]),
                            int(p.available[i]),
                            float(p.rate_usd[i]),
                            float(p.years[i]),
                            int(p.seniority[i]),
                            int(p.zone[i]),
                            *(float(v) for v in p.vetting[i]),
                        )
                    )
            buf = io.StringIO()
            for key, rows in p.postings.items():
                buf.writelines(f"{key}\t{int(r)}\n" for r in rows)
            with cur.copy(f"COPY {SCHEMA}.skill (key, candidate) FROM STDIN") as copy:
                copy.write(buf.getvalue())
            cur.execute(f"CREATE INDEX ON {SCHEMA}.candidate (track, passed)")
            cur.execute(f"ANALYZE {SCHEMA}.candidate")
            cur.execute(f"ANALYZE {SCHEMA}.skill")

    def rank(self, req: RequirementProfile, profile: WeightProfile, top: int) -> list[str]:
        q = query(self.pool, req, profile)
        params: dict[str, Any] = {
            "limit": q.budget_usd * (1.0 + RATE_TOLERANCE),
            "start": q.start,
            "seniority": q.seniority,
            "hours": q.hours,
            "zones": list(range(len(self.pool.zones))),
            "overlaps": [float(x) for x in q.overlaps],
            "track": q.track,
            "min_overlap": q.min_overlap,
            "must": list(q.must),
            "must_count": len(q.must),
            "top": top,
            **{f"w{i}": float(w) for i, w in enumerate(q.dims)},
        }
        with self.conn.cursor() as cur:
            cur.execute(_SQL if q.must else _SQL_NO_MUST, params)
            return [row[0] for row in cur.fetchall()]

    def close(self) -> None:
        with self.conn.cursor() as cur:
            cur.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        self.conn.close()


def time_peer(
    rank: Any, specs: Sequence[Any], top: int, warmup: Sequence[Any]
) -> tuple[list[float], list[int]]:
    """Per-requirement milliseconds of ``rank(requirement, profile, top)``, and result sizes."""
    import time

    for spec in warmup:
        rank(spec.requirement, spec.profile, top)
    times, sizes = [], []
    for spec in specs:
        start = time.perf_counter()
        got = rank(spec.requirement, spec.profile, top)
        times.append((time.perf_counter() - start) * 1000.0)
        sizes.append(len(got))
    return times, sizes
