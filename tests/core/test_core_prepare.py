"""From import-format records and real resolutions to the core's types."""

from __future__ import annotations

import pytest

from matcher.core import prepare_candidate, prepare_requirement, relations_for, skill_names
from matcher.errors import ValidationFailed
from matcher.schemas import CandidateIn, Degree, RequirementIn
from matcher.skills import default_resolver
from tests.helpers import example


def resolved(requirement: RequirementIn, *candidates: CandidateIn) -> dict:
    names = skill_names(requirement, candidates)
    return {r.input: r for r in default_resolver().resolve_many(names)}


def test_skill_names_are_distinct_in_first_seen_order() -> None:
    req = RequirementIn.model_validate(example("requirement"))
    cand = CandidateIn.model_validate(example("candidate"))
    twice = CandidateIn.model_validate({**example("candidate"), "external_id": "other"})
    assert skill_names(req, [cand, twice]) == [
        "Python",
        "PostgreSQL",
        "Kubernetes",
        "Apache Kafka",
        "Postgres",
        "k8s",
        "Kafka",
    ]


def test_profiles_carry_keys_and_how_names_resolved() -> None:
    req_in = RequirementIn.model_validate(example("requirement"))
    cand_in = CandidateIn.model_validate(example("candidate"))
    resolutions = resolved(req_in, cand_in)
    req = prepare_requirement(req_in, resolutions)
    cand = prepare_candidate(cand_in, resolutions)
    assert [s.key for s in req.must_have] == ["python", "postgresql"]
    assert (req.min_degree, req.min_years_experience) == (Degree.bachelor, 6)
    postgres = next(s for s in cand.skills if s.skill.raw == "Postgres")
    assert (postgres.key, postgres.skill.name, postgres.skill.method) == ("postgresql", "PostgreSQL", "alias")
    assert {s.key for s in cand.skills} >= {"kubernetes", "kafka"}
    assert cand.degree is Degree.master and cand.vetting_scores


def test_no_education_means_no_requirement() -> None:
    data = {k: v for k, v in example("requirement").items() if k != "education"}
    req_in = RequirementIn.model_validate({**data, "must_have_is_hard": True})
    req = prepare_requirement(req_in, resolved(req_in))
    assert (req.min_degree, req.education_fields, req.must_have_is_hard) == (Degree.none, (), True)


def test_unresolved_name_is_an_error() -> None:
    req_in = RequirementIn.model_validate(example("requirement"))
    with pytest.raises(ValidationFailed, match="'Python' was not resolved"):
        prepare_requirement(req_in, {})


def test_relations_cover_the_required_skills() -> None:
    req_in = RequirementIn.model_validate(example("requirement"))
    req = prepare_requirement(req_in, resolved(req_in))
    relations = relations_for(req, default_resolver().taxonomy.related_to)
    assert set(relations) == {"python", "postgresql", "kubernetes", "kafka"}
    assert 0 < relations["python"]["django"] < 1
