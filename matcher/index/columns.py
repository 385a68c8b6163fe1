"""Candidates as columns: encoding core profiles into arrays, and decoding one row back.

A ``ColumnBuilder`` takes ``CandidateProfile`` objects one at a time (so a million can stream in
without a list of them in memory) and hands out ``Columns``: plain arrays in arrival order, with
the skills in CSR layout (each candidate's skills in their original order, which the
explanations depend on). ``decode`` turns one row back into the identical profile.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from matcher.core.types import CandidateProfile, CandidateSkill
from matcher.errors import ValidationFailed
from matcher.index.tables import Tables
from matcher.schemas import CURRENCY_PER_USD, Degree, Dimension, Seniority, Track, VettingStatus

TRACKS: tuple[Track, ...] = tuple(Track)
SENIORITIES: tuple[Seniority, ...] = tuple(Seniority)
DEGREES: tuple[Degree, ...] = tuple(Degree)
STATUSES: tuple[VettingStatus, ...] = tuple(VettingStatus)
DIMENSIONS: tuple[Dimension, ...] = tuple(Dimension)

TRACK_CODE = {t: i for i, t in enumerate(TRACKS)}
SENIORITY_CODE = {s: i for i, s in enumerate(SENIORITIES)}
DEGREE_CODE = {d: i for i, d in enumerate(DEGREES)}
STATUS_CODE = {s: i for i, s in enumerate(STATUSES)}
PASSED = STATUS_CODE[VettingStatus.passed]

#: Rows are grouped by ``group``: the track's code when vetting passed, else ``OTHER_GROUP``
#: (never eligible). Ranking a requirement reads one group's contiguous rows only.
OTHER_GROUP = len(TRACKS)
GROUPS = OTHER_GROUP + 1

_HOURS_RANGE = (int(np.iinfo(np.int16).min), int(np.iinfo(np.int16).max))
_CHUNK = 1 << 16

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


#: Every zone seen, held so that ``ZoneInfo(name)`` (which the core's ``overlap_hours`` calls
#: each time) stays in ZoneInfo's weak cache instead of re-reading the zone file.
_ZONES: dict[str, ZoneInfo] = {}


def zone_ok(zone: str) -> bool:
    """Whether ``zone`` is a loadable IANA zone (and keep it loaded)."""
    if zone not in _ZONES:
        try:
            _ZONES[zone] = ZoneInfo(zone)
        except (KeyError, ValueError, OSError):
            return False
    return True


def _finite(value: float, what: str, external_id: str) -> float:
    if isinstance(value, bool) or not math.isfinite(value):
        raise ValidationFailed(f"candidate {external_id}: {what} must be a finite number, got {value!r}")
    return float(value)


@dataclass
class Columns:
    """Candidate rows as arrays (arrival order unless a segment sorted them)."""

    ids: npt.NDArray[np.bytes_]
    track: npt.NDArray[np.uint8]
    status: npt.NDArray[np.uint8]
    seniority: npt.NDArray[np.uint8]
    degree: npt.NDArray[np.uint8]
    hours: npt.NDArray[np.int16]
    currency: npt.NDArray[np.unsignedinteger]
    rate: FloatArray
    years: FloatArray
    timezone: npt.NDArray[np.unsignedinteger]
    available: npt.NDArray[np.int32]
    field: npt.NDArray[np.unsignedinteger]
    #: (rows, dimensions) of score code + 1; 0 when the dimension was not assessed.
    vetting: npt.NDArray[np.unsignedinteger]
    skill_count: npt.NDArray[np.int32]
    skill_refs: npt.NDArray[np.unsignedinteger]
    skill_pairs: npt.NDArray[np.unsignedinteger]

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def concat(cls, parts: list[Columns]) -> Columns:
        """All parts' rows, in order (an empty list gives no rows)."""
        if not parts:
            return ColumnBuilder(Tables()).finish()
        if len(parts) == 1:
            return parts[0]
        names = [f for f in cls.__dataclass_fields__]
        width = max(p.ids.dtype.itemsize for p in parts)
        merged = {n: np.concatenate([getattr(p, n) for p in parts]) for n in names if n != "ids"}
        ids = np.concatenate([p.ids.astype(f"S{max(width, 1)}") for p in parts])
        return cls(ids=ids, **merged)

    def take(self, rows: IntArray) -> Columns:
        """The given rows (in that order), skills included."""
        starts = np.zeros(len(self) + 1, dtype=np.int64)
        np.cumsum(self.skill_count, out=starts[1:])
        counts = self.skill_count[rows]
        entries = ranges(starts[rows], counts)
        return Columns(
            ids=self.ids[rows],
            track=self.track[rows],
            status=self.status[rows],
            seniority=self.seniority[rows],
            degree=self.degree[rows],
            hours=self.hours[rows],
            currency=self.currency[rows],
            rate=self.rate[rows],
            years=self.years[rows],
            timezone=self.timezone[rows],
            available=self.available[rows],
            field=self.field[rows],
            vetting=self.vetting[rows],
            skill_count=counts,
            skill_refs=self.skill_refs[entries],
            skill_pairs=self.skill_pairs[entries],
        )


