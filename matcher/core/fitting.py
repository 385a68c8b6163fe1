"""Fitting a weight profile to recruiters' and clients' decisions, and judging it offline.

The score is linear in the profile once it is written in "expanded" terms: with component
weights ``w`` and dimension weights ``u``, role fit is ``sum_d u_d * dim_d``, so

    score = 100 * gate * (sum_{c != role_fit} w_c * v_c + sum_d (w_role_fit * u_d) * dim_d)
            - 15 * other_track

and ``theta = (w_c for c != role_fit, w_role_fit * u_d for every dimension)`` is a point of the
simplex (non-negative, summing to 1) that maps back to exactly one profile. The fit is a pairwise
logistic regression: within each requirement, for each pair of decided candidates where one got
further than the other, ``P(better ranked above) = sigmoid(beta * (score_better - score_worse) /
100)``. It is solved over ``phi = beta * theta >= 0`` with scipy's bounded L-BFGS-B, plus a
penalty ``REGULARISATION * |theta - theta_current|^2`` that keeps the direction near the current
profile when the decisions say little. The fitted profile is therefore in the profile's own terms:
non-negative, normalised, readable.

Decisions become outcomes per (requirement, candidate): the grade of the last stage it reached
(``STAGE_GRADE``; a withdrawal says nothing about preference and keeps the grade before it).
The offline evaluation splits requirements by time (the earliest ``1 - TEST_SHARE`` to fit, the
latest to judge) and compares NDCG@10 and the recall of "client interested or better" under the
current and the proposed profile on the held-out requirements, with a paired bootstrap interval
of the NDCG difference: the proposal "beats" the current profile only when that interval lies
above zero. Everything random is seeded.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from matcher.core import components as f
from matcher.core.pipeline import Stage
from matcher.core.profiles import WeightProfile, parse_profile
from matcher.core.types import Component
from matcher.errors import Conflict
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


class NotEnoughDecisions(Conflict):
    """Too few decisions to fit a profile on (the minimum is stated in the message)."""


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


# --- the fit ----------------------------------------------------------------------------------


def _solve(
    diffs: npt.NDArray[np.float64], theta0: npt.NDArray[np.float64], start: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """``phi >= 0`` minimising the mean pairwise log-loss plus the pull of ``phi / sum(phi)``
    towards ``theta0``; returns ``phi``."""
    n = max(len(diffs), 1)
    # einsum rather than ``@``: a matrix-vector product through a multi-threaded BLAS is ~20x
    # slower on a busy machine (its threads fight the other processes for the cores).

    def objective(phi: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
        z = np.einsum("ij,j->i", diffs, phi)
        loss = float(np.logaddexp(0.0, -z).sum()) / n
        grad = -np.einsum("ij,i->j", diffs, 0.5 * (1.0 - np.tanh(0.5 * z))) / n  # sigmoid(-z), no overflow
        s = float(phi.sum())
        theta = phi / s
        g_theta = 2.0 * REGULARISATION * (theta - theta0)
        loss += REGULARISATION * float(((theta - theta0) ** 2).sum())
        grad = grad + (g_theta - float(g_theta @ theta)) / s
        return loss, grad

    bounds = [(1e-9, 1e4)] * len(theta0)
    result = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=bounds)
    phi: npt.NDArray[np.float64] = result.x
    return phi


@dataclass(frozen=True)
class WeightInterval:
    key: str
    current: float
    proposed: float
    low: float
    high: float


@dataclass(frozen=True)
class Metrics:
    ndcg: float
    recall: float
    requirements: int


@dataclass(frozen=True)
class Evaluation:
    """The held-out comparison: current vs proposed, side by side."""

    train_requirements: int
    test_requirements: int
    current: Metrics
    proposed: Metrics
    ndcg_gain: float
    ndcg_gain_low: float
    ndcg_gain_high: float
    beats_current: bool
    verdict: str


@dataclass(frozen=True)
class Fit:
    """A proposed profile with its uncertainty and its offline evaluation."""

    track: str
    current: WeightProfile
    proposed: WeightProfile
    outcomes: int
    pairs: int
    intervals: list[WeightInterval]
    evaluation: Evaluation
    scale: float = field(default=0.0)
    """``beta``: how sharply the decisions follow score differences (0: not at all)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "track": self.track,
            "current": self.current.label,
            "proposed": {
                "components": {c.value: v for c, v in self.proposed.components.items()},
                "dimensions": {d.value: v for d, v in self.proposed.dimensions.items()},
            },
            "outcomes": self.outcomes,
            "pairs": self.pairs,
            "scale": self.scale,
            "intervals": [i.__dict__ for i in self.intervals],
            "evaluation": {
                **{k: v for k, v in self.evaluation.__dict__.items() if k not in ("current", "proposed")},
                "current": self.evaluation.current.__dict__,
                "proposed": self.evaluation.proposed.__dict__,
            },
            "settings": {
                "min_outcomes": MIN_OUTCOMES,
                "min_requirements": MIN_REQUIREMENTS,
                "test_share": TEST_SHARE,
                "regularisation": REGULARISATION,
                "at": AT,
            },
        }


