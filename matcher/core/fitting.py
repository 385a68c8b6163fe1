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

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from matcher.core.fit_data import (
    AT,
    BOOTSTRAP,
    MAX_PAIRS,
    MIN_OUTCOMES,
    MIN_REQUIREMENTS,
    PROFILE_KEYS,
    REGULARISATION,
    TEST_SHARE,
    Data,
    Observation,
    informative_requirements,
    pairs,
    profile_of,
    profile_vector,
    theta_of,
)
from matcher.core.fit_evaluation import Evaluation, evaluate, time_split
from matcher.core.profiles import WeightProfile
from matcher.errors import Conflict


class NotEnoughDecisions(Conflict):
    """Too few decisions to fit a profile on (the minimum is stated in the message)."""


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
