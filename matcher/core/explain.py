"""Plain-language reasons for a score, each with the points it cost.

Every point below 100 is attributed to exactly one reason: a component's loss is
``weight * (1 - value) * 100``; the skill components split theirs over the required skills by
each skill's shortfall ``(1 - credit) / n``, and a must-have also carries the same share of the
gate's penalty. Reasons are ordered costliest first, so the first lines say where a candidate
lost most, and comparing two candidates' lines answers "why is A above B".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from matcher.core import components as f
from matcher.core.eligibility import hours, money, rate_text
from matcher.core.features import PairFeatures, SkillCredit
from matcher.core.profiles import WeightProfile
from matcher.core.results import RankedCandidate
from matcher.core.types import CandidateProfile, CandidateSkill, Component, RequirementProfile, SkillRef
from matcher.schemas import DEGREE_LEVEL, SENIORITY_LEVEL, Degree, Dimension

#: Losses below this are not worth printing as points.
SHOWN_POINTS = 0.05
#: How many dimensions a role-fit reason names.
SHOWN_DIMENSIONS = 2


def _cost(lost: float) -> str:
    return f": -{lost:.1f} points" if lost >= SHOWN_POINTS else ""


def _how(sc: SkillCredit) -> str:
    """How the candidate's skill met the requirement's, in taxonomy words only: a skill name as
    the candidate wrote it is free text (it can hold a name or a phone number) and never goes
    into a reason. A skill outside the taxonomy matched the requirement's own text, so that
    text names it."""
    assert sc.best is not None
    have = sc.best.skill
    if sc.best.key != sc.required.key:
        return f"{have.name or 'a related skill'} -> {sc.required.skill.label}, related {sc.relation:.0%}"
    method = f"fuzzy {have.confidence:.0f}%" if have.method == "fuzzy" else have.method
    name = have.name if have.method != "unknown" and have.name else sc.required.skill.label
    return f"{name}, {method}"


def _years(sc: SkillCredit) -> str:
    assert sc.best is not None
    if sc.required.min_years > 0:
        return f"{sc.best.years:g} of {sc.required.min_years:g} years"
    return f"{sc.best.years:g} years" if sc.best.years > 0 else "years not stated"


def _recency(sc: SkillCredit) -> str:
    assert sc.best is not None
    if sc.best.last_used is None:
        return f"last use not stated ({sc.recency_factor:.0%})"
    if sc.recency_factor < 1.0:
        return f"last used {sc.best.last_used} ({sc.recency_factor:.0%})"
    return f"last used {sc.best.last_used}"


#: The fields of a ``SkillMatch``, as a dict: ``RankedCandidate`` validates it into one. Nested
#: dicts validate in one call, at about two thirds of the cost of building each model first.
SkillMatchFields = dict[str, object]


def _skill_reasons(
    kind: Literal["must_have", "nice_to_have"], credits: Sequence[SkillCredit], points_per_shortfall: float
) -> tuple[list[tuple[float, str]], list[SkillMatchFields]]:
    label = _LABELS[kind]
    n = len(credits)
    reasons: list[tuple[float, str]] = []
    matches: list[SkillMatchFields] = []
    for sc in credits:
        lost = points_per_shortfall * (1.0 - sc.credit) / n
        want = sc.required.skill
        wanted = want.raw or want.name or want.key  # ``want.written``
        best = sc.best
        if best is None:
            reasons.append((lost, f"missing {label} {wanted}: -{lost:.1f} points"))
        else:
            reasons.append((lost, f"{label} {wanted}: {_detail(sc, best, want)}{_cost(lost)}"))
        have = None if best is None else best.skill
        matches.append(
            {
                "kind": kind,
                "required": wanted,
                "required_key": want.key,
                "min_years": sc.required.min_years,
                "matched": None if have is None else have.raw or have.name or have.key,
                "matched_key": None if have is None else have.key,
                "matched_name": None if have is None else have.name or have.raw or have.key,
                "method": None if have is None else have.method,
                "relation": sc.relation,
                "years": None if best is None else best.years,
                "last_used": None if best is None else best.last_used,
                "years_factor": sc.years_factor,
                "recency_factor": sc.recency_factor,
                "credit": sc.credit,
                "points_lost": lost,
            }
        )
    return reasons, matches


def _detail(sc: SkillCredit, best: CandidateSkill, want: SkillRef) -> str:
    """``_how``, ``_years`` and ``_recency`` joined, inlined (this runs for every required skill
    of every explained candidate); those three stay the definition of the wording."""
    have = best.skill
    label = want.name or want.raw or want.key  # ``want.label``
    if have.key != want.key:
        how = f"{have.name or 'a related skill'} -> {label}, related {sc.relation:.0%}"
    else:
        method = f"fuzzy {have.confidence:.0f}%" if have.method == "fuzzy" else have.method
        how = f"{have.name if have.method != 'unknown' and have.name else label}, {method}"
    years, min_years = best.years, sc.required.min_years
    if min_years > 0:
        years_text = f"{years:g} of {min_years:g} years"
    else:
        years_text = f"{years:g} years" if years > 0 else "years not stated"
    last_used, recency = best.last_used, sc.recency_factor
    if last_used is None:
        return f"{how}; {years_text}; last use not stated ({recency:.0%})"
    if recency < 1.0:
        return f"{how}; {years_text}; last used {last_used} ({recency:.0%})"
    return f"{how}; {years_text}; last used {last_used}"


_LABELS = {"must_have": "must-have", "nice_to_have": "nice-to-have"}


def _role_fit(
    candidate: CandidateProfile,
    track: str,
    dimension_points: Sequence[tuple[Dimension, float]],
    value: float,
    lost: float,
) -> str:
    """``dimension_points``: per dimension, in the profile's order, the points its weight is worth
    (role-fit weight x 100 x dimension weight)."""
    scores = candidate.vetting_scores
    # ``points * (1 - dimension_value(scores, dim))``, with ``dimension_value`` inlined; only
    # losses worth showing are kept, costliest first (a stable sort: ties keep profile order).
    shown = []
    for dim, points in dimension_points:
        loss = points * (1.0 - min(1.0, max(0.0, scores.get(dim, f.UNASSESSED_SCORE) / f.MAX_VETTING_SCORE)))
        if loss >= SHOWN_POINTS:
            shown.append((dim, loss))
    text = f"role fit {value:.0%} ({track} weighting){_cost(lost)}"
    if not shown:
        return text
    shown.sort(key=lambda d: -d[1])
    assessed = [d for d, _ in shown if d in scores][:SHOWN_DIMENSIONS]
    if assessed:
        text += "; most lost on " + ", ".join(f"{d.value} {scores[d]:g}/5" for d in assessed)
    unassessed = [d.value for d, _ in shown if d not in scores]
    if unassessed:
        text += f"; not assessed (counts as {f.UNASSESSED_SCORE:g}): {', '.join(unassessed)}"
    return text


def _seniority(candidate: CandidateProfile, requirement: RequirementProfile) -> str:
    diff = SENIORITY_LEVEL[candidate.seniority] - SENIORITY_LEVEL[requirement.seniority]
    text = f"seniority {candidate.seniority.value} for a {requirement.seniority.value} role"
    if diff == 0:
        return text
    levels = "one level" if abs(diff) == 1 else f"{abs(diff)} levels"
    return f"{text} ({levels} {'above' if diff > 0 else 'below'})"


def _availability(candidate: CandidateProfile, requirement: RequirementProfile, days_early: int) -> str:
    start = requirement.start_by.isoformat()
    if days_early == 0:
        return f"available on the start date {start}"
    when = "before" if days_early > 0 else "after"
    return (
        f"available from {candidate.available_from.isoformat()}, {abs(days_early)} days {when} start {start}"
    )


def _education(candidate: CandidateProfile, requirement: RequirementProfile, field_ok: bool) -> str:
    if requirement.min_degree is Degree.none and not requirement.education_fields:
        return "no education requirement"
    # The candidate's field of study is free text: the reason names the degree level and the
    # requirement's accepted field it matched, never what the candidate wrote.
    have = candidate.degree.value
    meets = DEGREE_LEVEL[candidate.degree] >= DEGREE_LEVEL[requirement.min_degree]
    level = "meets" if meets else "below"
    verdicts = [f"{level} {requirement.min_degree.value}"]
    if requirement.education_fields:
        accepted = [a for a in requirement.education_fields if f.field_matches(candidate.field_of_study, [a])]
        if field_ok and accepted:
            verdicts.append(f"field accepted: {accepted[0]}")
        else:
            verdicts.append(f"field not among {', '.join(requirement.education_fields)}")
    return f"education {have}: {'; '.join(verdicts)}"


class Explainer:
    """Writes the reasons of candidates scored against one requirement with one profile; the
    parts that depend on those two alone are worked out once."""

    __slots__ = ("_budget", "_dimension_points", "_overlap", "_points", "_track", "requirement")

    def __init__(self, requirement: RequirementProfile, profile: WeightProfile) -> None:
        r = requirement
        w = profile.components
        self.requirement = r
        #: What each component is worth in points: its loss is ``points * (1 - value)``.
        self._points = {c: w[c] * 100.0 for c in Component}
        role = self._points[Component.role_fit]
        self._dimension_points = [(dim, role * weight) for dim, weight in profile.dimensions.items()]
        self._track = profile.track.value
        self._overlap = f"with {r.timezone} on {r.start_by.isoformat()} (needs {hours(r.min_overlap_hours)})"
        self._budget = money(r.max_hourly_rate, r.currency)

    def explain(
        self,
        candidate: CandidateProfile,
        features: PairFeatures,
        values: Mapping[Component, float],
        base: float,
        track_penalty: float = 0.0,
    ) -> tuple[list[str], list[SkillMatchFields]]:
        """Reasons (costliest first) and the structured skill matches (``SkillMatch`` fields) of
        one scored candidate; ``track_penalty`` is what being vetted on the other track cost."""
        requirement, points = self.requirement, self._points

        def lost(component: Component) -> float:
            return points[component] * (1.0 - values[component])

        must_reasons, must_matches = _skill_reasons(
            "must_have", features.must_have, points[Component.must_have] + base * f.MUST_HAVE_GATE
        )
        nice_reasons, nice_matches = _skill_reasons(
            "nice_to_have", features.nice_to_have, points[Component.nice_to_have]
        )
        role_fit_lost = lost(Component.role_fit)
        reasons = must_reasons + nice_reasons
        reasons.append(
            (
                role_fit_lost,
                _role_fit(
                    candidate,
                    self._track,
                    self._dimension_points,
                    values[Component.role_fit],
                    role_fit_lost,
                ),
            )
        )
        for component, text in self._component_texts(candidate, features).items():
            component_lost = lost(component)
            reasons.append((component_lost, text + _cost(component_lost)))
        if candidate.track is not requirement.track:
            article = "an" if requirement.track.value[0] in "aeiou" else "a"
            reasons.append(
                (
                    track_penalty,
                    f"{candidate.track.value}-vetted for {article} {requirement.track.value} role"
                    + _cost(track_penalty),
                )
            )
        reasons.sort(key=_costliest)
        return [text for _, text in reasons], must_matches + nice_matches

    def _component_texts(self, candidate: CandidateProfile, features: PairFeatures) -> dict[Component, str]:
        """What each of the plain components measured, in words (its cost is added by ``explain``)."""
        requirement = self.requirement
        experience = (
            f"{candidate.years_experience:g} of {requirement.min_years_experience:g} years experience"
            if requirement.min_years_experience > 0
            else f"{candidate.years_experience:g} years experience, no minimum"
        )
        return {
            Component.experience: experience,
            Component.seniority: _seniority(candidate, requirement),
            Component.rate: f"rate {rate_text(candidate, requirement)}, "
            f"{features.rate_ratio:.0%} of budget {self._budget}",
            Component.timezone: f"overlap {hours(features.overlap_hours)} {self._overlap}",
            Component.availability: _availability(candidate, requirement, features.days_early),
            Component.education: _education(candidate, requirement, features.field_matches),
        }


def _costliest(reason: tuple[float, str]) -> float:
    return -reason[0]


def why_above(a: RankedCandidate, b: RankedCandidate) -> list[str]:
    """Where ``a`` gained and lost points against ``b``, biggest differences first."""
    diffs = {name: a.components[name].points - b.components[name].points for name in a.components}
    diffs["must-have gate"] = b.must_have_penalty - a.must_have_penalty
    diffs["track"] = b.track_penalty - a.track_penalty
    lines = [f"{a.external_id} scores {a.score - b.score:+.1f} points against {b.external_id}"]
    for name in sorted(diffs, key=lambda n: -abs(diffs[n])):
        if abs(diffs[name]) >= SHOWN_POINTS:
            lines.append(f"{name} {diffs[name]:+.1f}")
    return lines
