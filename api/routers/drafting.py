"""``POST /api/v1/requirements/draft``: a requirement drafted from a job description, for the
caller to review; nothing is saved (any key)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import ConfigDict, Field

from api.deps import Caller, SessionRoute, SettingsDep
from matcher.clock import today
from matcher.drafting import RequirementDraft, draft_requirement
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
