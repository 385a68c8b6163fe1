"""UI of issue 17: the recruiter's "best open requirements" panel on a candidate's page (with a
one-click "add to this shortlist") and the "start from a job description" step of the
requirement form, which fills the form for review; nothing is saved until the form is posted.
"""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi import APIRouter
from fastapi.responses import Response

from api.ui import forms
from api.ui.context import Csrf, Form, SignedIn, StaffUi, UIRoute
from api.ui.shared_pages import candidate_page_response, form_page
from matcher import clock
from matcher.drafting import RequirementDraft, draft_requirement
from matcher.errors import TalentmatchError
from matcher.services.shortlists import placements

router = APIRouter(route_class=UIRoute, include_in_schema=False)
#: The longest job description the form step reads, in characters (as the API).
MAX_TEXT = 50_000


@router.post("/candidates/{candidate_id}/shortlists/{requirement_id}", dependencies=[Csrf])
def add_to_shortlist(ui: StaffUi, candidate_id: uuid.UUID, requirement_id: uuid.UUID) -> Response:
    """One click from the panel: the candidate goes on that requirement's shortlist."""
    try:
        placements.add_to_shortlist(ui.db, ui.me, requirement_id, candidate_id)
    except TalentmatchError as exc:
        ui.db.rollback()
        return candidate_page_response(ui, candidate_id, status_code=exc.status, add_error=exc.detail)
    return ui.redirect(f"/candidates/{candidate_id}?added={requirement_id}#best")


# --- the requirement form's first step ----------------------------------------------------------


def form_from_draft(draft: RequirementDraft, today: dt.date) -> forms.RequirementForm:
    """A new requirement form (its defaults, a fresh reference) with the draft's fields in it."""
    f = forms.blank(today)
    req = draft.requirement
    for name in forms.SCALARS:
        if name in req and name not in ("external_id", "client"):
            value = req[name]
            f.values[name] = f"{value:g}" if isinstance(value, float) else str(value)
    for kind in forms.SKILL_LISTS:
        f.skills[kind] = [
            forms.SkillRow(s["name"], f"{s['min_years']:g}" if "min_years" in s else "")
            for s in req.get(kind, [])
        ]
    education = req.get("education")
    if education:
        f.values["education.min_degree"] = education["min_degree"]
        f.values["education.fields"] = ", ".join(education["fields"])
    return f


@router.post("/requirements/new/draft", dependencies=[Csrf])
def draft_into_form(ui: SignedIn, form: Form) -> Response:
    """Read the pasted job description and show the form filled from it, each field with the
    text it came from; the client reviews and posts it (or not)."""
    today = clock.today(ui.settings)
    raw = form.get("job_description")
    text = raw if isinstance(raw, str) else ""
    if not text.strip() or len(text) > MAX_TEXT or "\x00" in text:
        f = forms.blank(today)
        reason = "paste a job description" if not text.strip() else f"at most {MAX_TEXT:,} characters, no NUL"
        return form_page(ui, f, status_code=422, job_description=text[:MAX_TEXT], draft_error=reason)
    draft = draft_requirement(text, today=today)
    return form_page(ui, form_from_draft(draft, today), job_description=text, draft=draft)
