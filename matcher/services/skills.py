"""Skill resolution for the services: every distinct raw name of a batch resolved in one call."""

from __future__ import annotations

from collections.abc import Iterable

from matcher.skills import Resolution, default_resolver


def resolve_names(names: Iterable[str]) -> dict[str, Resolution]:
    """Map each distinct raw skill name to its resolution (one bulk resolve, cached)."""
    distinct = list(dict.fromkeys(names))
    return dict(zip(distinct, default_resolver().resolve_many(distinct), strict=True))
