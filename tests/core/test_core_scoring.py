"""Component formulas, the breakdown, explanations and the ranker's ordering."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from matcher.core import (
    Component,
    ComponentScore,
    RankedCandidate,
    default_profile,
    rank,
    score_candidate,
    why_above,
)
from matcher.core import components as f
from matcher.core.ranking import sort_key
from matcher.errors import ValidationFailed
from matcher.schemas import Degree, Dimension, Seniority, Track
from tests.core.core_builders import (
    DESIGN,
    EXECUTION,
    TODAY,
    candidate,
    has,
    needs,
    requirement,
    scores,
)

ENGINEER = default_profile(Track.engineer)
DEVELOPER = default_profile(Track.developer)


# --- formulas ----------------------------------------------------------------------------------


def test_years_factor() -> None:
    assert f.years_factor(2, 4) == pytest.approx(0.75)
    assert f.years_factor(0, 4) == pytest.approx(f.YEARS_FLOOR)
    assert f.years_factor(9, 4) == 1.0
    assert f.years_factor(0, 0) == 1.0


def test_recency_factor() -> None:
    assert f.recency_factor(2026, 2026) == 1.0
    assert f.recency_factor(2025, 2026) == 1.0
    assert f.recency_factor(2030, 2026) == 1.0
    assert f.recency_factor(2020, 2026) == pytest.approx(0.3 + 0.7 * math.exp(-5 / 3))
    assert f.recency_factor(1970, 2026) == pytest.approx(f.RECENCY_FLOOR)
    assert f.recency_factor(None, 2026) == f.recency_factor(2026 - f.RECENCY_UNKNOWN_AGE, 2026)
    # Disclosing a recent year is never worse than leaving it out.
    for year in range(2026 - f.RECENCY_UNKNOWN_AGE, 2028):
        assert f.recency_factor(year, 2026) >= f.recency_factor(None, 2026)


def test_seniority_prefers_exact_then_one_above() -> None:
    exact, above, below = f.seniority(2, 2), f.seniority(3, 2), f.seniority(1, 2)
    assert exact == 1.0
    assert above == pytest.approx(0.85)
    assert below == pytest.approx(0.55)
    assert f.seniority(0, 4) == 0.0


def test_rate_is_gentle() -> None:
    assert f.rate(1.0) == pytest.approx(f.RATE_AT_BUDGET)
    assert f.rate(0.5) == pytest.approx(0.8)
    assert f.rate(1.4) == pytest.approx(f.RATE_AT_BUDGET)


def test_timezone_value() -> None:
    assert f.timezone(2.0, 3.0) == 0.0
    assert f.timezone(3.0, 3.0) == pytest.approx(0.5)
    assert f.timezone(5.5, 3.0) == pytest.approx(0.75)
    assert f.timezone(8.0, 3.0) == 1.0
    assert f.timezone(8.0, 8.0) == 1.0


def test_availability_saturates() -> None:
    assert f.availability(-1) == 0.0
    assert f.availability(0) == pytest.approx(0.5)
    assert f.availability(14) == pytest.approx(0.5 + 0.5 * (1 - math.exp(-1)))
    assert f.availability(3650) == pytest.approx(1.0)


def test_education_value_and_fields() -> None:
    assert f.education(2, 3, True) == pytest.approx(0.7 * 0.6 + 0.3)
    assert f.education(4, 2, False) == pytest.approx(0.7)
    assert f.education(0, 0, True) == 1.0
    assert f.field_matches("Software Engineering", ["engineering"])
    # Fields by their usual abbreviations resolve like skills do.
    assert f.field_matches("CS", ["computer science"])
    assert f.field_matches("Comp. Sci.", ["computer science"])
    assert f.field_matches("Maths", ["mathematics"])
    assert f.field_matches("Software Eng.", ["engineering"])
    assert f.field_matches("computer science", ["CS"])
    assert not f.field_matches("history", ["computer science", "mathematics"])
    assert not f.field_matches("CS", ["mathematics"])
    assert f.field_matches("Computer Science & Maths", ["computer science"])
    assert not f.field_matches("science", ["computer science"])
    assert not f.field_matches(None, ["mathematics"])
    assert f.field_matches(None, [])


# --- the breakdown -------------------------------------------------------------------------------


def test_breakdown_adds_up() -> None:
    cand = candidate(skills=(has("python", 2, 2021), has("kafka", 1)), seniority=Seniority.lead)
    r = score_candidate(requirement(), cand, ENGINEER, {}, TODAY)
    points = sum(c.points for c in r.components.values())
    assert r.score == pytest.approx(points - r.must_have_penalty)
    for name, c in r.components.items():
        assert c.points == pytest.approx(100 * c.weight * c.value), name
    skill_losses = sum(m.points_lost for m in r.skill_matches)
    other_losses = sum(
        100 * c.weight * (1 - c.value)
        for name, c in r.components.items()
        if name not in {"must_have", "nice_to_have"}
    )
    assert skill_losses + other_losses == pytest.approx(100 - r.score)


def test_score_is_weighted_sum_scaled_by_the_gate() -> None:
    cand = candidate(skills=(has("python", 6),))
    r = score_candidate(requirement(), cand, ENGINEER, {}, TODAY)
    base = sum(100 * ENGINEER.components[c] * r.components[c.value].value for c in Component)
    assert r.components["must_have"].value == pytest.approx(0.5)
    assert r.score == pytest.approx(base * (1 - f.MUST_HAVE_GATE * 0.5))


def test_missing_must_have_costs_sharply_and_says_how_much() -> None:
    full = score_candidate(requirement(), candidate(), ENGINEER, {}, TODAY)
    cand = candidate(skills=(has("python", 6), has("kafka", 2)))
    r = score_candidate(requirement(), cand, ENGINEER, {}, TODAY)
    miss = next(m for m in r.skill_matches if m.required_key == "postgresql")
    assert miss.matched is None and miss.credit == 0
    assert f"missing must-have Postgresql: -{miss.points_lost:.1f} points" in r.reasons
    assert r.reasons[0].startswith("missing must-have Postgresql")
    # Half the must-haves missing: the must-have component's half and a quarter of the rest.
    assert full.score - r.score == pytest.approx(miss.points_lost)
    assert full.score - r.score > full.score / 4


def test_match_reasons_say_how_skills_matched() -> None:
    req = requirement(must_have=(needs("python", 4), needs("postgresql", 3)))
    cand = candidate(
        skills=(has("django", 4), has("postgresql", 4, raw="Postgres", method="alias")),
    )
    r = score_candidate(req, cand, ENGINEER, {"python": {"django": 0.6}}, TODAY)
    assert "must-have Postgresql: Postgresql, alias; 4 of 3 years; last used 2026" in (r.reasons)
    related = next(x for x in r.reasons if x.startswith("must-have Python:"))
    assert related.startswith("must-have Python: Django -> Python, related 60%; 4 of 4 years")
    python = next(m for m in r.skill_matches if m.required_key == "python")
    assert (python.matched, python.relation, python.credit) == ("Django", 0.6, pytest.approx(0.6))


def test_related_and_same_skill_take_the_best_credit() -> None:
    req = requirement(must_have=(needs("python", 4),))
    relations = {"python": {"django": 0.6}}
    stale = candidate(skills=(has("python", 8, 2012), has("django", 5)))
    r = score_candidate(req, stale, ENGINEER, relations, TODAY)
    match = r.skill_matches[0]
    assert match.matched == "Django"
    assert match.credit == pytest.approx(0.6)


def test_years_below_minimum_reduce_credit() -> None:
    req = requirement(must_have=(needs("python", 4),))
    r = score_candidate(req, candidate(skills=(has("python", 2),)), ENGINEER, {}, TODAY)
    assert r.skill_matches[0].credit == pytest.approx(0.75)
    assert any(x.startswith("must-have Python: Python, exact; 2 of 4 years") for x in r.reasons)


def test_no_nice_to_haves_and_no_education_punish_nobody() -> None:
    req = requirement(nice_to_have=())
    r = score_candidate(req, candidate(skills=(has("python", 6),)), ENGINEER, {}, TODAY)
    assert r.components["nice_to_have"].value == 1.0
    assert r.components["education"].value == 1.0
    assert "no education requirement" in r.reasons


def test_education_is_scored_against_the_spec() -> None:
    req = requirement(min_degree=Degree.bachelor, education_fields=("computer science",))
    ok = candidate(degree=Degree.master, field_of_study="Computer Science")
    off = candidate(degree=Degree.associate, field_of_study="History")
    r_ok = score_candidate(req, ok, ENGINEER, {}, TODAY)
    r_off = score_candidate(req, off, ENGINEER, {}, TODAY)
    assert r_ok.components["education"].value == 1.0
    assert r_off.components["education"].value == pytest.approx(0.7 * 0.6)
    assert any(x.startswith("education associate: below bachelor; field not among") for x in r_off.reasons)
    assert "education master: meets bachelor; field accepted: computer science" in r_ok.reasons
    assert not any("History" in x for x in r_off.reasons)


def test_reasons_hold_no_text_the_candidate_wrote() -> None:
    """A raw skill name or field of study can hold a name, an email or a phone number: the
    reasons name skills and fields in taxonomy (or the requirement's own) words only."""
    req = requirement(
        must_have=(needs("postgresql", 3), needs("unknown:quolldb", 1)),
        min_degree=Degree.bachelor,
        education_fields=("computer science",),
    )
    raw = "Zed Quimby's Postgres (zed.quimby@example.com)"
    cand = candidate(
        skills=(
            has("postgresql", 4, raw=raw, method="fuzzy"),
            has("unknown:quolldb", 2, raw="QuollDB (Yvette's)", method="unknown"),
        ),
        degree=Degree.master,
        field_of_study="Computer Science, Zed Quimby Academy, +1 555 0100",
    )
    r = score_candidate(req, cand, ENGINEER, {}, TODAY)
    text = " ".join(r.reasons)
    for token in ("Zed", "Quimby", "zed.quimby@example.com", "Yvette", "555", "Academy"):
        assert token not in text
    assert any(x.startswith("must-have Postgresql: Postgresql, fuzzy") for x in r.reasons)


def test_unassessed_dimension_counts_as_zero_and_is_named() -> None:
    partial = {d: 4.0 for d in Dimension if d is not Dimension.security}
    r = score_candidate(requirement(), candidate(vetting_scores=partial), ENGINEER, {}, TODAY)
    full = score_candidate(requirement(), candidate(), ENGINEER, {}, TODAY)
    expected = 0.8 * (1 - ENGINEER.dimensions[Dimension.security])
    assert r.components["role_fit"].value == pytest.approx(expected)
    assert r.score < full.score
    assert any("not assessed (counts as 0): security" in x for x in r.reasons)


def test_reasons_are_costliest_first() -> None:
    cand = candidate(skills=(has("python", 6),), years_experience=2, hourly_rate=79)
    r = score_candidate(requirement(), cand, ENGINEER, {}, TODAY)
    costs = [float(x.rsplit(": -", 1)[1].split()[0]) for x in r.reasons if x.endswith(" points")]
    assert costs == sorted(costs, reverse=True)
    assert len(costs) >= 4


# --- the two tracks ------------------------------------------------------------------------------


def test_designer_and_executor_swap_places_between_tracks() -> None:
    designer = candidate(
        "designer", vetting_scores=scores(4.0, **dict.fromkeys(DESIGN, 5.0)) | dict.fromkeys(EXECUTION, 2.0)
    )
    executor = candidate(
        "executor", vetting_scores=scores(4.0, **dict.fromkeys(EXECUTION, 5.0)) | dict.fromkeys(DESIGN, 2.0)
    )
    order = {}
    for track, profile in ((Track.engineer, ENGINEER), (Track.developer, DEVELOPER)):
        req = requirement(track=track)
        pool = [replace(c, track=track) for c in (designer, executor)]
        order[track] = [r.external_id for r in rank(req, pool, profile, {}, TODAY)]
    assert order[Track.engineer] == ["designer", "executor"]
    assert order[Track.developer] == ["executor", "designer"]


def test_profile_must_fit_the_requirement_track() -> None:
    with pytest.raises(ValidationFailed, match="developer track"):
        rank(requirement(), [candidate()], DEVELOPER, {}, TODAY)


# --- ordering ----------------------------------------------------------------------------------


def test_ties_break_on_external_id() -> None:
    pool = [candidate("b"), candidate("c"), candidate("a")]
    ranked = rank(requirement(), pool, ENGINEER, {}, TODAY)
    assert [(r.rank, r.external_id) for r in ranked] == [(1, "a"), (2, "b"), (3, "c")]


def test_sort_key_breaks_equal_scores_on_must_have() -> None:
    def result(external_id: str, score: float, must_have: float) -> RankedCandidate:
        return RankedCandidate(
            external_id=external_id,
            rank=None,
            score=score,
            eligible=True,
            profile="p@v1",
            components={"must_have": ComponentScore(value=must_have, weight=1.0, points=0.0)},
            must_have_penalty=0.0,
            reasons=[],
            exclusions=[],
            skill_matches=[],
        )

    items = [result("a", 50.0, 0.5), result("z", 50.0 + 1e-12, 0.9), result("m", 60.0, 0.1)]
    assert [r.external_id for r in sorted(items, key=sort_key)] == ["m", "z", "a"]


def test_better_candidate_ranks_first_and_top_limits() -> None:
    strong = candidate("strong")
    weak = candidate("weak", skills=(has("python", 1),), years_experience=2)
    mid = candidate("mid", skills=(has("python", 6), has("postgresql", 1)))
    ranked = rank(requirement(), [weak, mid, strong], ENGINEER, {}, TODAY)
    assert [r.external_id for r in ranked] == ["strong", "mid", "weak"]
    top = rank(requirement(), [weak, mid, strong], ENGINEER, {}, TODAY, top=2)
    assert [(r.rank, r.external_id) for r in top] == [(1, "strong"), (2, "mid")]


def test_bad_arguments_are_domain_errors() -> None:
    with pytest.raises(ValidationFailed, match="appears twice"):
        rank(requirement(), [candidate("a"), candidate("a")], ENGINEER, {}, TODAY)
    with pytest.raises(ValidationFailed, match="top must be at least 1"):
        rank(requirement(), [candidate()], ENGINEER, {}, TODAY, top=0)
    with pytest.raises(ValidationFailed, match="relation credit"):
        rank(requirement(), [candidate()], ENGINEER, {"python": {"django": 1.5}}, TODAY)


def test_results_are_json_and_explain_the_difference() -> None:
    a = candidate("a")
    b = candidate("b", skills=(has("python", 6), has("kafka", 2)))
    ranked = rank(requirement(), [b, a], ENGINEER, {}, TODAY)
    payload = json.loads(json.dumps([r.to_json() for r in ranked]))
    assert [p["external_id"] for p in payload] == ["a", "b"]
    assert set(payload[0]) >= {"external_id", "rank", "score", "components", "reasons"}
    lines = why_above(ranked[0], ranked[1])
    assert lines[0] == f"a scores +{ranked[0].score - ranked[1].score:.1f} points against b"
    assert lines[1].startswith("must-have gate +") or lines[1].startswith("must_have +")
