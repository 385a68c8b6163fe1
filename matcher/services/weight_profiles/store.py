"""Weight profiles in the database: versioned rows seeded from the core's shipped defaults.

A profile is identified by its name; every change writes a new row with the next version and
never edits an old one, so a match run (``MatchRunRequirement.weight_profile_id``) and a
shortlist entry keep pointing at the exact weights they were computed with. A requirement uses
its override (``Requirement.weight_profile_id``, any version of a name: the latest version of that
name applies) or else its track's default (the latest version of the name flagged ``is_default``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from matcher.core.profiles import WeightProfile, default_profiles, parse_profile
from matcher.core.types import Component
from matcher.errors import Conflict, NotFound, ValidationFailed
from matcher.models import WeightProfileRecord, utcnow
from matcher.models.tables import PROFILE
from matcher.models.tables import REQ as REQUIREMENT
from matcher.schemas import Dimension, RequirementStatus, Track


def dialect_insert(session: Session, table: Any) -> Any:
    """An INSERT with ``on_conflict_do_*`` for the session's backend (PostgreSQL or SQLite)."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise ValidationFailed(f"unsupported database backend {name!r}: use PostgreSQL or SQLite")


def to_core(record: WeightProfileRecord | Any) -> WeightProfile:
    """The core's profile for a row (a ``WeightProfileRecord`` or a selected row with its columns).

    Rows hold normalised weights; they are validated again but used exactly as stored, since
    normalising a second time could move the last digit of a score.
    """
    profile = parse_profile(
        {
            "name": record.name,
            "version": record.version,
            "track": record.track,
            "components": dict(record.components),
            "dimensions": dict(record.dimensions),
        },
        source=f"weight profile {record.name}@v{record.version}",
    )
    return profile.model_copy(
        update={
            "components": {
                **profile.components,
                **{Component(k): float(v) for k, v in record.components.items()},
            },
            "dimensions": {
                **profile.dimensions,
                **{Dimension(k): float(v) for k, v in record.dimensions.items()},
            },
        }
    )


def _row(profile: WeightProfile, *, is_default: bool, created_by: str) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "name": profile.name,
        "version": profile.version,
        "track": profile.track.value,
        "components": {k.value: v for k, v in profile.components.items()},
        "dimensions": {k.value: v for k, v in profile.dimensions.items()},
        "is_default": is_default,
        "created_by": created_by,
        "created_at": utcnow(),
    }


def ensure_default_profiles(session: Session) -> None:
    """Insert the shipped profiles that are missing (by name and version); idempotent and safe
    when several processes do it at once."""
    shipped = default_profiles()
    defaults = {shipped.defaults[t] for t in Track}
    present = {
        (name, version) for name, version in session.execute(select(PROFILE.c.name, PROFILE.c.version))
    }
    rows = [
        _row(p, is_default=p.name in defaults, created_by="system")
        for p in shipped.profiles
        if (p.name, p.version) not in present
    ]
    if rows:
        stmt = dialect_insert(session, PROFILE).values(rows)
        session.execute(stmt.on_conflict_do_nothing(index_elements=["name", "version"]))


def get_record(session: Session, profile_id: uuid.UUID) -> WeightProfileRecord:
    record = session.get(WeightProfileRecord, profile_id)
    if record is None:
        raise NotFound(f"weight profile {profile_id} not found")
    return record


