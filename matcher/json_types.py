"""Text without NUL, and JSON's own types for request bodies.

``NoNul``: PostgreSQL cannot store NUL (``\\u0000``) in text, so a body with NUL in any string
(or key) is refused before it gets near the database, where it would be a server error. The
services' input models mix it in; it applies to the API and the web UI alike.

``JsonTypes``: pydantic's lax mode reads ``true`` as ``1.0``, ``"5"`` as ``5`` and ``0`` as the
date 1970-01-01. For data that arrives as JSON that is a silent misreading, so the API's body
models (not the UI's, whose form fields are all text) also mix in ``JsonTypes``: before
validation it walks the raw data along the model's fields (nested models, lists and dicts
included) and refuses booleans and text where a number belongs and numbers where a date belongs.

Both raise an ordinary pydantic ``ValidationError`` whose errors carry each field's location,
so callers see them like any other validation error.
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable
from functools import cache
from inspect import isclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]
_NUMBERS = (int, float)


def _describe(value: Any) -> str:
    return "true/false" if isinstance(value, bool) else "text" if isinstance(value, str) else "a number"


#: Where a value of one annotation has the wrong JSON type: ``check(value, loc)``.
Check = Callable[[Any, Loc], list[Problem]]


def _number(value: Any, loc: Loc) -> list[Problem]:
    if isinstance(value, bool | str):
        return [(loc, f"expected a number, got {_describe(value)}")]
    return []


def _date(value: Any, loc: Loc) -> list[Problem]:
    if isinstance(value, bool | int | float):
        return [(loc, f"expected a date as YYYY-MM-DD text, got {_describe(value)}")]
    return []


def _optional(check: Check) -> Check:
    return lambda value, loc: [] if value is None else check(value, loc)


def _model(model: type[BaseModel]) -> Check:
    return lambda value, loc: model_type_problems(model, value, loc) if isinstance(value, dict) else []


def _items(check: Check) -> Check:
    def items(value: Any, loc: Loc) -> list[Problem]:
        if not isinstance(value, list):
            return []
        return [p for i, v in enumerate(value) for p in check(v, (*loc, i))]

    return items


def _values(check: Check) -> Check:
    def values(value: Any, loc: Loc) -> list[Problem]:
        if not isinstance(value, dict):
            return []
        return [p for k, v in value.items() for p in check(v, (*loc, str(k)))]

    return values


def _checker(annotation: Any) -> Check | None:
    """The check for values of ``annotation``; None where no JSON type can be wrong (text,
    enumerations, ...), so that walking a record skips those fields entirely."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _checker(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        inner = _checker(options[0]) if len(options) == 1 else None
        return None if inner is None else _optional(inner)
    if annotation in _NUMBERS:
        return _number
    if annotation is dt.date:
        return _date
    if isclass(annotation) and issubclass(annotation, BaseModel):
        return _model(annotation) if _plan(annotation) else None
    if origin is list:
        (item,) = get_args(annotation)
        inner = _checker(item)
        return None if inner is None else _items(inner)
    if origin is dict:
        _, item = get_args(annotation)
        inner = _checker(item)
        return None if inner is None else _values(inner)
    return None


@cache
def _plan(model: type[BaseModel]) -> tuple[tuple[str, Check], ...]:
    """The fields of ``model`` that need a check, with it (worked out once per model)."""
    plan = []
    for name, info in model.model_fields.items():
        check = _checker(info.annotation)
        if check is not None:
            plan.append((name, check))
    return tuple(plan)


def type_problems(annotation: Any, value: Any, loc: Loc = ()) -> list[Problem]:
    """Where ``value`` (decoded JSON) has the wrong JSON type for ``annotation``."""
    check = _checker(annotation)
    return [] if check is None else check(value, loc)


def model_type_problems(model: type[BaseModel], data: dict[str, Any], loc: Loc = ()) -> list[Problem]:
    problems: list[Problem] = []
    for name, check in _plan(model):
        if name in data:
            problems += check(data[name], (*loc, name))
    return problems


def nul_problems(value: Any, loc: Loc = ()) -> list[Problem]:
    """Where text (a value or a key) in decoded JSON contains NUL."""
    if isinstance(value, str):
        return [(loc, "text must not contain NUL (\\u0000)")] if "\x00" in value else []
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in nul_problems(v, (*loc, i))]
    if isinstance(value, dict):
        problems = []
        for k, v in value.items():
            here = (*loc, str(k).replace("\x00", "\\u0000"))
            problems += nul_problems(k, here) + nul_problems(v, here)
        return problems
    return []


def _raise(model: type[BaseModel], problems: list[Problem], data: Any) -> None:
    if problems:
        raise ValidationError.from_exception_data(
            model.__name__,
            [
                InitErrorDetails(type=PydanticCustomError("json_type", message), loc=loc, input=data)
                for loc, message in problems
            ],
        )


class NoNul(BaseModel):
    """Mix in to refuse NUL anywhere in the input (see the module doc)."""

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        _raise(cls, nul_problems(data), data)
        return data


class JsonTypes(BaseModel):
    """Mix in to refuse lax JSON types before the model validates (see the module doc)."""

    @model_validator(mode="before")
    @classmethod
    def _json_types(cls, data: Any) -> Any:
        if isinstance(data, dict):
            _raise(cls, model_type_problems(cls, data), data)
        return data
