"""Decisions as data for fitting a weight profile: outcomes per (requirement, candidate),
the profile in "expanded" terms (``theta``) and back, and the arrays the fit and the evaluation
work on (``Data``, the pairs of one requirement's decided candidates). See ``matcher.core.fitting``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from matcher.core import components as f
from matcher.core.pipeline import Stage
from matcher.core.profiles import WeightProfile, parse_profile
from matcher.core.types import Component
from matcher.schemas import Dimension

#: How far each stage got, for learning: a recruiter's rejection lowest, a client's decline next
#: (the recruiter thought the candidate good enough to present), then shortlisted or presented
#: without an answer yet, then each step of the client's interest up to a hire. ``None``: says
#: nothing about preference (triage in progress, or a withdrawal).
STAGE_GRADE: Mapping[Stage, int | None] = {
    Stage.new: None,
    Stage.reviewing: None,
    Stage.rejected: 0,
    Stage.declined_by_client: 1,
    Stage.shortlisted: 2,
    Stage.presented: 2,
    Stage.withdrawn: None,
    Stage.client_interested: 3,
    Stage.interview_requested: 4,
    Stage.offer: 5,
    Stage.hired: 6,
}
#: "Client interested or better": the outcome the recall counts.
RELEVANT_GRADE = 3

#: The fit refuses below this many decided (requirement, candidate) outcomes ...
MIN_OUTCOMES = 200
#: ... or below this many requirements with at least one informative pair.
MIN_REQUIREMENTS = 10
#: Share of the requirements (the latest by their first decision) held out for the evaluation.
TEST_SHARE = 0.25
#: Strength of the pull towards the current profile (on the mean pairwise log-loss).
REGULARISATION = 0.02
#: At most this many pairs are used (a seeded sample when there are more): the fit's memory
#: and time stay bounded whatever the size of the log.
MAX_PAIRS = 200_000
#: Bootstrap resamples of the requirements, for the intervals of each weight.
BOOTSTRAP = 100
#: The evaluation's cut-off.
AT = 10

FITTED_COMPONENTS: tuple[Component, ...] = tuple(c for c in Component if c is not Component.role_fit)
#: Names of the expanded parameters: components other than role fit, then every dimension.
FEATURES: tuple[str, ...] = (
    *(c.value for c in FITTED_COMPONENTS),
    *(f"role_fit.{d.value}" for d in Dimension),
)
_TRACK_PENALTY = f.TRACK_MISMATCH_POINTS / 100.0


@dataclass(frozen=True)
class Observation:
    """One decided (requirement, candidate): its outcome grade and the snapshot it was judged on.

    ``features`` are the expanded values with the must-have gate applied (see the module
    docstring), in ``FEATURES`` order; ``at`` is when it was first decided."""

    requirement: str
    at: dt.datetime
    grade: int
    features: tuple[float, ...]
    other_track: bool = False


def final_grade(stages: Iterable[str]) -> int | None:
    """The grade of the last stage reached that says something (``STAGE_GRADE``), or None."""
    grade = None
    for stage in stages:
        g = STAGE_GRADE.get(Stage(stage))
        if g is not None:
            grade = g
    return grade


def snapshot_features(
    components: Mapping[str, float], dimensions: Mapping[str, float]
) -> tuple[float, ...] | None:
    """The expanded features of a snapshot (component values 0..1, vetting scores 0-5), or None
    when a component is missing from it."""
    if any(c.value not in components for c in Component):
        return None
    gate = f.must_have_gate(float(components[Component.must_have.value]))
    dims = {Dimension(k): float(v) for k, v in dimensions.items() if k in Dimension.__members__}
    values = [gate * float(components[c.value]) for c in FITTED_COMPONENTS]
    values += [gate * f.dimension_value(dims, d) for d in Dimension]
    return tuple(values)


#: One decided (requirement, candidate) as logged: its decisions in time order, each
#: ``(at, to_stage, component values, vetting scores, other_track)``.
DecisionRows = Sequence[tuple[dt.datetime, str, Mapping[str, float], Mapping[str, float], bool]]


def observations_from_decisions(groups: Iterable[tuple[str, DecisionRows]]) -> list[Observation]:
    """Observations from logged decisions grouped per (requirement, candidate): the final grade,
    the snapshot of the decision that set it, and the time of the first decision. Groups with no
    grade or an incomplete snapshot are left out."""
    out = []
    for requirement, rows in groups:
        if not rows:
            continue
        grade: int | None = None
        snap: tuple[float, ...] | None = None
        other = False
        for _at, stage, comps, dims, other_track in rows:
            g = STAGE_GRADE.get(Stage(stage))
            if g is not None:
                grade, snap, other = g, snapshot_features(comps, dims), other_track
        if grade is not None and snap is not None:
            out.append(Observation(requirement, rows[0][0], grade, snap, other))
    return out


# --- the profile <-> expanded parameters ------------------------------------------------------


def theta_of(profile: WeightProfile) -> npt.NDArray[np.float64]:
    """The profile's expanded weights (a point of the simplex)."""
    rf = profile.components[Component.role_fit]
    return np.array(
        [profile.components[c] for c in FITTED_COMPONENTS] + [rf * profile.dimensions[d] for d in Dimension]
    )


