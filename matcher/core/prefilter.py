"""The cheap pre-filter on the hard filters that need no skills: rate, hours, start date, overlap.

It runs before the core's eligibility (``matcher.core.eligibility``) to skip candidates that
cannot pass, and may keep a candidate the core then excludes, never drop one the core would
keep: rates and overlaps are compared with ``PREFILTER_SLACK`` in the candidate's favour.

Each test takes plain numbers or numpy arrays alike (only arithmetic and comparisons), so the
scalar form (one candidate, ``runs.triggers``) and the vectorised form (a whole pool,
``services.matching.Pool.plausible`` and ``requirements.diagnosis``) are the same code.
"""

from __future__ import annotations

from typing import Any

from matcher.core.components import RATE_TOLERANCE

#: Slack of the pre-filter on rates (relative) and overlaps (hours).
PREFILTER_SLACK = 1e-6


def within_budget(rate_usd: Any, budget_usd: float) -> Any:
    """The rate (USD per hour) is within the budget and its tolerance."""
    return rate_usd <= budget_usd * (1.0 + RATE_TOLERANCE + PREFILTER_SLACK)


def enough_overlap(overlap: Any, needed: float) -> Any:
    """The working-hours overlap (hours) is at least what the requirement needs."""
    return overlap >= needed - PREFILTER_SLACK


def enough_hours(hours_per_week: Any, needed: int) -> Any:
    return hours_per_week >= needed


def available_in_time(available_ordinal: Any, start_by_ordinal: int) -> Any:
    """Available on or before the start date (dates as ``date.toordinal()``)."""
    return available_ordinal <= start_by_ordinal
