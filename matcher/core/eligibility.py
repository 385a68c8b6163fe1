"""Hard filters: the deal-breakers a recruiter would never trade off against a good score.

Only these exclude a candidate; everything else (education, seniority, skill years, the other
track and missing must-haves unless the requirement opts in) is scored instead. Every exclusion comes with a
reason a recruiter can read.
"""

from __future__ import annotations

from matcher.core.components import RATE_TOLERANCE, to_usd
from matcher.core.features import PairFeatures
from matcher.core.types import CandidateProfile, RequirementProfile
from matcher.schemas import VettingStatus


def hours(value: float) -> str:
    return f"{value:g} h" if value == round(value, 2) else f"{value:.2f} h"


def money(amount: float, currency: str) -> str:
    return f"{amount:g} {currency}/h" if amount == round(amount, 2) else f"{amount:.2f} {currency}/h"


def rate_text(candidate: CandidateProfile, requirement: RequirementProfile) -> str:
    """The candidate's rate, with its value in the budget's currency when they differ."""
    text = money(candidate.hourly_rate, candidate.currency)
    if candidate.currency != requirement.currency:
        converted = to_usd(candidate.hourly_rate, candidate.currency) / to_usd(1.0, requirement.currency)
        text += f" (= {converted:.2f} {requirement.currency}/h)"
    return text


def exclusions(
    requirement: RequirementProfile, candidate: CandidateProfile, features: PairFeatures
) -> list[str]:
    """Why the candidate cannot be put forward; empty when eligible."""
    reasons = []
    if candidate.vetting_status is not VettingStatus.passed:
        reasons.append(f"vetting {candidate.vetting_status.value}, must be passed")
    if candidate.track is not requirement.track and requirement.track_is_hard:
        reasons.append(
            f"vetted for the {candidate.track.value} track, requirement is {requirement.track.value}"
        )
    if features.rate_ratio > 1.0 + RATE_TOLERANCE:
        budget = money(requirement.max_hourly_rate, requirement.currency)
        reasons.append(f"rate {rate_text(candidate, requirement)} above budget {budget}")
    if features.overlap_hours < requirement.min_overlap_hours:
        reasons.append(
            f"overlap {hours(features.overlap_hours)} with {requirement.timezone}, "
            f"needs {hours(requirement.min_overlap_hours)}"
        )
    if features.days_early < 0:
        reasons.append(
            f"available from {candidate.available_from.isoformat()}, "
            f"after start {requirement.start_by.isoformat()}"
        )
    if candidate.hours_per_week < requirement.hours_per_week:
        reasons.append(f"offers {candidate.hours_per_week} h/week, needs {requirement.hours_per_week} h/week")
    if requirement.must_have_is_hard:
        reasons.extend(
            f"missing must-have {skill.skill.written} (required)" for skill in features.missing_must_have
        )
    return reasons
