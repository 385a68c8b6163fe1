"""One candidate's requirements, best first, with the core's scores and explanations.

The contract mirrors ``matcher.core.rank`` turned around: eligible requirements ranked 1..n
(at most ``top``), by score descending, then must-have value descending, then key; with
``include_ineligible`` every ineligible requirement follows, unranked, best score first, with
its exclusions. Every result is ``Scorer.score`` of that requirement (its own weight profile
and relation credits), so a requirement's shortlist and this list give the candidate the same
score and reasons.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from matcher.core.ranking import SORT_DECIMALS, Scorer
from matcher.core.results import ComponentScore, RankedCandidate, SkillMatch
from matcher.core.types import CandidateProfile, Component
from matcher.errors import ValidationFailed
from matcher.reverse.book import BookEntry, RequirementBook

#: How far below the top-th best estimate a requirement is still re-scored by the core, so a
#: last-bit difference could never change which requirements make the cut.
CONTENDER_MARGIN = 1e-6
#: The largest difference between the estimate and the core's score that counts as the same.
SAME_SCORE = 1e-9


class RequirementMatch(BaseModel):
    """How one candidate scores against one requirement (``RankedCandidate``'s fields, keyed by
    the requirement)."""

    model_config = ConfigDict(frozen=True)

    requirement: str
    rank: int | None
    """1-based position among the requirements the candidate is eligible for; None when not."""
    score: float
    eligible: bool
    profile: str
    components: dict[str, ComponentScore]
    must_have_penalty: float
    track_penalty: float
    reasons: list[str]
    exclusions: list[str]
    skill_matches: list[SkillMatch]

    @classmethod
    def of(cls, key: str, result: RankedCandidate, rank: int | None) -> RequirementMatch:
        return cls.model_construct(
            requirement=key,
            rank=rank,
            score=result.score,
            eligible=result.eligible,
            profile=result.profile,
            components=result.components,
            must_have_penalty=result.must_have_penalty,
            track_penalty=result.track_penalty,
            reasons=result.reasons,
            exclusions=result.exclusions,
            skill_matches=result.skill_matches,
        )


class ReverseRanking(BaseModel):
    model_config = ConfigDict(frozen=True)

    candidate: str
    today: dt.date
    requirements: int
    """How many requirements were considered."""
    eligible: int
    """For how many of them the candidate is eligible."""
    method: Literal["vectorised", "reference"]
    """``vectorised``: the book's estimate chose the contenders and the core confirmed each;
    ``reference``: every requirement was scored by the core (asked for, or the estimate
    disagreed with the core and was not trusted)."""
    matches: list[RequirementMatch]


def _order(key: str, result: RankedCandidate) -> tuple[bool, float, float, str]:
    return (
        not result.eligible,
        -round(result.score, SORT_DECIMALS),
        -round(result.components[Component.must_have.value].value, SORT_DECIMALS),
        key,
    )


def _assemble(
    candidate: CandidateProfile,
    today: dt.date,
    total: int,
    eligible: int,
    method: Literal["vectorised", "reference"],
    scored: Sequence[tuple[str, RankedCandidate]],
    top: int | None,
    include_ineligible: bool,
) -> ReverseRanking:
    ordered = sorted(scored, key=lambda kr: _order(*kr))
    good = [kr for kr in ordered if kr[1].eligible][:top]
    matches = [RequirementMatch.of(k, r, i) for i, (k, r) in enumerate(good, start=1)]
    if include_ineligible:
        matches.extend(RequirementMatch.of(k, r, None) for k, r in ordered if not r.eligible)
    return ReverseRanking(
        candidate=candidate.external_id,
        today=today,
        requirements=total,
        eligible=eligible,
        method=method,
        matches=matches,
    )


def _check_top(top: int | None) -> None:
    if top is not None and top < 1:
        raise ValidationFailed(f"top must be at least 1, got {top}")


def reference_rank_requirements(
    candidate: CandidateProfile,
    entries: Sequence[BookEntry],
    today: dt.date,
    *,
    top: int | None = None,
    include_ineligible: bool = False,
) -> ReverseRanking:
    """Score every requirement one by one with the core (a ``Scorer`` each) and rank them."""
    _check_top(top)
    seen: set[str] = set()
    scored = []
    for e in entries:
        if e.key in seen:
            raise ValidationFailed(f"requirement {e.key} appears twice")
        seen.add(e.key)
        scored.append((e.key, Scorer(e.requirement, e.profile, e.relations, today).score(candidate)))
    eligible = sum(1 for _, r in scored if r.eligible)
    return _assemble(candidate, today, len(scored), eligible, "reference", scored, top, include_ineligible)


def _reference_from_book(
    book: RequirementBook,
    candidate: CandidateProfile,
    today: dt.date,
    top: int | None,
    include_ineligible: bool,
) -> ReverseRanking:
    scored = [(book.keys[i], book.scorer(i, today).score(candidate)) for i in range(len(book))]
    eligible = sum(1 for _, r in scored if r.eligible)
    return _assemble(candidate, today, len(book), eligible, "reference", scored, top, include_ineligible)


def rank_requirements(
    candidate: CandidateProfile,
    book: RequirementBook,
    today: dt.date,
    *,
    top: int | None = None,
    include_ineligible: bool = False,
) -> ReverseRanking:
    """The candidate's requirements best first (see the module docstring).

    The book's estimate picks the contenders: every eligible requirement scoring within
    ``CONTENDER_MARGIN`` of the ``top``-th best (all eligible ones without ``top``), and every
    ineligible one when asked for. Only those are scored by the core. If the core disagrees
    with the estimate on any of them (score or eligibility), the estimate is not trusted and
    every requirement is scored by the core instead.
    """
    _check_top(top)
    est = book.estimate(candidate, today)
    good = np.flatnonzero(est.eligible)
    if top is not None and len(good) > top:
        cutoff = np.partition(est.score[good], len(good) - top)[len(good) - top]
        chosen = good[est.score[good] >= cutoff - CONTENDER_MARGIN]
    else:
        chosen = good
    if include_ineligible:
        chosen = np.concatenate([chosen, np.flatnonzero(~est.eligible)])
    scored = []
    for i in chosen.tolist():
        result = book.scorer(i, today).score(candidate)
        if result.eligible != bool(est.eligible[i]) or abs(result.score - float(est.score[i])) > SAME_SCORE:
            return _reference_from_book(book, candidate, today, top, include_ineligible)
        scored.append((book.keys[i], result))
    return _assemble(
        candidate,
        today,
        len(book),
        len(good),
        "vectorised",
        scored,
        top,
        include_ineligible,
    )
