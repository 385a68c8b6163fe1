"""JSON's own types for request bodies: a number is a number, a date is text, text has no NUL.

Pydantic's lax mode reads ``true`` as ``1.0``, ``"5"`` as ``5`` and ``0`` as the date
1970-01-01. For data that arrives as JSON that is a silent misreading, so API bodies mix in
``JsonTypes``: before validation it walks the raw data along the model's fields (nested models,
lists and dicts included) and rejects booleans and text where a number belongs and numbers
where a date belongs, naming each field. It also refuses text containing NUL anywhere, which
PostgreSQL cannot store. Everything else is left to the model's validation.

The errors are raised as ``ValidationFailed`` (not a pydantic error) so that each keeps its own
field path; the API maps it to a 422 like any validation error.
"""

from __future__ import annotations

import datetime as dt
import types
from inspect import isclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, model_validator

from matcher.errors import FieldError, ValidationFailed

_NUMBERS = (int, float)


def _describe(value: Any) -> str:
    return "true/false" if isinstance(value, bool) else "text" if isinstance(value, str) else "a number"


def type_errors(annotation: Any, value: Any, path: str) -> list[FieldError]:
    """Where ``value`` (decoded JSON) has the wrong JSON type for ``annotation``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return type_errors(get_args(annotation)[0], value, path)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        return type_errors(options[0], value, path) if len(options) == 1 and value is not None else []
    if annotation in _NUMBERS and isinstance(value, bool | str):
        return [FieldError(path, f"expected a number, got {_describe(value)}")]
    if annotation is dt.date and isinstance(value, bool | int | float):
        return [FieldError(path, f"expected a date as YYYY-MM-DD text, got {_describe(value)}")]
    if isclass(annotation) and issubclass(annotation, BaseModel) and isinstance(value, dict):
        return model_type_errors(annotation, value, path)
    if origin is list and isinstance(value, list):
        (item,) = get_args(annotation)
        return [e for i, v in enumerate(value) for e in type_errors(item, v, f"{path}.{i}")]
    if origin is dict and isinstance(value, dict):
        _, item = get_args(annotation)
        return [e for k, v in value.items() for e in type_errors(item, v, f"{path}.{k}")]
    return []


def nul_errors(value: Any, path: str) -> list[FieldError]:
    """Where text (a value or a key) in decoded JSON contains NUL."""
    if isinstance(value, str):
        return (
            [FieldError(path or "(body)", "text must not contain NUL (\\u0000)")] if "\x00" in value else []
        )
    if isinstance(value, list):
        return [e for i, v in enumerate(value) for e in nul_errors(v, f"{path}.{i}" if path else str(i))]
    if isinstance(value, dict):
        errors = []
        for k, v in value.items():
            here = (f"{path}.{k}" if path else str(k)).replace("\x00", "\\u0000")
            errors += nul_errors(k, here) + nul_errors(v, here)
        return errors
    return []


def model_type_errors(model: type[BaseModel], data: dict[str, Any], prefix: str = "") -> list[FieldError]:
    errors = []
    for name, info in model.model_fields.items():
        if name in data:
            errors += type_errors(info.annotation, data[name], f"{prefix}.{name}" if prefix else name)
    return errors


class JsonTypes(BaseModel):
    """Mix in first: rejects lax JSON types before the model validates (see the module doc)."""

    @model_validator(mode="before")
    @classmethod
    def _json_types(cls, data: Any) -> Any:
        if isinstance(data, dict):
            errors = nul_errors(data, "") or model_type_errors(cls, data)
            if errors:
                raise ValidationFailed(f"{len(errors)} field(s) of the wrong JSON type: {errors[0]}", errors)
        return data
