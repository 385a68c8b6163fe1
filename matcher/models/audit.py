"""Who changed what, when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Field, SQLModel

from matcher.models.base import json_field, timestamp


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = timestamp(index=True)
    actor: str = Field(max_length=100)
    action: str = Field(max_length=64, index=True)
    entity_type: str = Field(max_length=32)
    entity_id: str = Field(max_length=64, index=True)
    details: dict[str, Any] = json_field()
