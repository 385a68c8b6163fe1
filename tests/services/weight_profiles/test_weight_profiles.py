"""Weight profiles in the database: seeded defaults, versions, the effective profile."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from matcher.core import default_profile
from matcher.errors import NotFound, ValidationFailed
from matcher.models import WeightProfileRecord
from matcher.schemas import Track
from matcher.services.weight_profiles import store as profiles

PROFILE = WeightProfileRecord.__table__  # type: ignore[attr-defined]


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(PROFILE)) or 0)


def test_the_shipped_defaults_are_seeded_once_and_read_back_exactly(session: Session) -> None:
    profiles.ensure_default_profiles(session)
    seeded = count(session)
    profiles.ensure_default_profiles(session)
    session.commit()
    assert count(session) == seeded >= 2
    for track in Track:
        record = next(p for p in profiles.list_records(session) if p.is_default and p.track == track.value)
        stored = profiles.to_core(record).model_dump(exclude={"description"})
        assert (record.version, stored) == (1, default_profile(track).model_dump(exclude={"description"}))


def test_a_change_is_a_new_version_and_the_old_row_stays(session: Session, requirement: Any) -> None:
    profiles.ensure_default_profiles(session)
    track = Track(requirement.track)
    v1 = profiles.effective_profile(session, requirement.id)
    v2 = profiles.write_version(
        session, v1.name, components={"must_have": 3, "rate": 1}, dimensions={"communication": 1}
    )
    session.commit()
    assert (v2.version, v2.is_default, v2.track) == (2, True, track.value)
    assert v2.components["must_have"] == 0.75 and v2.components["role_fit"] == 0.0
    assert profiles.get_record(session, v1.id).components == v1.components
    assert profiles.effective_profile(session, requirement.id).id == v2.id
    assert profiles.latest_version(session, v1.name).id == v2.id
    assert [p.version for p in profiles.list_records(session, all_versions=True) if p.name == v1.name] == [
        2,
        1,
    ]


def test_an_override_follows_its_name_and_a_new_default_takes_over_the_track(
    session: Session, requirement: Any
) -> None:
    track = Track(requirement.track)
    weights = {"components": {"must_have": 1}, "dimensions": {"delivery": 1}}
    custom = profiles.write_version(session, "fintech-strict", track=track, **weights)
    requirement.weight_profile_id = custom.id
    session.flush()
    newer = profiles.write_version(session, "fintech-strict", **weights)
    assert profiles.effective_profile(session, requirement.id).id == newer.id
    assert profiles.requirements_using(session, custom.id) == [requirement.id]
    assert profiles.requirements_using(session, track) == []
    requirement.weight_profile_id = None
    session.flush()
    default = profiles.write_version(session, "house-style", track=track, make_default=True, **weights)
    assert profiles.effective_profile(session, requirement.id).id == default.id
    assert profiles.requirements_using(session, track.value) == [requirement.id]


@pytest.mark.parametrize(
    ("name", "kwargs", "error"),
    [
        ("brand-new", {}, ValidationFailed),
        ("brand-new", {"track": "sales"}, ValueError),
        ("backend-developer", {"track": Track.engineer}, ValidationFailed),
        ("Bad Name", {"track": Track.engineer}, ValidationFailed),
    ],
)
def test_invalid_versions_are_refused(
    session: Session, name: str, kwargs: dict[str, Any], error: type
) -> None:
    with pytest.raises(error):
        profiles.write_version(
            session, name, components={"must_have": 1}, dimensions={"delivery": 1}, **kwargs
        )


def test_unknown_weights_are_refused_with_the_field(session: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        profiles.write_version(
            session, "backend-developer", components={"charisma": 1}, dimensions={"delivery": 1}
        )
    assert caught.value.errors and "components" in caught.value.errors[0].field


def test_an_unknown_profile_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        profiles.latest_version(session, "nope")