def latest_version(session: Session, name: str) -> WeightProfileRecord:
    record = session.scalars(
        select(WeightProfileRecord)
        .where(WeightProfileRecord.name == name)  # type: ignore[arg-type]
        .order_by(WeightProfileRecord.version.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).first()
    if record is None:
        raise NotFound(f"weight profile {name!r} not found")
    return record


def list_records(session: Session, *, all_versions: bool = False) -> list[WeightProfileRecord]:
    """Every profile (latest version of each name unless ``all_versions``), by track and name."""
    ensure_default_profiles(session)
    records = list(
        session.scalars(
            select(WeightProfileRecord).order_by(PROFILE.c.track, PROFILE.c.name, PROFILE.c.version.desc())
        )
    )
    if all_versions:
        return records
    seen: set[str] = set()
    latest = []
    for r in records:
        if r.name not in seen:
            seen.add(r.name)
            latest.append(r)
    return latest


class _Catalogue:
    """Every profile row, indexed for resolving many requirements at once (the table is small)."""

    def __init__(self, rows: Iterable[Any]) -> None:
        self.by_id: dict[uuid.UUID, Any] = {}
        self.latest: dict[str, Any] = {}
        self.default: dict[str, Any] = {}
        for r in rows:
            self.by_id[r.id] = r
            if r.name not in self.latest or r.version > self.latest[r.name].version:
                self.latest[r.name] = r
        for r in self.latest.values():
            if r.is_default:
                current = self.default.get(r.track)
                if current is None or r.created_at > current.created_at:
                    self.default[r.track] = r

    def effective(self, track: str, override: uuid.UUID | None) -> Any:
        if override is not None:
            pinned = self.by_id.get(override)
            if pinned is None:
                raise NotFound(f"weight profile {override} not found")
            record = self.latest[pinned.name]
        else:
            record = self.default.get(track)
            if record is None:
                raise NotFound(f"no default weight profile for the {track} track")
        if record.track != track:
            raise ValidationFailed(
                f"weight profile {record.name} is for the {record.track} track, requirement is {track}"
            )
        return record


def _catalogue(session: Session) -> _Catalogue:
    ensure_default_profiles(session)
    return _Catalogue(session.execute(select(PROFILE)).all())


def effective_profile_ids(
    session: Session, requirement_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """Requirement id -> id of the profile row it is matched with now (set-based)."""
    catalogue = _catalogue(session)
    out: dict[uuid.UUID, uuid.UUID] = {}
    for i in range(0, len(requirement_ids), 1000):
        chunk = requirement_ids[i : i + 1000]
        rows = session.execute(
            select(REQUIREMENT.c.id, REQUIREMENT.c.track, REQUIREMENT.c.weight_profile_id).where(
                REQUIREMENT.c.id.in_(chunk)
            )
        )
        for rid, track, override in rows:
            out[rid] = catalogue.effective(track, override).id
    return out


def effective_profile(session: Session, requirement_id: uuid.UUID) -> WeightProfileRecord:
    """The profile a requirement is matched with now: its override's latest version, or its
    track's default."""
    ids = effective_profile_ids(session, [requirement_id])
    if requirement_id not in ids:
        raise NotFound(f"requirement {requirement_id} not found")
    return get_record(session, ids[requirement_id])


def write_version(
    session: Session,
    name: str,
    *,
    components: Mapping[str, float],
    dimensions: Mapping[str, float],
    track: Track | str | None = None,
    make_default: bool | None = None,
    created_by: str = "system",
) -> WeightProfileRecord:
    """Write the next version of profile ``name`` (version 1 of a new name, which needs ``track``).

    Weights are validated and normalised by the core. The new version inherits ``is_default``
    from the previous one unless ``make_default`` says otherwise; making a profile the default
    of its track clears the flag of the track's other names. Old rows are never changed
    otherwise. Callers start the re-match with ``triggers.on_profile_changed``.
    """
    ensure_default_profiles(session)
    previous = session.scalars(
        select(WeightProfileRecord)
        .where(WeightProfileRecord.name == name)  # type: ignore[arg-type]
        .order_by(WeightProfileRecord.version.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).first()
    if previous is None and track is None:
        raise ValidationFailed(f"weight profile {name!r} is new: give its track")
    track_value = Track(track).value if track is not None else previous.track  # type: ignore[union-attr]
    if previous is not None and previous.track != track_value:
        raise ValidationFailed(
            f"weight profile {name!r} is for the {previous.track} track, not {track_value}"
        )
    profile = parse_profile(
        {
            "name": name,
            "version": (previous.version + 1) if previous else 1,
            "track": track_value,
            "components": dict(components),
            "dimensions": dict(dimensions),
        },
        source="weight profile",
    )
    is_default = make_default if make_default is not None else bool(previous and previous.is_default)
    if make_default:
        session.execute(
            update(PROFILE)
            .where(PROFILE.c.track == track_value, PROFILE.c.name != name)
            .values(is_default=False)
        )
    row = _row(profile, is_default=is_default, created_by=created_by)
    try:
        with session.begin_nested():
            session.execute(PROFILE.insert().values(row))
    except IntegrityError:
        raise Conflict(f"weight profile {name!r} was changed concurrently; retry") from None
    return get_record(session, row["id"])


def requirements_using(session: Session, profile_id_or_track: uuid.UUID | Track | str) -> list[uuid.UUID]:
    """Open requirements whose effective profile is the given profile's name (any version), or,
    given a track, every open requirement of that track that uses the track's default."""
    catalogue = _catalogue(session)
    if isinstance(profile_id_or_track, uuid.UUID):
        record = catalogue.by_id.get(profile_id_or_track)
        if record is None:
            raise NotFound(f"weight profile {profile_id_or_track} not found")
        names, track = {record.name}, record.track
    else:
        try:
            track = Track(profile_id_or_track).value
        except ValueError:
            raise ValidationFailed(f"unknown track {profile_id_or_track!r}") from None
        default = catalogue.default.get(track)
        names = {default.name} if default is not None else set()
    rows = session.execute(
        select(REQUIREMENT.c.id, REQUIREMENT.c.weight_profile_id)
        .where(REQUIREMENT.c.status == RequirementStatus.open.value, REQUIREMENT.c.track == track)
        .order_by(REQUIREMENT.c.created_at, REQUIREMENT.c.id)
    )
    return [rid for rid, override in rows if catalogue.effective(track, override).name in names]
