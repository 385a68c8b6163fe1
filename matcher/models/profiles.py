"""Role weight profiles, versioned: a change writes a new row; runs point at the row they used."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from matcher.models.base import json_field, timestamp, uuid_pk


class WeightProfileRecord(SQLModel, table=True):
    __tablename__ = "weight_profile"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_weight_profile_name_version"),)

    id: uuid.UUID = uuid_pk()
    name: str = Field(max_length=64, index=True)
    version: int = 1
    track: str = Field(max_length=16, index=True)
    components: dict[str, float] = json_field()
    dimensions: dict[str, float] = json_field()
    is_default: bool = Field(default=False, description="The profile used for its track unless overridden.")
    created_by: str = Field(default="system", max_length=100)
    created_at: dt.datetime = timestamp()
