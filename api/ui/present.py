"""Shaping service results for the templates: bars, grouped reasons. Presentation only; every
number shown comes from the stored entry (the ranker's breakdown), nothing is re-scored."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from matcher.core.types import Component
from matcher.models import EntryState

COMPONENT_LABELS = {
    "must_have": "Must-have skills",
    "nice_to_have": "Nice-to-have skills",
    "role_fit": "Role fit",
    "experience": "Experience",
    "seniority": "Seniority",
    "rate": "Rate",
    "timezone": "Time-zone overlap",
    "availability": "Availability",
    "education": "Education",
}
#: A penalty below this is rounding, not worth a bar.
SHOWN_PENALTY = 0.05
SKILL_PREFIXES = ("must-have ", "nice-to-have ")


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    points: float
    """What the component contributed to the score."""
    max_points: float
    """What it could have contributed: its weight x 100."""

    @property
    def percent_of_max(self) -> float:
        return 0.0 if self.max_points <= 0 else max(0.0, min(100.0, 100.0 * self.points / self.max_points))

    @property
    def description(self) -> str:
        return f"{self.label}: {self.points:.1f} of {self.max_points:.1f} points"


@dataclass(frozen=True)
class Breakdown:
    bars: list[Bar]
    penalty: float
    """Points the must-have gate took off the sum of the components."""


def breakdown(components: Mapping[str, Any], score: float) -> Breakdown:
    """One bar per component, in the core's component order (a JSON column may not keep the
    order it was written in), and the deductions (the must-have gate and, for a candidate vetted
    on the other track, the track penalty: what the components add up to beyond the score)."""
    order = {c.value: i for i, c in enumerate(Component)}
    bars = []
    for key, value in sorted(components.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])):
        if not isinstance(value, Mapping):
            continue
        points = float(value.get("points", 0.0))
        weight = float(value.get("weight", 0.0))
        bars.append(Bar(key, COMPONENT_LABELS.get(key, key.replace("_", " ")), points, weight * 100.0))
    penalty = sum(b.points for b in bars) - score
    return Breakdown(bars, penalty if penalty >= SHOWN_PENALTY else 0.0)


@dataclass(frozen=True)
class Reasons:
    excluded: list[str]
    """Why the candidate is ineligible (first in the stored reasons of an ineligible entry)."""
    missing: list[str]
    matched: list[str]
    """How each required skill was fully met (the skill itself, by its name or an alias)."""
    other: list[str]
    partial: list[str] = dataclasses.field(default_factory=list)
    """Required skills met only by a related skill, for part of the credit."""


def reasons(
    texts: Sequence[str], state: EntryState, components: Mapping[str, Any], required_skills: int
) -> Reasons:
    """The stored reasons, grouped. An ineligible entry's reasons are its exclusions followed by
    the scored reasons, one per required skill and one per non-skill component; the exclusions
    are what precedes those."""
    texts = list(texts)
    excluded: list[str] = []
    if state in (EntryState.ineligible, EntryState.erased) and texts:
        scored = required_skills + len([k for k in components if k not in ("must_have", "nice_to_have")])
        cut = min(len(texts), max(1, len(texts) - scored))
        excluded, texts = texts[:cut], texts[cut:]
    missing = [t for t in texts if t.startswith("missing ")]
    skills = [t for t in texts if t.startswith(SKILL_PREFIXES)]
    partial = [t for t in skills if ", related " in t]
    matched = [t for t in skills if t not in partial]
    other = [t for t in texts if t not in missing and t not in skills]
    return Reasons(excluded, missing, matched, other, partial)