def weights_of(
    theta: npt.NDArray[np.float64], current: WeightProfile
) -> tuple[dict[Component, float], dict[Dimension, float]]:
    """Component and dimension weights (each summing to 1) of expanded weights; with no weight
    on role fit at all the dimensions keep the current profile's."""
    theta = np.clip(np.asarray(theta, dtype=float), 0.0, None)
    theta = theta / theta.sum()
    k = len(FITTED_COMPONENTS)
    rf = float(theta[k:].sum())
    components = {c: float(theta[i]) for i, c in enumerate(FITTED_COMPONENTS)}
    components[Component.role_fit] = rf
    if rf > 0:
        dimensions = {d: float(theta[k + i]) / rf for i, d in enumerate(Dimension)}
    else:
        dimensions = dict(current.dimensions)
    return components, dimensions


def profile_of(
    theta: npt.NDArray[np.float64], current: WeightProfile, *, version: int | None = None
) -> WeightProfile:
    """The profile of expanded weights, named as ``current`` (at ``version``, default the next)."""
    components, dimensions = weights_of(theta, current)
    return parse_profile(
        {
            "name": current.name,
            "version": version if version is not None else current.version + 1,
            "track": current.track.value,
            "description": "fitted to decisions",
            "components": {c.value: v for c, v in components.items()},
            "dimensions": {d.value: v for d, v in dimensions.items()},
        },
        source="fitted profile",
    )


def profile_vector(profile: WeightProfile) -> list[float]:
    """Component weights then dimension weights, in enum order (what the intervals are on)."""
    return [profile.components[c] for c in Component] + [profile.dimensions[d] for d in Dimension]


PROFILE_KEYS: tuple[str, ...] = (*(c.value for c in Component), *(f"dimension.{d.value}" for d in Dimension))


# --- data as arrays ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Data:
    """Observations as arrays: features ``x`` (n x p), grades, other-track flags and requirement
    codes (0..m-1, in order of the requirements' first decision)."""

    x: npt.NDArray[np.float64]
    grade: npt.NDArray[np.int64]
    other: npt.NDArray[np.float64]
    group: npt.NDArray[np.int64]
    requirements: tuple[str, ...]

    @staticmethod
    def of(observations: Sequence[Observation]) -> Data:
        first: dict[str, dt.datetime] = {}
        for o in observations:
            if o.requirement not in first or o.at < first[o.requirement]:
                first[o.requirement] = o.at
        order = sorted(first, key=lambda r: (first[r], r))
        code = {r: i for i, r in enumerate(order)}
        p = len(FEATURES)
        x = np.array([o.features for o in observations], dtype=float).reshape(-1, p)
        return Data(
            x=x,
            grade=np.array([o.grade for o in observations], dtype=np.int64),
            other=np.array([1.0 if o.other_track else 0.0 for o in observations]),
            group=np.array([code[o.requirement] for o in observations], dtype=np.int64),
            requirements=tuple(order),
        )

    @cached_property
    def members(self) -> list[npt.NDArray[np.int64]]:
        """The observation indices of each requirement code (computed once)."""
        order = np.argsort(self.group, kind="stable")
        bounds = np.searchsorted(self.group[order], np.arange(len(self.requirements) + 1))
        return [order[bounds[c] : bounds[c + 1]] for c in range(len(self.requirements))]

    def subset(self, requirement_codes: npt.NDArray[np.int64]) -> Data:
        """The observations of the given requirement codes (a code may repeat: a bootstrap
        sample), each copy its own requirement."""
        parts = [self.members[c] for c in requirement_codes]
        idx = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        groups = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
        return Data(
            self.x[idx],
            self.grade[idx],
            self.other[idx],
            groups.astype(np.int64),
            tuple(self.requirements[c] for c in requirement_codes),
        )

    def scores(self, theta: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Scores 0-100 under expanded weights, as the scorer computes them."""
        return np.maximum(0.0, 100.0 * (np.einsum("ij,j->i", self.x, theta) - _TRACK_PENALTY * self.other))


def pairs(data: Data, rng: np.random.Generator, max_pairs: int = MAX_PAIRS) -> npt.NDArray[np.float64]:
    """Feature differences (better minus worse, the track penalty folded in) of every pair of
    one requirement's observations with different grades; a seeded sample of ``max_pairs`` when
    there are more (drawn among the pairs' indices, so only the sample's differences are built)."""
    better, worse = [], []
    for idx in data.members:
        if len(idx) < 2:
            continue
        g = data.grade[idx]
        i, j = np.nonzero(g[:, None] > g[None, :])
        better.append(idx[i])
        worse.append(idx[j])
    if not better:
        return np.zeros((0, len(FEATURES)))
    a, b = np.concatenate(better), np.concatenate(worse)
    if len(a) > max_pairs:
        keep = np.sort(rng.choice(len(a), size=max_pairs, replace=False))
        a, b = a[keep], b[keep]
    return data.x[a] - data.x[b] - _TRACK_PENALTY * (data.other[a] - data.other[b])[:, None]


def informative_requirements(data: Data) -> int:
    """Requirements with at least two different grades (at least one pair)."""
    return sum(1 for idx in data.members if len(idx) > 1 and data.grade[idx].min() < data.grade[idx].max())
