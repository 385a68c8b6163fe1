"""Property: for any requirements (each with its own weighting and relation credits) and any
candidate, the book's estimate is the core's score bit for bit, with the core's eligibility, and
``rank_requirements`` is the reference ranking, edge cases included (the index's strategies:
daylight-saving dates, budget boundaries, subnormal relation credits, -0.0, unknown skills)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.core import CandidateProfile, Scorer
from matcher.reverse import BookEntry, RequirementBook, rank_requirements, reference_rank_requirements
from tests.index.index_strategies import candidates, relations, requirements, todays, weightings


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[BookEntry], CandidateProfile, dt.date]:
    entries = []
    for i in range(draw(st.integers(1, 8))):
        req = dataclasses.replace(draw(requirements()), external_id=f"r{i}")
        entries.append(BookEntry(f"r{i}", req, draw(weightings(req.track)), draw(relations)))
    anchor = draw(st.sampled_from(entries)).requirement
    return entries, draw(candidates("cand", anchor)), draw(todays)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_estimate_is_the_core_and_ranking_is_the_reference(
    world: tuple[list[BookEntry], CandidateProfile, dt.date],
) -> None:
    entries, candidate, today = world
    book = RequirementBook(entries)
    est = book.estimate(candidate, today)
    for i, e in enumerate(entries):
        want = Scorer(e.requirement, e.profile, e.relations, today).score(candidate)
        assert float(est.score[i]) == want.score, e.key
        assert bool(est.eligible[i]) == want.eligible, (e.key, want.exclusions)
    for top in (None, 1, 3):
        for include_ineligible in (False, True):
            got = rank_requirements(candidate, book, today, top=top, include_ineligible=include_ineligible)
            want_ranking = reference_rank_requirements(
                candidate, entries, today, top=top, include_ineligible=include_ineligible
            )
            assert got.method == "vectorised"
            assert got.model_dump(exclude={"method"}) == want_ranking.model_dump(exclude={"method"})
