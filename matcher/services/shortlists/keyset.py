"""Keyset pagination of shortlists: each view's order as a list of sort keys, a cursor holding
the keys of the last row of a page, and the condition "after that row".

Staff: the ranked entries first by rank, then the others by score, best first; ties by
candidate id. Clients: in the order the entries were presented (never presented last), ties by
handle, so a client's order says nothing it must not learn. The keys are selected with the
page's rows (``k0``, ``k1``, ...), so the next cursor is the last row's keys, and a page after a
cursor is an index range, however deep, instead of an OFFSET that reads every row before it.

A cursor is decoded with each key's type and range checked: anything that is not a cursor we
made is a 422 on ``cursor``, never a database error.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import DateTime, Integer, and_, bindparam, case, func, literal, or_

from matcher.models.tables import ENTRY
from matcher.services.cursors import decode_cursor, encode_cursor, invalid_cursor

#: Larger than any rank; a cursor beyond it is not one we made (and could overflow an integer).
MAX_RANK = 1_000_000_000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


#: (key, descending) in order of precedence.
STAFF_KEYS: tuple[tuple[Any, bool], ...] = (
    (_flag(ENTRY.c.rank.is_(None)), False),
    (func.coalesce(ENTRY.c.rank, literal(0, Integer)), False),
    (ENTRY.c.score, True),
    (ENTRY.c.candidate_id, False),
)
CLIENT_KEYS: tuple[tuple[Any, bool], ...] = (
    (_flag(ENTRY.c.presented_at.is_(None)), False),
    (func.coalesce(ENTRY.c.presented_at, literal(_EPOCH, DateTime(timezone=True))), False),
    (ENTRY.c.handle, False),
)


def keys(staff: bool) -> tuple[tuple[Any, bool], ...]:
    return STAFF_KEYS if staff else CLIENT_KEYS


def ordered(query: Any, staff: bool) -> Any:
    """``query`` in the view's order, with its sort keys as columns ``k0``, ``k1``, ..."""
    view = keys(staff)
    return query.add_columns(*(k.label(f"k{i}") for i, (k, _) in enumerate(view))).order_by(
        *(k.desc() if desc else k for k, desc in view)
    )


def after(staff: bool) -> Any:
    """Rows after the one whose keys are the parameters ``k0``, ``k1``, ... (in view order)."""
    condition: Any = None
    for i, (key, desc) in reversed(list(enumerate(keys(staff)))):
        value = bindparam(f"k{i}", type_=key.type)
        beyond = key < value if desc else key > value
        condition = beyond if condition is None else or_(beyond, and_(key == value, condition))
    return condition


def _int(high: int) -> Callable[[Any], int]:
    def read(value: Any) -> int:
        if type(value) is not int or not 0 <= value <= high:
            raise ValueError(value)
        return value

    return read


def _float(value: Any) -> float:
    if type(value) not in (int, float) or not math.isfinite(value):
        raise ValueError(value)
    return float(value)


def _moment(value: Any) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError(value)
    return value


_STAFF_TYPES = (_int(1), _int(MAX_RANK), _float, lambda v: uuid.UUID(_text(v)))
_CLIENT_TYPES = (_int(1), lambda v: _moment(_text(v)), _text)


def decode(cursor: str, staff: bool) -> dict[str, Any]:
    """The parameters of ``after`` from a cursor of the view; a 422 on ``cursor`` otherwise."""
    types: Sequence[Callable[[Any], Any]] = _STAFF_TYPES if staff else _CLIENT_TYPES
    values = decode_cursor(cursor, len(types))
    try:
        return {f"k{i}": read(v) for i, (read, v) in enumerate(zip(types, values, strict=True))}
    except (ValueError, TypeError, OverflowError):
        raise invalid_cursor() from None


def encode(row: Any, staff: bool) -> str:
    """The cursor after ``row`` (a row with the key columns)."""
    values = [getattr(row, f"k{i}") for i in range(len(keys(staff)))]
    return encode_cursor([v.isoformat() if isinstance(v, dt.datetime) else v for v in values])
