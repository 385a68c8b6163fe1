"""Skill taxonomy and free-text skill resolution.

``load_taxonomy()`` gives the shipped taxonomy (canonical skills, aliases, weighted relations);
``default_resolver()`` resolves free-text names to it in bulk, with a cache. Ranking works on
``Resolution.key`` and ``Taxonomy.credit`` only.
"""

from matcher.skills.resolver import (
    CacheInfo,
    Method,
    Resolution,
    SkillResolver,
    default_resolver,
)
from matcher.skills.taxonomy import (
    UNKNOWN_PREFIX,
    InvalidTaxonomy,
    Skill,
    Taxonomy,
    load_taxonomy,
    lookup_key,
    normalise,
)

__all__ = [
    "UNKNOWN_PREFIX",
    "CacheInfo",
    "InvalidTaxonomy",
    "Method",
    "Resolution",
    "Skill",
    "SkillResolver",
    "Taxonomy",
    "default_resolver",
    "load_taxonomy",
    "lookup_key",
    "normalise",
]
