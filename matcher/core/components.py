"""Every scoring formula, in one place, as closed-form functions of numbers.

Each component maps candidate features and requirement parameters to a value in 0..1 using only
arithmetic, min/max/clip and exp, so that a vectorised index can compute the same numbers over a
whole pool with array operations and masks. Nothing here reads the clock, a file or a taxonomy:
``today`` and the relation credits are arguments.

Skills are scored per required skill::

    credit(req) = max over candidate skills s of
                  relation_credit(req, s) * years_factor(s.years, req.min_years)
                  * recency_factor(s.last_used, today.year)

(0 when the candidate has no equal or related skill: the skill is *missing*). The must-have and
nice-to-have components average those credits. The total is ``100 * sum(weight * value)``
scaled down by the must-have shortfall gate (see ``total_score``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from matcher.core.types import Component, Relations
from matcher.schemas import CURRENCY_PER_USD, Dimension

# --- skills -----------------------------------------------------------------------------------

#: Share of a skill's credit earned by having it at all; years up to ``min_years`` earn the rest
#: linearly. A candidate with 2 of 4 required years gets 0.5 + 0.5 * 2/4 = 0.75.
YEARS_FLOOR = 0.5
#: A skill used this year or within this many years before counts as current.
RECENCY_GRACE_YEARS = 1
#: After the grace period the recency factor decays towards the floor with this time constant.
RECENCY_TAU_YEARS = 3.0
#: Long-unused skills keep this share: the knowledge is rusty, not gone.
RECENCY_FLOOR = 0.3
#: A skill whose last use is not stated counts as last used this many years ago: no better than a
#: stated recent year, so disclosing a recent year never scores below silence (today 2026: 2026
#: and 2025 earn 100%, 2024 and "not stated" 80%, 2023 66%, 2021 49%, never below 30%).
RECENCY_UNKNOWN_AGE = 2
#: Points off a candidate vetted on the other track (a developer for an engineer role, or the
#: other way round): clients use the two titles loosely, so such a candidate is ranked lower, not
#: hidden, unless the requirement sets ``track_is_hard``.
TRACK_MISMATCH_POINTS = 15.0
#: How hard a must-have shortfall scales the total: missing every must-have multiplies the total
#: by ``1 - MUST_HAVE_GATE`` on top of losing the must-have component's own points.
MUST_HAVE_GATE = 0.5

# --- role fit ---------------------------------------------------------------------------------

MAX_VETTING_SCORE = 5.0
#: A dimension the vetting did not assess counts as this score. Zero: vetting scores are the
#: evidence, no evidence earns no credit, and being assessed can never lower a candidate's score.
UNASSESSED_SCORE = 0.0

# --- other components -------------------------------------------------------------------------

#: Seniority value lost per level above the sought level (one above: 0.85) ...
SENIORITY_ABOVE_STEP = 0.15
#: ... and per level below it (one below: 0.55, two below: 0.10).
SENIORITY_BELOW_STEP = 0.45
#: Rate value at exactly the budget; it rises linearly to 1.0 at a rate of zero. Gentle on
#: purpose: price separates otherwise equal candidates, it should not outweigh fit.
RATE_AT_BUDGET = 0.6
#: A working day, 09:00-17:00, in hours.
WORKDAY_HOURS = 8.0
#: Timezone value at exactly the minimum overlap; it rises linearly to 1.0 at a full day.
TIMEZONE_AT_MINIMUM = 0.5
#: Availability value when available exactly on ``start_by``; earlier availability approaches
#: 1.0 with this time constant in days (two weeks early: ~0.82, a month: ~0.94).
AVAILABILITY_AT_START = 0.5
AVAILABILITY_TAU_DAYS = 14.0
#: Education value lost per degree level below the minimum.
EDUCATION_LEVEL_STEP = 0.4
#: Share of the education value that is the degree level; the rest is the field of study.
EDUCATION_DEGREE_SHARE = 0.7
#: Budget comparisons allow for currency-conversion rounding.
RATE_TOLERANCE = 1e-9


def clip01(x: float) -> float:
    return min(1.0, max(0.0, x))


def relation_credit(required_key: str, candidate_key: str, relations: Relations) -> float:
    """1.0 for the same skill, the relation weight for a related one, else 0."""
    if required_key == candidate_key:
        return 1.0
    return clip01(relations.get(required_key, {}).get(candidate_key, 0.0))


def relation_credits(required_key: str, relations: Relations) -> dict[str, float]:
    """``relation_credit`` of every candidate key that earns any credit towards ``required_key``
    (the skill itself first, at 1.0): every other key earns 0."""
    out = {required_key: relation_credit(required_key, required_key, relations)}
    for key in relations.get(required_key, {}):
        if key != required_key:
            credit = relation_credit(required_key, key, relations)
            if credit > 0:
                out[key] = credit
    return out


def years_factor(years: float, min_years: float) -> float:
    """``YEARS_FLOOR`` for having the skill, rising linearly to 1.0 at ``min_years``."""
    if min_years <= 0:
        return 1.0
    return YEARS_FLOOR + (1.0 - YEARS_FLOOR) * clip01(years / min_years)


def recency_factor(last_used: int | None, today_year: int) -> float:
    """1.0 within the grace period, then exponential decay to ``RECENCY_FLOOR``.

    A year that is not stated counts as ``RECENCY_UNKNOWN_AGE`` years ago; a future year counts
    as this year.
    """
    if last_used is None:
        last_used = today_year - RECENCY_UNKNOWN_AGE
    stale = max(0, today_year - last_used - RECENCY_GRACE_YEARS)
    return RECENCY_FLOOR + (1.0 - RECENCY_FLOOR) * math.exp(-stale / RECENCY_TAU_YEARS)


def skill_credit(relation: float, years: float, recency: float) -> float:
    """Credit one candidate skill earns towards one required skill, from its three factors."""
    return relation * years * recency


def mean_credit(credits: Sequence[float]) -> float:
    """Average credit; 1.0 when nothing is asked, so an empty list never punishes anyone."""
    return sum(credits) / len(credits) if credits else 1.0


def must_have_gate(must_have_value: float) -> float:
    """Multiplier on the total: 1.0 with every must-have fully met, ``1 - MUST_HAVE_GATE`` with
    none met, linear in between."""
    return 1.0 - MUST_HAVE_GATE * (1.0 - must_have_value)


def dimension_value(scores: Mapping[Dimension, float], dim: Dimension) -> float:
    """One vetting dimension as 0..1; ``UNASSESSED_SCORE`` when it was not assessed."""
    return clip01(scores.get(dim, UNASSESSED_SCORE) / MAX_VETTING_SCORE)


def role_fit(scores: Mapping[Dimension, float], dimension_weights: Mapping[Dimension, float]) -> float:
    """Vetting scores (0-5) weighted by the profile's dimension weights (summing to 1)."""
    total = 0.0
    for dim, weight in dimension_weights.items():
        total += weight * dimension_value(scores, dim)
    return clip01(total)


