"""Skill resolution for the services: every distinct raw name of a batch resolved in one call,
and the skill look-ups behind the API's autocomplete and "how was this understood"."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from functools import lru_cache

from pydantic import BaseModel, Field

from matcher.skills import Resolution, Taxonomy, default_resolver, load_taxonomy, lookup_key

#: Most suggestions one prefix search returns.
MAX_SUGGESTIONS = 50


def resolve_names(names: Iterable[str]) -> dict[str, Resolution]:
    """Map each distinct raw skill name to its resolution (one bulk resolve, cached)."""
    distinct = list(dict.fromkeys(names))
    return dict(zip(distinct, default_resolver().resolve_many(distinct), strict=True))


class SkillSuggestion(BaseModel):
    id: str
    name: str
    category: str
    matched: str = Field(description="The name or alias the prefix matched.")


class SkillPart(BaseModel):
    id: str
    name: str


class SkillUnderstanding(BaseModel):
    """How one typed skill name is understood, as the requirement form shows it."""

    input: str
    id: str | None = Field(description="The taxonomy id; null when the name is not known.")
    name: str | None
    method: str = Field(description="exact, alias, fuzzy, combined or unknown.")
    score: float
    understood: str = Field(description='In words: "Pyhton -> Python", "unknown: kept as typed".')
    parts: list[SkillPart] = Field(description="Every skill a combined entry names (A/B, A (B)).")
    note: str = Field(description="Why an unknown name stayed unknown, if there is more to say.")


@lru_cache(maxsize=1)
def _spellings(taxonomy: Taxonomy) -> tuple[list[str], list[tuple[str, str]]]:
    """Every name and alias by lookup key, sorted: (keys, [(skill id, text)])."""
    rows = sorted(
        {
            (lookup_key(text), sid, text)
            for sid, skill in taxonomy.skills.items()
            for text in (skill.name, *skill.aliases)
            if lookup_key(text)
        }
    )
    return [k for k, _, _ in rows], [(sid, text) for _, sid, text in rows]


def suggest_skills(prefix: str, limit: int = 10) -> list[SkillSuggestion]:
    """Skills whose name or an alias starts with ``prefix`` (compared as lookup keys: case,
    spaces and punctuation do not count), those whose display name matches first, then by name."""
    taxonomy = load_taxonomy()
    key = lookup_key(prefix)
    if not key:
        return []
    keys, rows = _spellings(taxonomy)
    found: dict[str, str] = {}
    for i in range(bisect.bisect_left(keys, key), len(keys)):
        if not keys[i].startswith(key):
            break
        sid, text = rows[i]
        if sid not in found or text == taxonomy.skills[sid].name:
            found[sid] = text
    ranked = sorted(
        found.items(),
        key=lambda kv: (
            not lookup_key(taxonomy.skills[kv[0]].name).startswith(key),
            taxonomy.skills[kv[0]].name.casefold(),
        ),
    )
    return [
        SkillSuggestion(
            id=sid, name=taxonomy.skills[sid].name, category=taxonomy.skills[sid].category, matched=text
        )
        for sid, text in ranked[: min(limit, MAX_SUGGESTIONS)]
    ]


def understand_skill(name: str) -> SkillUnderstanding:
    """How ``name`` resolves, in the form the API and the requirement form show."""
    res = default_resolver().resolve(name)
    return SkillUnderstanding(
        input=res.input,
        id=res.canonical,
        name=res.name,
        method=res.method,
        score=res.score,
        understood=res.understood,
        parts=[SkillPart(id=p.canonical or "", name=p.name or "") for p in res.parts],
        note=res.note,
    )
