"""Candidates are staff data: their services refuse a client themselves (API and UI alike), and
erasure is an admin's."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from matcher.errors import Forbidden
from matcher.models import Role
from matcher.schemas import CandidateIn
from matcher.services.accounts.service import Principal
from matcher.services.candidates import erasure
from matcher.services.candidates import service as candidates
from tests.helpers import example, fixed_ids

ADMIN, RECRUITER, CLIENT = (
    Principal(key_id=i, prefix=f"tm_test000{n}", role=role)
    for n, (i, role) in enumerate(zip(fixed_ids(3), (Role.admin, Role.recruiter, Role.client), strict=True))
)


def test_a_recruiter_reads_and_writes_candidates_but_only_an_admin_erases(session: Session) -> None:
    created = candidates.create_candidate(
        session, RECRUITER, CandidateIn.model_validate(example("candidate"))
    )
    assert candidates.get_candidate(session, RECRUITER, created.id).id == created.id
    with pytest.raises(Forbidden):
        erasure.erase_candidate(session, RECRUITER, created.id)
    assert erasure.erase_candidate(session, ADMIN, created.id).id == created.id


def test_a_client_is_refused_by_every_candidate_service(session: Session) -> None:
    created = candidates.create_candidate(
        session, RECRUITER, CandidateIn.model_validate(example("candidate"))
    )
    record = CandidateIn.model_validate(example("candidate"))
    with pytest.raises(Forbidden):
        candidates.create_candidate(session, CLIENT, record)
    with pytest.raises(Forbidden):
        candidates.get_candidate(session, CLIENT, created.id)
    with pytest.raises(Forbidden):
        candidates.list_candidates(session, CLIENT, candidates.CandidateFilters())
    with pytest.raises(Forbidden):
        candidates.replace_candidate(session, CLIENT, created.id, record)
    with pytest.raises(Forbidden):
        candidates.patch_candidate(session, CLIENT, created.id, candidates.CandidatePatch())
    with pytest.raises(Forbidden):
        candidates.import_candidates_text(session, CLIENT, "", max_records=10)
    with pytest.raises(Forbidden):
        erasure.erase_candidate(session, CLIENT, created.id)
