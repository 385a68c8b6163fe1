"""Drafting from plain text, for review; nothing is saved: ``POST /api/v1/requirements/draft``
(a requirement from a job description, any key) and ``POST /api/v1/candidates/skills-from-text``
(skills with years from a CV, recruiters and admins)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import ConfigDict, Field

from api.deps import Caller, SessionRoute, SettingsDep, Staff
from matcher.clock import today
from matcher.drafting import CvSkills, RequirementDraft, draft_requirement, skills_from_cv
from matcher.json_types import NoNul

router = APIRouter(tags=["requirements"], route_class=SessionRoute)

#: The longest job description accepted, in characters.
MAX_TEXT = 50_000


class DraftRequest(NoNul):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1, max_length=MAX_TEXT, description="The job description, plain text or Markdown."
    )


@router.post("/requirements/draft")
def draft(body: DraftRequest, settings: SettingsDep, _: Caller) -> RequirementDraft:
    """Read a job description into a draft requirement in the import format: every field with
    the text it came from, what was converted or inferred, and what is missing. Nothing is
    saved; create the requirement with ``POST /requirements`` once reviewed."""
    return draft_requirement(body.text, today=today(settings))


class CvText(NoNul):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_TEXT, description="The CV as plain text.")


@router.post("/candidates/skills-from-text")
def skills_from_text(body: CvText, _: Staff) -> CvSkills:
    """The skills a plain-text CV names in its skills section (the whole text when it has none),
    each with the years stated for it and the text it was read from, ready for the ``skills``
    of a candidate record. Nothing is saved."""
    return skills_from_cv(body.text)
