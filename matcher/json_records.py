"""Reading records from JSON text: one object, an array of objects, or JSON Lines.

Each record keeps the line it starts on, so that import errors can point at it.
"""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from matcher.errors import FieldError
from matcher.json_types import Problem, model_type_problems, nul_problems

_decoder = json.JSONDecoder()
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class RawRecord:
    line: int
    value: Any = None
    error: str | None = None


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


class _LineCounter:
    """Line numbers of increasing offsets in one pass (arrays can hold 100k records)."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1

    def __call__(self, text: str, pos: int) -> int:
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


def _iter_array(text: str, pos: int) -> Iterator[RawRecord]:
    _line_of = _LineCounter(text)
    pos = _skip_ws(text, pos + 1)
    if pos < len(text) and text[pos] == "]":
        return
    while pos < len(text):
        try:
            value, end = _decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield RawRecord(_line_of(text, exc.pos), error=f"invalid JSON: {exc.msg}")
            return
        yield RawRecord(_line_of(text, pos), value=value)
        pos = _skip_ws(text, end)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
            continue
        if pos < len(text) and text[pos] == "]":
            if _skip_ws(text, pos + 1) < len(text):
                yield RawRecord(_line_of(text, pos + 1), error="invalid JSON: text after the array")
            return
        yield RawRecord(_line_of(text, pos), error="invalid JSON: expected ',' or ']'")
        return
    yield RawRecord(_line_of(text, pos), error="invalid JSON: unterminated array")


def iter_records(text: str) -> Iterator[RawRecord]:
    """Yield the records of ``text``: an array's elements, or each line of JSON Lines (which
    includes a single object, possibly spread over several lines)."""
    start = _skip_ws(text, 0)
    if start < len(text) and text[start] == "[":
        yield from _iter_array(text, start)
        return
    try:
        value, end = _decoder.raw_decode(text, start)
    except json.JSONDecodeError:
        pass
    else:
        if _skip_ws(text, end) >= len(text):
            yield RawRecord(_line_of(text, start), value=value)
            return
    # Lines end at "\n" only: str.splitlines() would also break inside a string holding
    # U+2028, U+0085 or other characters that JSON text may contain unescaped.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield RawRecord(number, value=json.loads(line))
        except json.JSONDecodeError as exc:
            yield RawRecord(number, error=f"invalid JSON: {exc.msg} (column {exc.colno})")


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """Cyclic garbage collection off while a bulk load builds its objects (reference counting
    still frees everything that is not in a cycle). Validating 100k records allocates millions
    of containers, and the collector's passes over the growing heap would otherwise take longer
    than the validation itself. Nested and concurrent pauses restore it after the last one."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def validation_errors(exc: ValidationError, line: int | None) -> list[FieldError]:
    """Pydantic's errors as our FieldErrors: a dotted field path and a plain reason."""
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(record)"
        reason = err["msg"]
        if err["type"] == "extra_forbidden":
            reason = "unknown field"
        out.append(FieldError(field=loc, reason=reason, line=line))
    return out


def _problem_errors(problems: list[Problem], line: int) -> list[FieldError]:
    return [
        FieldError(field=".".join(str(p) for p in loc) or "(record)", reason=reason, line=line)
        for loc, reason in problems
    ]


def parse_models(
    text: str,
    model: type[M],
    key: Callable[[M], Any] = lambda m: m.external_id,  # type: ignore[attr-defined]
) -> tuple[list[tuple[int, M]], list[FieldError]]:
    """Validate every record of ``text`` as ``model``; records with the same ``key`` are errors.
    Returns the valid records with their lines and every error found (not just the first).

    A record is held to what the API holds its JSON bodies to
    (``matcher.json_types``): no NUL in any text (PostgreSQL cannot store it), and
    JSON's own types, so ``"years": "5"``, ``"hourly_rate": true`` or ``"available_from": 0``
    is an error instead of being coerced. A record with such a problem reports those alone."""
    good: list[tuple[int, M]] = []
    errors: list[FieldError] = []
    seen: dict[Any, int] = {}
    # Decoded JSON holds NUL only where the text has the escape \u0000 (a raw control character
    # is invalid JSON), so one look at the whole text spares walking every record for it.
    maybe_nul = "\\u0000" in text or "\x00" in text
    with paused_gc():
        for rec in iter_records(text):
            if rec.error is not None:
                errors.append(FieldError(field="(record)", reason=rec.error, line=rec.line))
                continue
            if not isinstance(rec.value, dict):
                errors.append(FieldError(field="(record)", reason="expected a JSON object", line=rec.line))
                continue
            problems = model_type_problems(model, rec.value)
            if maybe_nul:
                problems = nul_problems(rec.value) + problems
            if problems:
                errors.extend(_problem_errors(problems, rec.line))
                continue
            try:
                item = model.model_validate(rec.value)
            except ValidationError as exc:
                errors.extend(validation_errors(exc, rec.line))
                continue
            ident = key(item)
            if ident in seen:
                errors.append(
                    FieldError(field="external_id", reason=f"duplicate of line {seen[ident]}", line=rec.line)
                )
                continue
            seen[ident] = rec.line
            good.append((rec.line, item))
    return good, errors
