"""Judging a fitted profile offline: a time-ordered split of the requirements, NDCG@10 and the
recall of "client interested or better" on the held-out ones under the current and the proposed
profile, with a paired bootstrap interval of the NDCG difference (``evaluate``)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.core.fit_data import AT, RELEVANT_GRADE, TEST_SHARE, Data


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
