"""What text a client's card about a candidate may hold: taxonomy words only.

Everything a candidate or a recruiter typed is free text and can hold a name, an email or a
phone number ("Zed Quimby's QuimbyORM (zed.quimby@example.com)"). A client card therefore
names skills by the taxonomy's canonical name and key only, and leaves out skills the
taxonomy does not know (their key is made from the text as written). Reasons are written in
taxonomy words by the core (``matcher.core.explain``), so they need nothing here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from matcher.skills import load_taxonomy


def canonical_skills(skills: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``CardSkill`` fields of the taxonomy skills among ``skills`` (rows with ``skill_key``,
    ``years`` and ``last_used``), named by the taxonomy; the others are dropped."""
    known = load_taxonomy().skills
    return [
        {
            "skill_key": s["skill_key"],
            "name": known[s["skill_key"]].name,
            "years": s["years"],
            "last_used": s["last_used"],
        }
        for s in skills
        if s["skill_key"] in known
    ]
