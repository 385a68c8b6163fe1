"""``/api/v1/skills``: autocomplete over the taxonomy and how a typed skill name is understood.

Any key may call them (clients type skills into their requirements); they read only the shipped
taxonomy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Caller, SessionRoute
from matcher.services import skills
from matcher.services.skills import MAX_SUGGESTIONS, SkillSuggestion, SkillUnderstanding

router = APIRouter(prefix="/skills", tags=["skills"], route_class=SessionRoute)


@router.get("")
def suggest(
    prefix: Annotated[str, Query(min_length=1, max_length=100, pattern=r"^[^\x00]*$")],
    _: Caller,
    limit: Annotated[int, Query(ge=1, le=MAX_SUGGESTIONS)] = 10,
) -> list[SkillSuggestion]:
    """Skills whose name or an alias starts with ``prefix``, display-name matches first."""
    return skills.suggest_skills(prefix, limit)


@router.get("/resolve")
def resolve(
    name: Annotated[str, Query(min_length=1, max_length=100, pattern=r"^[^\x00]*$")],
    _: Caller,
) -> SkillUnderstanding:
    """How a typed skill name is understood: the skill, how it was found, or why it is unknown."""
    return skills.understand_skill(name)
