"""Weight profiles are an admin's: the service refuses every other role itself (API and UI alike)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from matcher.errors import Forbidden
from matcher.models import Role
from matcher.services.accounts.service import Principal
from matcher.services.weight_profiles import service as weights
from matcher.services.weight_profiles import store as profiles
from tests.helpers import fixed_ids

ADMIN, RECRUITER, CLIENT = (
    Principal(key_id=i, prefix=f"tm_test000{n}", role=role)
    for n, (i, role) in enumerate(zip(fixed_ids(3), (Role.admin, Role.recruiter, Role.client), strict=True))
)


def test_an_admin_reads_the_profiles(session: Session) -> None:
    profiles.ensure_default_profiles(session)
    listed = weights.list_profiles(session, ADMIN)
    assert listed and weights.get_profile(session, ADMIN, listed[0].id) == listed[0]


@pytest.mark.parametrize("caller", [RECRUITER, CLIENT], ids=["recruiter", "client"])
def test_other_roles_cannot_read_them(session: Session, caller: Principal) -> None:
    profiles.ensure_default_profiles(session)
    some = weights.list_profiles(session, ADMIN)[0].id
    with pytest.raises(Forbidden):
        weights.list_profiles(session, caller)
    with pytest.raises(Forbidden):
        weights.list_profiles(session, caller, all_versions=True)
    with pytest.raises(Forbidden):
        weights.get_profile(session, caller, some)