def fit_theta(
    data: Data, current: WeightProfile, rng: np.random.Generator, *, max_pairs: int = MAX_PAIRS
) -> tuple[npt.NDArray[np.float64], float, int]:
    """Expanded weights fitted to ``data`` (regularised toward ``current``), the scale beta and
    the number of pairs used."""
    theta0 = theta_of(current)
    diffs = pairs(data, rng, max_pairs)
    if len(diffs) == 0:
        return theta0, 0.0, 0
    phi = _solve(diffs, theta0, theta0 * 10.0)
    scale = float(phi.sum())
    return phi / scale, scale, len(diffs)


def check_enough(
    data: Data, min_outcomes: int = MIN_OUTCOMES, min_requirements: int = MIN_REQUIREMENTS
) -> None:
    """``NotEnoughDecisions`` unless there are enough outcomes and informative requirements."""
    n, m = len(data.grade), informative_requirements(data)
    if n < min_outcomes or m < min_requirements:
        raise NotEnoughDecisions(
            f"too few decisions to fit: {n} decided candidates over {m} requirements with a "
            f"preference between candidates; the fit needs at least {min_outcomes} decided "
            f"candidates and {min_requirements} such requirements"
        )


def time_split(data: Data, test_share: float = TEST_SHARE) -> tuple[Data, Data]:
    """The earliest requirements (by first decision) to fit, the latest to judge."""
    m = len(data.requirements)
    n_test = min(m - 1, max(1, math.ceil(m * test_share)))
    codes = np.arange(m)
    return data.subset(codes[: m - n_test]), data.subset(codes[m - n_test :])


def ndcg_at(grades_in_order: Sequence[int], k: int = AT) -> float | None:
    """NDCG@k of grades in ranked order (gain ``2^g - 1``), None when nothing has any gain."""
    gains = [2.0**g - 1.0 for g in grades_in_order]
    ideal = sorted(gains, reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    if idcg <= 0:
        return None
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains[:k])) / idcg


def recall_at(grades_in_order: Sequence[int], k: int = AT, relevant: int = RELEVANT_GRADE) -> float | None:
    """Share of the "client interested or better" found in the first k, None when there is none."""
    total = sum(1 for g in grades_in_order if g >= relevant)
    if total == 0:
        return None
    return sum(1 for g in grades_in_order[:k] if g >= relevant) / total


def _ranked_grades(data: Data, theta: npt.NDArray[np.float64]) -> list[list[int]]:
    """Per requirement, the grades ordered by score under ``theta`` (ties by input order)."""
    scores = data.scores(theta)
    out = []
    for idx in data.members:
        order = idx[np.lexsort((idx, -np.round(scores[idx], 9)))]
        out.append([int(g) for g in data.grade[order]])
    return out


def per_requirement(
    data: Data, theta: npt.NDArray[np.float64]
) -> tuple[list[float | None], list[float | None]]:
    """NDCG@10 and recall@10 of each requirement under ``theta`` (None where undefined)."""
    ranked = _ranked_grades(data, theta)
    return [ndcg_at(g) for g in ranked], [recall_at(g) for g in ranked]


def _mean(values: Iterable[float | None]) -> tuple[float, int]:
    kept = [v for v in values if v is not None]
    return (float(np.mean(kept)) if kept else 0.0), len(kept)


