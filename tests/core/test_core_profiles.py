"""Weight profiles: the shipped defaults and the validation of profile data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from matcher.core import Component, default_profile, default_profiles, load_profile, parse_profile
from matcher.core.profiles import load_profile_set
from matcher.errors import ValidationFailed
from matcher.schemas import Dimension, Track
from tests.core.core_builders import DESIGN, EXECUTION


def top_dimensions(track: Track, n: int = 5) -> set[Dimension]:
    weights = default_profile(track).dimensions
    return set(sorted(weights, key=lambda d: -weights[d])[:n])


@pytest.mark.parametrize("track", list(Track))
def test_defaults_are_normalised_and_for_their_track(track: Track) -> None:
    profile = default_profile(track)
    assert profile.track is track
    assert sum(profile.components.values()) == pytest.approx(1.0)
    assert sum(profile.dimensions.values()) == pytest.approx(1.0)
    assert set(profile.components) == set(Component)
    assert set(profile.dimensions) == set(Dimension)


def test_engineer_weights_design_and_developer_weights_execution() -> None:
    assert top_dimensions(Track.engineer) == set(DESIGN)
    assert top_dimensions(Track.developer) == set(EXECUTION)
    engineer, developer = default_profile(Track.engineer), default_profile(Track.developer)
    for profile in (engineer, developer):
        assert profile.dimensions[Dimension.communication] > 0
    assert engineer.components[Component.role_fit] > developer.components[Component.role_fit]
    assert developer.components[Component.must_have] > engineer.components[Component.must_have]
    assert developer.components[Component.availability] > engineer.components[Component.availability]


def raw_profile(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "custom",
        "version": 2,
        "track": "engineer",
        "components": {"must_have": 2, "role_fit": 2},
        "dimensions": {"system_design": 1, "communication": 3},
    }
    data.update(changes)
    return data


def test_weights_are_normalised_and_missing_keys_weigh_nothing() -> None:
    profile = parse_profile(raw_profile())
    assert profile.label == "custom@v2"
    assert profile.components[Component.must_have] == 0.5
    assert profile.components[Component.rate] == 0.0
    assert profile.dimensions[Dimension.communication] == 0.75


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"components": {"must_have": -1, "role_fit": 2}}, "must be a finite number >= 0"),
        ({"components": {"must_have": 0}}, "at least one weight must be positive"),
        ({"dimensions": {"charisma": 1}}, "dimensions.charisma"),
        ({"components": {"salary": 1}}, "components.salary"),
        ({"track": "tester"}, "track"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_invalid_profiles_name_the_problem(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        parse_profile(raw_profile(**changes))


def test_load_profile_from_file(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(raw_profile()))
    assert load_profile(path).name == "custom"
    path.write_text("{not json")
    with pytest.raises(ValidationFailed, match="invalid JSON at line 1"):
        load_profile(path)
    with pytest.raises(ValidationFailed, match="cannot read"):
        load_profile(tmp_path / "absent.json")


def test_profile_set_needs_a_default_per_track(tmp_path: Path) -> None:
    shipped = default_profiles().model_dump(mode="json")
    path = tmp_path / "set.json"
    path.write_text(json.dumps(shipped))
    assert load_profile_set(path).default_for(Track.developer).name == "backend-developer"
    broken = dict(shipped, defaults={"engineer": "backend-developer", "developer": "x"})
    path.write_text(json.dumps(broken))
    with pytest.raises(ValidationFailed, match="not a profile of the engineer track"):
        load_profile_set(path)


def test_latest_version_is_the_default() -> None:
    shipped = default_profiles()
    newer = shipped.profiles[0].model_copy(update={"version": 7})
    bigger = shipped.model_copy(update={"profiles": [*shipped.profiles, newer]})
    assert bigger.get(newer.name).version == 7
    assert bigger.get(newer.name, 1).version == 1
    with pytest.raises(ValidationFailed, match="no weight profile"):
        bigger.get("absent")