def ranges(starts: IntArray, counts: npt.NDArray[np.integer]) -> IntArray:
    """Concatenated ``range(start, start + count)`` for each pair, vectorised."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts, dtype=np.int64)
    offsets = np.repeat(starts - (ends - counts), counts)
    return offsets + np.arange(total, dtype=np.int64)


class ColumnBuilder:
    """Appends profiles as rows; ``finish`` returns the ``Columns``.

    Validation happens here, once per candidate, so that ranking never meets a value it cannot
    score: unknown currencies or time zones, non-finite numbers and duplicate-prone ids raise
    ``ValidationFailed`` naming the candidate.
    """

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self._parts: list[Columns] = []
        self._reset()

    def _reset(self) -> None:
        self._ids: list[bytes] = []
        self._small: list[tuple[int, int, int, int, int, int, int, int, int]] = []
        self._floats: list[tuple[float, float]] = []
        self._vetting: list[int] = []
        self._counts: list[int] = []
        self._refs: list[int] = []
        self._pairs: list[int] = []

    def __len__(self) -> int:
        return sum(len(p) for p in self._parts) + len(self._ids)

    def add(self, c: CandidateProfile) -> None:
        ext = c.external_id
        track, status, seniority, degree = _checked_codes(c)
        hours, field = c.hours_per_week, c.field_of_study
        t = self.tables
        self._ids.append(ext.encode("utf-8"))
        self._small.append(
            (
                track,
                status,
                seniority,
                degree,
                hours,
                t.currencies.code(c.currency),
                t.timezones.code(c.timezone),
                c.available_from.toordinal(),
                t.fields.code(field),
            )
        )
        self._floats.append(
            (
                _finite(c.hourly_rate, "hourly_rate", ext),
                _finite(c.years_experience, "years_experience", ext),
            )
        )
        scores = c.vetting_scores
        vetting = self._vetting
        for dim in DIMENSIONS:
            score = scores.get(dim)
            if score is None:
                vetting.append(0)
            else:
                vetting.append(t.scores.code(_finite(score, f"vetting score {dim.value}", ext)) + 1)
        self._counts.append(len(c.skills))
        refs, pairs = self._refs, self._pairs
        for s in c.skills:
            last_used, years = s.last_used, s.years
            if last_used is not None and (isinstance(last_used, bool) or not isinstance(last_used, int)):
                raise ValidationFailed(f"candidate {ext}: last_used must be a year, got {last_used!r}")
            if not isinstance(s.skill.key, str):
                raise ValidationFailed(f"candidate {ext}: skill key must be text, got {s.skill.key!r}")
            refs.append(t.ref(s.skill))
            pairs.append(t.pair(_finite(years, "skill years", ext), last_used))
        if len(self._ids) >= _CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self._ids:
            return
        small = np.array(self._small, dtype=np.int64).reshape(-1, 9)
        floats = np.array(self._floats, dtype=np.float64).reshape(-1, 2)
        ids = np.array(self._ids, dtype=np.bytes_)
        self._parts.append(
            Columns(
                ids=ids if ids.dtype.itemsize else ids.astype("S1"),
                track=small[:, 0].astype(np.uint8),
                status=small[:, 1].astype(np.uint8),
                seniority=small[:, 2].astype(np.uint8),
                degree=small[:, 3].astype(np.uint8),
                hours=small[:, 4].astype(np.int16),
                currency=small[:, 5].astype(np.uint32),
                timezone=small[:, 6].astype(np.uint32),
                available=small[:, 7].astype(np.int32),
                field=small[:, 8].astype(np.uint32),
                rate=floats[:, 0].copy(),
                years=floats[:, 1].copy(),
                vetting=np.array(self._vetting, dtype=np.uint32).reshape(-1, len(DIMENSIONS)),
                skill_count=np.array(self._counts, dtype=np.int32),
                skill_refs=np.array(self._refs, dtype=np.uint32),
                skill_pairs=np.array(self._pairs, dtype=np.uint32),
            )
        )
        self._reset()

    def finish(self) -> Columns:
        """Every row added so far; the builder is empty afterwards."""
        self._flush()
        if not self._parts:
            self._parts.append(_empty_columns())
        parts, self._parts = self._parts, []
        return Columns.concat(parts)


def _empty_columns() -> Columns:
    def z(dtype: type[np.generic]) -> npt.NDArray[np.generic]:
        return np.zeros(0, dtype=dtype)

    return Columns(
        ids=np.zeros(0, dtype="S1"),
        track=z(np.uint8),  # type: ignore[arg-type]
        status=z(np.uint8),  # type: ignore[arg-type]
        seniority=z(np.uint8),  # type: ignore[arg-type]
        degree=z(np.uint8),  # type: ignore[arg-type]
        hours=z(np.int16),  # type: ignore[arg-type]
        currency=z(np.uint32),  # type: ignore[arg-type]
        rate=z(np.float64),  # type: ignore[arg-type]
        years=z(np.float64),  # type: ignore[arg-type]
        timezone=z(np.uint32),  # type: ignore[arg-type]
        available=z(np.int32),  # type: ignore[arg-type]
        field=z(np.uint32),  # type: ignore[arg-type]
        vetting=np.zeros((0, len(DIMENSIONS)), dtype=np.uint32),
        skill_count=z(np.int32),  # type: ignore[arg-type]
        skill_refs=z(np.uint32),  # type: ignore[arg-type]
        skill_pairs=z(np.uint32),  # type: ignore[arg-type]
    )


def decode(cols: Columns, row: int, skill_start: int, tables: Tables) -> CandidateProfile:
    """The profile stored at ``row`` (its skills start at entry ``skill_start``)."""
    t = tables
    count = int(cols.skill_count[row])
    skills = tuple(
        CandidateSkill(
            t.refs.values[int(ref)],
            t.years.values[t.pair_years[int(pair)]],
            t.last_used.values[t.pair_last_used[int(pair)]],
        )
        for ref, pair in zip(
            cols.skill_refs[skill_start : skill_start + count],
            cols.skill_pairs[skill_start : skill_start + count],
            strict=True,
        )
    )
    return CandidateProfile(
        external_id=bytes(cols.ids[row]).decode("utf-8"),
        track=TRACKS[cols.track[row]],
        seniority=SENIORITIES[cols.seniority[row]],
        years_experience=float(cols.years[row]),
        hourly_rate=float(cols.rate[row]),
        timezone=t.timezones.values[int(cols.timezone[row])],
        available_from=dt.date.fromordinal(int(cols.available[row])),
        skills=skills,
        vetting_status=STATUSES[cols.status[row]],
        vetting_scores={
            dim: t.scores.values[int(code) - 1]
            for dim, code in zip(DIMENSIONS, cols.vetting[row], strict=True)
            if code
        },
        currency=t.currencies.values[int(cols.currency[row])],
        hours_per_week=int(cols.hours[row]),
        degree=DEGREES[cols.degree[row]],
        field_of_study=t.fields.values[int(cols.field[row])],
    )


def _checked_codes(c: CandidateProfile) -> tuple[int, int, int, int]:
    """The candidate's track, vetting status, seniority and degree codes, once its scalar fields
    are checked: what the columns cannot encode is refused with the candidate's id."""
    ext = c.external_id
    if not isinstance(ext, str) or not ext or "\x00" in ext:
        raise ValidationFailed(f"candidate id {ext!r} must be a non-empty string without NUL")
    try:
        codes = (
            TRACK_CODE[c.track],
            STATUS_CODE[c.vetting_status],
            SENIORITY_CODE[c.seniority],
            DEGREE_CODE[c.degree],
        )
    except KeyError as exc:
        raise ValidationFailed(f"candidate {ext}: invalid value {exc.args[0]!r}") from None
    if c.currency not in CURRENCY_PER_USD:
        raise ValidationFailed(f"candidate {ext}: unsupported currency {c.currency!r}")
    if not (isinstance(c.timezone, str) and zone_ok(c.timezone)):
        raise ValidationFailed(f"candidate {ext}: unknown time zone {c.timezone!r}")
    hours = c.hours_per_week
    if (
        isinstance(hours, bool)
        or not isinstance(hours, int)
        or not (_HOURS_RANGE[0] <= hours <= _HOURS_RANGE[1])
    ):
        raise ValidationFailed(f"candidate {ext}: hours_per_week must be a small integer, got {hours!r}")
    field = c.field_of_study
    if field is not None and not isinstance(field, str):
        raise ValidationFailed(f"candidate {ext}: field_of_study must be text, got {field!r}")
    return codes
