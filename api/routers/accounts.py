"""``/api/v1/me`` (any key) and ``/api/v1/api-keys`` (admin): who am I, and key management."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import Admin, Caller, SessionDep, SessionRoute
from api.problems import problem_responses
from matcher.json_types import NoNul
from matcher.models import Role
from matcher.services.accounts import service as accounts
from matcher.services.accounts.service import KeyInfo

router = APIRouter(tags=["accounts"], route_class=SessionRoute)


class Me(BaseModel):
    role: Role
    client: str | None
    key_prefix: str


class ClientKeyCreate(NoNul):
    model_config = {"extra": "forbid"}

    role: Literal[Role.client]
    client: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="The client account the key belongs to (created if new).",
    )
    label: str = Field(default="", max_length=200)


class StaffKeyCreate(NoNul):
    model_config = {"extra": "forbid"}

    role: Literal[Role.recruiter, Role.admin]
    label: str = Field(default="", max_length=200)


KeyCreate = Annotated[ClientKeyCreate | StaffKeyCreate, Field(discriminator="role")]


class CreatedKey(BaseModel):
    key: str = Field(description="The full API key. It is shown this once and never stored.")
    info: KeyInfo


@router.get("/me")
def me(caller: Caller) -> Me:
    """The role and client account of the calling key."""
    return Me(role=caller.role, client=caller.client_slug, key_prefix=caller.prefix)


@router.get("/api-keys")
def list_keys(session: SessionDep, caller: Admin) -> list[KeyInfo]:
    """Every key with its prefix, role, client and state; never a secret."""
    return accounts.list_keys(session, caller)


@router.post("/api-keys", status_code=201)
def create_key(body: KeyCreate, session: SessionDep, caller: Admin) -> CreatedKey:
    """Create a key; a client key needs ``client``, staff keys must not have one."""
    client = body.client if isinstance(body, ClientKeyCreate) else None
    new = accounts.create_key(session, caller, body.role, client=client, label=body.label)
    return CreatedKey(key=new.secret, info=new.info)


@router.delete("/api-keys/{key_id:uuid}", responses=problem_responses(409))
def revoke_key(key_id: uuid.UUID, session: SessionDep, caller: Admin) -> KeyInfo:
    """Revoke a key: it stops working at once."""
    return accounts.revoke_key(session, caller, str(key_id))
