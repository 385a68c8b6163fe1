"""The reference ranker: score every candidate against one requirement, filter, sort, explain.

Pure: the same arguments always give the same list, whatever the order of the candidates.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from matcher.core import components as f
from matcher.core.eligibility import exclusions
from matcher.core.explain import Explainer
from matcher.core.features import PairFeatures, RequirementFeatures
from matcher.core.profiles import WeightProfile
from matcher.core.results import RankedCandidate
from matcher.core.types import CandidateProfile, Component, Relations, RequirementProfile
from matcher.errors import ValidationFailed
from matcher.schemas import DEGREE_LEVEL, SENIORITY_LEVEL

#: Scores and must-have values are compared at this many decimals when sorting, so that an
#: implementation summing in another order (the vectorised index) breaks ties identically.
SORT_DECIMALS = 9


def component_values(
    requirement: RequirementProfile,
    candidate: CandidateProfile,
    features: PairFeatures,
    profile: WeightProfile,
) -> dict[Component, float]:
    """Each component's value, 0..1 (formulas in ``matcher.core.components``)."""
    return {
        Component.must_have: f.mean_credit([c.credit for c in features.must_have]),
        Component.nice_to_have: f.mean_credit([c.credit for c in features.nice_to_have]),
        Component.role_fit: f.role_fit(candidate.vetting_scores, profile.dimensions),
        Component.experience: f.experience(candidate.years_experience, requirement.min_years_experience),
        Component.seniority: f.seniority(
            SENIORITY_LEVEL[candidate.seniority], SENIORITY_LEVEL[requirement.seniority]
        ),
        Component.rate: f.rate(features.rate_ratio),
        Component.timezone: f.timezone(features.overlap_hours, requirement.min_overlap_hours),
        Component.availability: f.availability(features.days_early),
        Component.education: f.education(
            DEGREE_LEVEL[candidate.degree],
            DEGREE_LEVEL[requirement.min_degree],
            features.field_matches,
        ),
    }


def check_profile(requirement: RequirementProfile, profile: WeightProfile) -> None:
    """A profile scores requirements of its own track only."""
    if profile.track is not requirement.track:
        raise ValidationFailed(
            f"weight profile {profile.label} is for the {profile.track.value} track, "
            f"requirement {requirement.external_id} is {requirement.track.value}"
        )


def check_relations(relations: Relations) -> None:
    """Every relation credit is a number in 0..1."""
    for required, related in relations.items():
        for candidate_key, credit in related.items():
            if not (math.isfinite(credit) and 0.0 <= credit <= 1.0):
                raise ValidationFailed(
                    f"relation credit {required} -> {candidate_key} must be in 0..1, got {credit}"
                )


class Scorer:
    """Scores and explains candidates against one requirement, with one weight profile, relation
    credits and date; what ``rank`` and ``score_candidate`` run for each candidate.

    The inputs are checked once, here (``check_profile``, ``check_relations``), and what depends
    on them alone (relation credits per candidate skill key, recency factors, the points each
    component is worth, the requirement's side of the reasons) is worked out once, so scoring
    many candidates repeats only the per-candidate work. ``score`` is exactly
    ``score_candidate`` of the same arguments.
    """

    __slots__ = ("_explainer", "_features", "_points", "profile", "requirement")

    def __init__(
        self,
        requirement: RequirementProfile,
        profile: WeightProfile,
        relations: Relations,
        today: dt.date,
    ) -> None:
        check_profile(requirement, profile)
        check_relations(relations)
        self.requirement = requirement
        self.profile = profile
        self._features = RequirementFeatures(requirement, relations, today)
        self._explainer = Explainer(requirement, profile)
        self._points = [(c, c.value, profile.components[c], 100.0 * profile.components[c]) for c in Component]

    def score(self, candidate: CandidateProfile) -> RankedCandidate:
        """Score and explain one candidate (``rank`` is None; eligibility is reported, not applied)."""
        return self.result(self.prepare(candidate))

    def prepare(self, candidate: CandidateProfile, values: dict[Component, float] | None = None) -> Prepared:
        """The numbers of one candidate's score, before the explanations are written.

        ``values``, when given, are the component values already computed elsewhere (the
        vectorised index, which computes the same floats); else they are computed here."""
        requirement, profile = self.requirement, self.profile
        features = self._features.pair(candidate)
        if values is None:
            values = component_values(requirement, candidate, features, profile)
        base = f.base_score(values, profile.components)
        gated = f.total_score(base, values[Component.must_have])
        score = gated if candidate.track is requirement.track else f.cross_track_score(gated)
        excluded = exclusions(requirement, candidate, features)
        return Prepared(candidate, features, values, base, gated, score, excluded)

    def result(self, prepared: Prepared, rank: int | None = None) -> RankedCandidate:
        """The explained result of a prepared candidate, with its ``rank``."""
        candidate, features, values = prepared.candidate, prepared.features, prepared.values
        base, gated, score = prepared.base, prepared.gated, prepared.score
        excluded = prepared.excluded
        reasons, matches = self._explainer.explain(candidate, features, values, base, gated - score)
        return RankedCandidate(
            external_id=candidate.external_id,
            rank=rank,
            score=score,
            eligible=not excluded,
            profile=self.profile.label,
            # ComponentScore and SkillMatch fields as dicts: validated in this one call.
            components={
                name: {"value": values[c], "weight": weight, "points": points * values[c]}
                for c, name, weight, points in self._points
            },
            must_have_penalty=base - gated,
            track_penalty=gated - score,
            reasons=reasons,
            exclusions=excluded,
            skill_matches=matches,
        )


