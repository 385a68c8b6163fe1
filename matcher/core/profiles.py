"""Weight profiles: how much each component and each vetting dimension counts, per track.

Profiles are data (``default_profiles.json`` beside this module): named, versioned, one default
per track, and replaceable per requirement. The defaults follow the seed description of the two
roles. A backend *engineer* "creates the design of a software application", "sets the team's
foundations", guarantees "a secured design", builds "data storage solutions", optimises "for
stability and speed", and "communicates with the organisation's directors": role fit (with
system design, architecture, security, data modelling and performance on top), seniority and
experience weigh more. A backend *developer* "is accountable for running the backend engineer's
plans", "writing the APIs and web services", "integrating data sources", "writing clean and
maintainable code", with "a more immediate deployment": the concrete stack (must-haves),
overlap and early availability weigh more, and role fit leans on API implementation,
integration, code quality, testing and delivery. Communication counts for both.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from matcher.core.types import Component
from matcher.errors import ValidationFailed
from matcher.json_records import validation_errors
from matcher.schemas import Dimension, Track

K = TypeVar("K", Component, Dimension)

DEFAULT_PROFILES_RESOURCE = "default_profiles.json"


def _normalised(weights: dict[K, float], keys: type[K]) -> dict[K, float]:
    for key, weight in weights.items():
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"weight of {key.value} must be a finite number >= 0, got {weight}")
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("at least one weight must be positive")
    return {key: weights.get(key, 0.0) / total for key in keys}


class WeightProfile(BaseModel):
    """Component and dimension weights for one track; both sets are normalised to sum to 1.

    Unknown keys are errors; a key left out weighs 0.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    version: int = Field(ge=1)
    track: Track
    description: str = Field(default="", max_length=1000)
    components: dict[Component, float]
    dimensions: dict[Dimension, float]

    @field_validator("components")
    @classmethod
    def _components(cls, v: dict[Component, float]) -> dict[Component, float]:
        return _normalised(v, Component)

    @field_validator("dimensions")
    @classmethod
    def _dimensions(cls, v: dict[Dimension, float]) -> dict[Dimension, float]:
        return _normalised(v, Dimension)

    @property
    def label(self) -> str:
        return f"{self.name}@v{self.version}"


class ProfileSet(BaseModel):
    """The contents of a profiles file: every profile, and the default name per track."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    defaults: dict[Track, str]
    profiles: list[WeightProfile] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> ProfileSet:
        seen = set()
        for p in self.profiles:
            if (p.name, p.version) in seen:
                raise ValueError(f"profile {p.label} is defined twice")
            seen.add((p.name, p.version))
        for track in Track:
            name = self.defaults.get(track)
            if name is None:
                raise ValueError(f"no default profile for track {track.value}")
            tracks = {p.track for p in self.profiles if p.name == name}
            if tracks != {track}:
                raise ValueError(f"default {name!r} is not a profile of the {track.value} track")
        return self

    def get(self, name: str, version: int | None = None) -> WeightProfile:
        """The named profile, at ``version`` or else its latest version."""
        found = [p for p in self.profiles if p.name == name and version in (None, p.version)]
        if not found:
            at = "" if version is None else f" version {version}"
            raise ValidationFailed(f"no weight profile {name!r}{at}")
        return max(found, key=lambda p: p.version)

    def default_for(self, track: Track) -> WeightProfile:
        return self.get(self.defaults[track])


def _parse(model: type[BaseModel], data: Any, source: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = validation_errors(exc, None)
        raise ValidationFailed(f"{source}: {errors[0]}", errors) from exc


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValidationFailed(f"{path}: cannot read ({exc.strerror})") from exc
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from exc


def parse_profile(data: Any, source: str = "profile") -> WeightProfile:
    """Validate one profile given as decoded JSON; errors name the field."""
    profile: WeightProfile = _parse(WeightProfile, data, source)
    return profile


def load_profile(path: Path) -> WeightProfile:
    """One profile from a JSON file (the shape of an entry of ``default_profiles.json``)."""
    return parse_profile(_read_json(path), str(path))


def load_profile_set(path: Path) -> ProfileSet:
    profile_set: ProfileSet = _parse(ProfileSet, _read_json(path), str(path))
    return profile_set


@lru_cache(maxsize=1)
def default_profiles() -> ProfileSet:
    """The profiles shipped with talentmatch."""
    text = files("matcher.core").joinpath(DEFAULT_PROFILES_RESOURCE).read_text(encoding="utf-8")
    profile_set: ProfileSet = _parse(ProfileSet, json.loads(text), DEFAULT_PROFILES_RESOURCE)
    return profile_set


def default_profile(track: Track) -> WeightProfile:
    """The default weight profile of a track."""
    return default_profiles().default_for(track)
