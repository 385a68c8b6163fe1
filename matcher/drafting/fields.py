"""What a draft is made of: values with the text they came from."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Span(BaseModel):
    """A piece of the given text: ``text == source[start:end]``."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    text: str


class Extracted(BaseModel):
    """One field of the draft: its value in the import format, the spans it was read from and,
    when the value is not simply what the text says (converted, inferred), a note saying how."""

    field: str
    """The import-format path: ``track``, ``must_have[0].name``, ``must_have[0].min_years``, ..."""
    value: Any
    spans: list[Span]
    note: str | None = None


def span(source: str, start: int, end: int) -> Span:
    return Span(start=start, end=end, text=source[start:end])