@dataclass(frozen=True, slots=True)
class Prepared:
    """One candidate scored but not yet explained (``Scorer.prepare``)."""

    candidate: CandidateProfile
    features: PairFeatures
    values: dict[Component, float]
    base: float
    gated: float
    score: float
    excluded: list[str]

    def sort_key(self) -> tuple[float, float, str]:
        """``sort_key`` of the result it becomes."""
        return (
            -round(self.score, SORT_DECIMALS),
            -round(self.values[Component.must_have], SORT_DECIMALS),
            self.candidate.external_id,
        )


def score_candidate(
    requirement: RequirementProfile,
    candidate: CandidateProfile,
    profile: WeightProfile,
    relations: Relations,
    today: dt.date,
) -> RankedCandidate:
    """Score and explain one candidate (``rank`` is None; eligibility is reported, not applied)."""
    return Scorer(requirement, profile, relations, today).score(candidate)


#: The order of the ranking, as the README and ``talentmatch rank --help`` state it.
TIE_BREAK = (
    "score, highest first; on equal scores the higher must-have value (how fully the must-have "
    "skills are met) first; then the external id, in alphabetical order"
)


def sort_key(result: RankedCandidate) -> tuple[float, float, str]:
    """Score descending, then must-have value descending, then external id ascending
    (``TIE_BREAK``)."""
    return (
        -round(result.score, SORT_DECIMALS),
        -round(result.components[Component.must_have.value].value, SORT_DECIMALS),
        result.external_id,
    )


def tie_note(ahead: RankedCandidate, behind: RankedCandidate, decimals: int = 1) -> str | None:
    """For the lower of two neighbours whose scores, shown at ``decimals``, are the same: which
    step of ``TIE_BREAK`` put it below ``ahead``. None when the shown scores differ."""
    if round(ahead.score, decimals) != round(behind.score, decimals):
        return None
    tied = f"tied with {ahead.external_id} at {ahead.score:.{decimals}f}"
    if round(ahead.score, SORT_DECIMALS) != round(behind.score, SORT_DECIMALS):
        return f"{tied} as shown; behind on the unrounded score"
    must = Component.must_have.value
    a, b = ahead.components[must].value, behind.components[must].value
    if round(a, SORT_DECIMALS) != round(b, SORT_DECIMALS):
        return f"{tied}; behind on must-have value {b:.0%} vs {a:.0%}"
    return f"{tied}, must-haves equal; behind by external id"


def rank(
    requirement: RequirementProfile,
    candidates: Sequence[CandidateProfile],
    profile: WeightProfile,
    relations: Relations,
    today: dt.date,
    *,
    top: int | None = None,
    include_ineligible: bool = False,
) -> list[RankedCandidate]:
    """Eligible candidates best first, ranked 1..n (at most ``top`` of them).

    With ``include_ineligible`` every ineligible candidate follows, unranked, best score first,
    each with its exclusions.
    """
    scorer = Scorer(requirement, profile, relations, today)
    if top is not None and top < 1:
        raise ValidationFailed(f"top must be at least 1, got {top}")
    seen: set[str] = set()
    for candidate in candidates:
        if candidate.external_id in seen:
            raise ValidationFailed(f"candidate {candidate.external_id} appears twice")
        seen.add(candidate.external_id)
    scored = sorted((scorer.score(c) for c in candidates), key=sort_key)
    eligible = [r for r in scored if r.eligible][:top]
    ranked = [r.model_copy(update={"rank": i}) for i, r in enumerate(eligible, start=1)]
    if include_ineligible:
        ranked.extend(r for r in scored if not r.eligible)
    return ranked