def evaluate(
    train: Data,
    test: Data,
    current: npt.NDArray[np.float64],
    proposed: npt.NDArray[np.float64],
    rng: np.random.Generator,
    resamples: int = 1000,
) -> Evaluation:
    """Held-out NDCG@10 and recall@10 under both weightings, and a paired bootstrap interval
    (95%) of the NDCG gain over the held-out requirements."""
    nd_c, re_c = per_requirement(test, current)
    nd_p, re_p = per_requirement(test, proposed)
    paired = np.array([(p - c) for c, p in zip(nd_c, nd_p, strict=True) if c is not None and p is not None])
    gain = float(paired.mean()) if len(paired) else 0.0
    if len(paired) > 1:
        means = paired[rng.integers(0, len(paired), size=(resamples, len(paired)))].mean(axis=1)
        low, high = (float(v) for v in np.percentile(means, [2.5, 97.5]))
    else:
        low, high = gain, gain
    beats = len(paired) > 1 and low > 0
    (ndcg_c, n), (recall_c, _) = _mean(nd_c), _mean(re_c)
    (ndcg_p, _), (recall_p, _) = _mean(nd_p), _mean(re_p)
    if beats:
        verdict = (
            f"the proposed weights beat the current profile on {n} held-out requirements: "
            f"NDCG@{AT} {ndcg_p:.3f} vs {ndcg_c:.3f} "
            f"(gain {gain:+.3f}, 95% interval {low:+.3f} to {high:+.3f})"
        )
    else:
        verdict = (
            f"the proposed weights do not beat the current profile on {n} held-out requirements: "
            f"NDCG@{AT} {ndcg_p:.3f} vs {ndcg_c:.3f} (gain {gain:+.3f}, 95% interval {low:+.3f} to "
            f"{high:+.3f} includes no gain); keep the current profile"
        )
    return Evaluation(
        train_requirements=len(train.requirements),
        test_requirements=len(test.requirements),
        current=Metrics(ndcg_c, recall_c, n),
        proposed=Metrics(ndcg_p, recall_p, n),
        ndcg_gain=gain,
        ndcg_gain_low=low,
        ndcg_gain_high=high,
        beats_current=beats,
        verdict=verdict,
    )


def bootstrap_intervals(
    data: Data,
    current: WeightProfile,
    proposed: WeightProfile,
    rng: np.random.Generator,
    resamples: int = BOOTSTRAP,
    *,
    max_pairs: int = MAX_PAIRS,
) -> list[WeightInterval]:
    """95% percentile intervals of every weight (profile terms), refitting on requirements
    resampled with replacement."""
    m = len(data.requirements)
    samples = []
    for _ in range(resamples):
        sample = data.subset(rng.integers(0, m, size=m))
        theta, _, _ = fit_theta(sample, current, rng, max_pairs=max_pairs)
        samples.append(profile_vector(profile_of(theta, current)))
    arr = np.array(samples).reshape(-1, len(PROFILE_KEYS))
    cur, prop = profile_vector(current), profile_vector(proposed)
    out = []
    for i, key in enumerate(PROFILE_KEYS):
        low, high = (
            (float(v) for v in np.percentile(arr[:, i], [2.5, 97.5])) if resamples else (prop[i], prop[i])
        )
        out.append(WeightInterval(key, cur[i], prop[i], low, high))
    return out


def fit_profile(
    observations: Sequence[Observation],
    current: WeightProfile,
    *,
    seed: int = 0,
    bootstrap: int = BOOTSTRAP,
    min_outcomes: int = MIN_OUTCOMES,
    min_requirements: int = MIN_REQUIREMENTS,
    max_pairs: int = MAX_PAIRS,
) -> Fit:
    """Fit a profile for ``current``'s track on the earlier requirements, judge it on the later
    ones against ``current``, and bootstrap its weights. Refuses (``NotEnoughDecisions``) below
    the minimum. The proposal is exactly what was judged: the weights fitted on the training part.

    BLAS runs on one thread here: the problems are small (tens of parameters) and a BLAS that
    spreads each tiny step over busy cores is ~20x slower than one thread."""
    with threadpool_limits(limits=1):
        return _fit_profile(observations, current, seed, bootstrap, min_outcomes, min_requirements, max_pairs)


def _fit_profile(
    observations: Sequence[Observation],
    current: WeightProfile,
    seed: int,
    bootstrap: int,
    min_outcomes: int,
    min_requirements: int,
    max_pairs: int,
) -> Fit:
    data = Data.of(observations)
    check_enough(data, min_outcomes, min_requirements)
    rng = np.random.default_rng(seed)
    train, test = time_split(data)
    theta, scale, n_pairs = fit_theta(train, current, rng, max_pairs=max_pairs)
    proposed = profile_of(theta, current)
    evaluation = evaluate(train, test, theta_of(current), theta_of(proposed), rng)
    intervals = bootstrap_intervals(train, current, proposed, rng, bootstrap, max_pairs=max_pairs)
    return Fit(
        track=current.track.value,
        current=current,
        proposed=proposed,
        outcomes=len(data.grade),
        pairs=n_pairs,
        intervals=intervals,
        evaluation=evaluation,
        scale=scale,
    )
