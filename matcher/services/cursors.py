"""Opaque cursors for keyset pagination.

A cursor is the sort key of the last row of a page, as JSON in URL-safe base64: the client
passes it back unchanged and never needs to know what is inside. A cursor that does not decode
is a validation error on the ``cursor`` field, not a server error.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Sequence
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel

from matcher.errors import FieldError, ValidationFailed

T = TypeVar("T")

#: Largest page any list endpoint serves.
MAX_PAGE = 200
DEFAULT_PAGE = 50


def _as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite gives back naive UTC timestamps, PostgreSQL aware ones: always answer aware."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


#: A timestamp in responses: always with its UTC offset (RFC 3339).
UtcDateTime = Annotated[dt.datetime, AfterValidator(_as_utc)]


class Page(BaseModel, Generic[T]):
    """One page of a list; ``next_cursor`` is None on the last page."""

    items: list[T]
    next_cursor: str | None = None


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":"), default=str).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def invalid_cursor() -> ValidationFailed:
    return ValidationFailed("invalid cursor", [FieldError("cursor", "not a cursor returned by this list")])


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    """The values of a cursor made by ``encode_cursor`` with ``arity`` values."""
    bad = invalid_cursor()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad from None
    if not isinstance(values, list) or len(values) != arity:
        raise bad
    if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values):
        raise bad
    if any(isinstance(v, str) and "\x00" in v for v in values):
        raise bad
    return values


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed(
            "invalid page size", [FieldError("limit", f"must be between 1 and {MAX_PAGE}, got {limit}")]
        )
    return limit
