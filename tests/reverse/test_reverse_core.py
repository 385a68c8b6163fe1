"""Reverse ranking on plain data: the book's estimate is the core's score for every pair, and
``rank_requirements`` answers exactly as scoring every requirement one by one."""

from __future__ import annotations

import dataclasses
from functools import cache

import numpy as np
import pytest
from pydantic import TypeAdapter

from fixtures.generator import generate_candidates, generate_requirements
from matcher.core import (
    CandidateProfile,
    Scorer,
    default_profile,
    prepare_candidate,
    prepare_requirement,
    relations_for,
)
from matcher.errors import ValidationFailed
from matcher.reverse import (
    BookEntry,
    Estimate,
    RequirementBook,
    rank_requirements,
    reference_rank_requirements,
)
from matcher.schemas import CandidateIn, RequirementIn
from matcher.skills import default_resolver
from tests.suite_clock import TODAY


@cache
def world() -> tuple[tuple[BookEntry, ...], tuple[CandidateProfile, ...]]:
    reqs = TypeAdapter(list[RequirementIn]).validate_python(
        list(generate_requirements(200, 11, anchor=TODAY))
    )
    cands = TypeAdapter(list[CandidateIn]).validate_python(list(generate_candidates(30, 11, anchor=TODAY)))
    resolver = default_resolver()
    names = [s.name for r in reqs for s in (*r.must_have, *r.nice_to_have)]
    names += [s.name for c in cands for s in c.skills]
    resolutions = {r.input: r for r in resolver.resolve_many(list(dict.fromkeys(names)))}
    entries = []
    for r in reqs:
        req = prepare_requirement(r, resolutions)
        entries.append(
            BookEntry(
                r.external_id, req, default_profile(r.track), relations_for(req, resolver.taxonomy.related_to)
            )
        )
    # a few requirements that make must-haves or the track hard, so those exclusions are
    # exercised too (the others score a candidate of the other track lower instead)
    for i in range(0, len(entries), 7):
        e = entries[i]
        entries[i] = dataclasses.replace(
            e, requirement=dataclasses.replace(e.requirement, must_have_is_hard=True)
        )
    for i in range(3, len(entries), 5):
        e = entries[i]
        entries[i] = dataclasses.replace(
            e, requirement=dataclasses.replace(e.requirement, track_is_hard=True)
        )
    return tuple(entries), tuple(prepare_candidate(c, resolutions) for c in cands)


def test_estimate_is_the_core_score_for_every_pair() -> None:
    entries, candidates = world()
    book = RequirementBook(entries)
    eligible_pairs = cross_track_eligible = 0
    for candidate in candidates:
        est = book.estimate(candidate, TODAY)
        for i, e in enumerate(entries):
            result = Scorer(e.requirement, e.profile, e.relations, TODAY).score(candidate)
            assert float(est.score[i]) == result.score, (candidate.external_id, e.key)
            assert float(est.must_have[i]) == result.components["must_have"].value
            assert bool(est.eligible[i]) == result.eligible, (candidate.external_id, e.key, result.exclusions)
            eligible_pairs += result.eligible
            cross_track_eligible += result.eligible and result.track_penalty > 0
    # the world is not degenerate: both outcomes occur often, and the other track's penalty too
    assert 0.05 < eligible_pairs / (len(entries) * len(candidates)) < 0.95
    assert cross_track_eligible > 0


@pytest.mark.parametrize(("top", "include_ineligible"), [(None, False), (5, False), (3, True), (1, False)])
def test_rank_requirements_is_the_reference(top: int | None, include_ineligible: bool) -> None:
    entries, candidates = world()
    book = RequirementBook(entries)
    for candidate in candidates[:8]:
        fast = rank_requirements(candidate, book, TODAY, top=top, include_ineligible=include_ineligible)
        slow = reference_rank_requirements(
            candidate, entries, TODAY, top=top, include_ineligible=include_ineligible
        )
        assert fast.method == "vectorised"
        assert fast.model_dump(exclude={"method"}) == slow.model_dump(exclude={"method"})
        ranks = [m.rank for m in fast.matches if m.eligible]
        assert ranks == list(range(1, len(ranks) + 1))
        scores = [m.score for m in fast.matches if m.eligible]
        assert scores == sorted(scores, reverse=True)


def test_a_wrong_estimate_is_never_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the estimate disagrees with the core (say the core changed and the book did not),
    every requirement is scored by the core and the answer is still the reference."""
    entries, candidates = world()
    book = RequirementBook(entries)
    candidate = next(c for c in candidates if book.estimate(c, TODAY).eligible.sum() > 3)
    true = book.estimate

    def skewed(c: CandidateProfile, today: object) -> Estimate:
        est = true(c, TODAY)
        return Estimate(est.score + np.linspace(0, 5, len(est.score)), est.must_have, est.eligible)

    monkeypatch.setattr(book, "estimate", skewed)
    fast = rank_requirements(candidate, book, TODAY, top=3)
    assert fast.method == "reference"
    slow = reference_rank_requirements(candidate, entries, TODAY, top=3)
    assert fast.model_dump(exclude={"method"}) == slow.model_dump(exclude={"method"})


def test_bad_input_is_refused() -> None:
    entries, candidates = world()
    with pytest.raises(ValidationFailed, match="appears twice"):
        RequirementBook([entries[0], entries[0]])
    other = next(e for e in entries if e.requirement.track is not entries[0].requirement.track)
    with pytest.raises(ValidationFailed, match="weight profile"):
        RequirementBook([dataclasses.replace(entries[0], profile=other.profile)])
    with pytest.raises(ValidationFailed, match="top must be at least 1"):
        rank_requirements(candidates[0], RequirementBook(entries[:3]), TODAY, top=0)


def test_an_empty_book_ranks_nothing() -> None:
    _, candidates = world()
    result = rank_requirements(candidates[0], RequirementBook([]), TODAY, top=5, include_ineligible=True)
    assert (result.requirements, result.eligible, result.matches) == (0, 0, [])
