"""Key management checks its caller inside the service: only an admin (or an operator at the
console, who is one) creates, lists, reads or revokes keys, whichever door calls."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from matcher.errors import Forbidden
from matcher.models import Role
from matcher.services.accounts import service as accounts
from matcher.services.accounts.service import Principal
from tests.helpers import fixed_ids

ADMIN, RECRUITER, CLIENT = (
    Principal(key_id=i, prefix=f"tm_test000{n}", role=role)
    for n, (i, role) in enumerate(zip(fixed_ids(3), (Role.admin, Role.recruiter, Role.client), strict=True))
)


def test_an_admin_manages_keys_and_is_named_in_the_audit(session: Session) -> None:
    new = accounts.create_key(session, ADMIN, Role.recruiter, label="r")
    assert [k.prefix for k in accounts.list_keys(session, ADMIN)] == [new.info.prefix]
    assert accounts.get_key(session, ADMIN, new.info.prefix).id == new.info.id
    assert accounts.revoke_key(session, ADMIN, str(new.info.id)).active is False


@pytest.mark.parametrize("caller", [RECRUITER, CLIENT], ids=["recruiter", "client"])
def test_other_roles_are_refused_by_the_service_itself(session: Session, caller: Principal) -> None:
    existing = accounts.create_key(session, ADMIN, Role.recruiter).info.prefix
    with pytest.raises(Forbidden):
        accounts.create_key(session, caller, Role.admin)
    with pytest.raises(Forbidden):
        accounts.list_keys(session, caller)
    with pytest.raises(Forbidden):
        accounts.get_key(session, caller, existing)
    with pytest.raises(Forbidden):
        accounts.revoke_key(session, caller, existing)
    assert [k.active for k in accounts.list_keys(session, ADMIN)] == [True], "nothing was changed"


def test_the_console_operator_is_an_admin_named_as_such() -> None:
    operator = Principal.console("cli")
    operator.require(Role.admin)
    assert operator.actor == "cli"
    assert ADMIN.actor == "admin:tm_test0000"
