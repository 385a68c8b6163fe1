"""What the ranker returns: scores, their breakdown and the reasons, all JSON-serialisable.

The breakdown adds up exactly: ``score = sum(component points) - must_have_penalty -
track_penalty``, and the points each reason names as lost add up to ``100 - score``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class ComponentScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: float
    """The component's value, 0..1."""
    weight: float
    """Its weight in the profile (weights sum to 1)."""
    points: float
    """``weight * value * 100``: its contribution to the score before the must-have gate."""


class SkillMatch(BaseModel):
    """How one required skill was met: by which candidate skill, and what it earned."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["must_have", "nice_to_have"]
    required: str
    required_key: str
    min_years: float
    matched: str | None
    """The candidate's skill as written; None when missing."""
    matched_key: str | None
    matched_name: str | None
    method: str | None
    """How the candidate's skill name was resolved: exact, alias, fuzzy or unknown."""
    relation: float
    """1.0 for the same skill, the relation weight for a related skill, 0 when missing."""
    years: float | None
    last_used: int | None
    years_factor: float
    recency_factor: float
    credit: float
    points_lost: float
    """Points below a perfect match (for a must-have, including its share of the gate)."""


class RankedCandidate(BaseModel):
    model_config = ConfigDict(frozen=True)

    external_id: str
    rank: int | None
    """1-based position among eligible candidates; None when ineligible."""
    score: float
    """0-100."""
    eligible: bool
    profile: str
    """The weight profile used, as ``name@vVERSION``."""
    components: dict[str, ComponentScore]
    must_have_penalty: float
    """Points taken off the component sum by the must-have shortfall gate."""
    track_penalty: float = 0.0
    """Points taken off a candidate vetted on the other track (``TRACK_MISMATCH_POINTS``, or
    what was left of the score)."""
    reasons: list[str]
    """Plain-language reasons, the costliest first."""
    exclusions: list[str]
    """Why the candidate is ineligible; empty when eligible."""
    skill_matches: list[SkillMatch]

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