def experience(years: float, min_years: float) -> float:
    """Linear up to the minimum, full credit at or beyond it (or when no minimum is set)."""
    if min_years <= 0:
        return 1.0
    return clip01(years / min_years)


def seniority(candidate_level: int, required_level: int) -> float:
    """Exact level best; above costs a little per level, below costs a lot per level."""
    diff = candidate_level - required_level
    return clip01(1.0 - SENIORITY_ABOVE_STEP * max(diff, 0) - SENIORITY_BELOW_STEP * max(-diff, 0))


def to_usd(amount: float, currency: str) -> float:
    return amount / CURRENCY_PER_USD[currency]


def rate_ratio(rate: float, currency: str, budget: float, budget_currency: str) -> float:
    """Candidate rate as a fraction of the budget, both converted to USD."""
    return to_usd(rate, currency) / to_usd(budget, budget_currency)


def rate(ratio: float) -> float:
    """1.0 at a rate of zero, ``RATE_AT_BUDGET`` at the budget (clipped beyond it)."""
    return 1.0 - (1.0 - RATE_AT_BUDGET) * clip01(ratio)


def timezone(overlap_hours: float, min_overlap_hours: float) -> float:
    """0 below the minimum; ``TIMEZONE_AT_MINIMUM`` at it, rising linearly to 1.0 at a full day."""
    if overlap_hours < min_overlap_hours:
        return 0.0
    if min_overlap_hours >= WORKDAY_HOURS:
        return 1.0
    beyond = (overlap_hours - min_overlap_hours) / (WORKDAY_HOURS - min_overlap_hours)
    return TIMEZONE_AT_MINIMUM + (1.0 - TIMEZONE_AT_MINIMUM) * clip01(beyond)


