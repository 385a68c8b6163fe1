"""Pages that more than one UI module renders: the requirement form and the candidate page
(with its "best open requirements" panel)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.responses import Response

from api.ui import forms
from api.ui.context import Ui
from matcher.core.pipeline import STAGE_LABELS
from matcher.errors import TalentmatchError
from matcher.services import skills, ui_views
from matcher.services.candidates import service as candidates
from matcher.services.requirements.service import RequirementView
from matcher.services.shortlists import pipeline, placements

#: Requirements the candidate's panel lists.
PANEL_SIZE = 10


def form_page(
    ui: Ui,
    f: forms.RequirementForm,
    status_code: int = 200,
    *,
    editing: RequirementView | None = None,
    new_client: str = "",
    **extra: Any,
) -> Response:
    f.understood = {name: skills.understand_skill(name).understood for name in f.skill_names()}
    return ui.render(
        "requirement_form.html",
        status_code=status_code,
        form=f,
        choices=forms.choices(),
        label_for=forms.label_for,
        clients=ui_views.client_choices(ui.db) if ui.me.is_staff and editing is None else [],
        new_client=new_client,
        editing=editing is not None,
        heading=f"Edit {editing.title}" if editing else "Post a requirement",
        action=f"/requirements/{editing.id}/edit" if editing else "/requirements/new",
        submit_label="Save and re-match" if editing else "Post requirement",
        cancel=f"/requirements/{editing.id}" if editing else "/requirements",
        **extra,
    )


def best_panel(ui: Ui, candidate_id: uuid.UUID) -> dict[str, Any]:
    """The candidate page's panel: the best open requirements, or why there are none. A failure
    here never takes the rest of the page down."""
    try:
        best = placements.candidate_matches(ui.db, candidate_id, top=PANEL_SIZE)
    except TalentmatchError as exc:
        return {"best": None, "best_error": exc.detail}
    return {"best": best, "best_error": None}


def candidate_page_response(
    ui: Ui, candidate_id: uuid.UUID, status_code: int = 200, **extra: Any
) -> Response:
    candidate = candidates.get_candidate(ui.db, ui.me, candidate_id)
    on = pipeline.candidate_pipelines(ui.db, ui.me, candidate.id)
    best = best_panel(ui, candidate.id)
    return ui.render(
        "candidate.html",
        status_code=status_code,
        candidate=candidate,
        pipelines=on,
        stage_labels=STAGE_LABELS,
        **best,
        **extra,
    )
