"""Client accounts and API keys."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from matcher.models.base import timestamp, uuid_pk
from matcher.roles import Role


class Client(SQLModel, table=True):
    __tablename__ = "client"

    id: uuid.UUID = uuid_pk()
    slug: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    created_at: dt.datetime = timestamp()


class ApiKey(SQLModel, table=True):
    """An API key: only its SHA-256 hash is stored; ``prefix`` is the visible part."""

    __tablename__ = "api_key"

    id: uuid.UUID = uuid_pk()
    prefix: str = Field(max_length=16, unique=True, index=True)
    key_hash: str = Field(max_length=64)
    role: Role = Field(sa_type=String(16))
    client_id: uuid.UUID | None = Field(default=None, foreign_key="client.id", index=True)
    label: str = Field(default="", max_length=200)
    created_at: dt.datetime = timestamp()
    revoked_at: dt.datetime | None = timestamp(nullable=True)
    last_used_at: dt.datetime | None = timestamp(nullable=True)


class UiSessionRecord(SQLModel, table=True):
    """A signed-in web UI session. The cookie carries a random nonce; only its SHA-256 is
    stored. Signing out deletes the row, so the cookie ends everywhere it was copied."""

    __tablename__ = "ui_session"

    token_hash: str = Field(max_length=64, primary_key=True)
    key_id: uuid.UUID = Field(foreign_key="api_key.id", index=True, ondelete="CASCADE")
    created_at: dt.datetime = timestamp()
    expires_at: dt.datetime = timestamp(index=True)