def availability(days_early: int) -> float:
    """0 when available after the start date, else saturating towards 1.0 the earlier."""
    if days_early < 0:
        return 0.0
    return AVAILABILITY_AT_START + (1.0 - AVAILABILITY_AT_START) * (
        1.0 - math.exp(-days_early / AVAILABILITY_TAU_DAYS)
    )


def education(degree_level: int, min_degree_level: int, field_matches: bool) -> float:
    """Degree level against the minimum, blended with whether the field is an accepted one.

    ``field_matches`` is True when the requirement names no fields; with no minimum degree and
    no fields the value is 1.0 (no education requirement punishes nobody).
    """
    short = max(0, min_degree_level - degree_level)
    degree_part = clip01(1.0 - EDUCATION_LEVEL_STEP * short)
    field_part = 1.0 if field_matches else 0.0
    return EDUCATION_DEGREE_SHARE * degree_part + (1.0 - EDUCATION_DEGREE_SHARE) * field_part


#: Abbreviations of fields of study, word by word, resolved before fields are compared: "CS",
#: "Comp. Sci.", "Maths", "Software Eng." are the fields they abbreviate.
FIELD_WORDS: Mapping[str, tuple[str, ...]] = {
    "cs": ("computer", "science"),
    "cse": ("computer", "science", "engineering"),
    "ce": ("computer", "engineering"),
    "ee": ("electrical", "engineering"),
    "ece": ("electrical", "computer", "engineering"),
    "it": ("information", "technology"),
    "ict": ("information", "communication", "technology"),
    "is": ("information", "systems"),
    "se": ("software", "engineering"),
    "ai": ("artificial", "intelligence"),
    "ml": ("machine", "learning"),
    "comp": ("computer",),
    "compsci": ("computer", "science"),
    "sci": ("science",),
    "sciences": ("science",),
    "eng": ("engineering",),
    "engg": ("engineering",),
    "engineer": ("engineering",),
    "math": ("mathematics",),
    "maths": ("mathematics",),
    "mathematical": ("mathematics",),
    "stats": ("statistics",),
    "stat": ("statistics",),
    "info": ("information",),
    "informatics": ("information", "technology"),
    "tech": ("technology",),
    "technologies": ("technology",),
    "econ": ("economics",),
    "phys": ("physics",),
    "mgmt": ("management",),
}


@lru_cache(maxsize=4096)
def _field_words(text: str) -> frozenset[str]:
    """The words of a field of study, abbreviations spelled out (``FIELD_WORDS``)."""
    cleaned = "".join(ch if ch.isalnum() else " " for ch in text.casefold().replace("&", " and "))
    return frozenset(w for word in cleaned.split() for w in FIELD_WORDS.get(word, (word,)))


def field_matches(field: str | None, accepted: Iterable[str]) -> bool:
    """True when no fields are asked, or every word of some accepted field is in the
    candidate's field ("engineering" accepts "software engineering")."""
    wanted = [words for words in map(_field_words, accepted) if words]
    if not wanted:
        return True
    have = _field_words(field or "")
    return any(words <= have for words in wanted)


def base_score(values: Mapping[Component, float], weights: Mapping[Component, float]) -> float:
    """Weighted sum on a 0-100 scale (weights sum to 1)."""
    return 100.0 * sum(weights[c] * values[c] for c in Component)


def total_score(base: float, must_have_value: float) -> float:
    """The score before the track check, 0-100: the base scaled by the must-have gate."""
    return min(100.0, max(0.0, base * must_have_gate(must_have_value)))


def cross_track_score(score: float) -> float:
    """The score of a candidate vetted on the other track: ``TRACK_MISMATCH_POINTS`` lower, never
    below 0."""
    return max(0.0, score - TRACK_MISMATCH_POINTS)
