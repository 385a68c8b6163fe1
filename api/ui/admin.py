"""Admin pages: the weight profiles of each track side by side, and a draft's preview.

The preview is the API's (``weights.preview``): one requirement's pool ranked under its
current profile and under a draft of the next version that is never saved. Weights are typed
as numbers and validated by the API's ``PreviewRequest``; errors show next to their input.
Saving a new version is the API's ``POST /api/v1/weight-profiles``.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from api.ui.context import AdminUi, UIRoute
from api.ui.present import COMPONENT_LABELS
from matcher.core.types import Component
from matcher.errors import FieldError, ValidationFailed
from matcher.json_records import validation_errors
from matcher.schemas import Dimension
from matcher.services import ui_views
from matcher.services.weight_profiles import service as weights
from matcher.services.weight_profiles import store as profiles
from matcher.services.weight_profiles.service import Preview, PreviewRequest, WeightProfileView

router = APIRouter(route_class=UIRoute, include_in_schema=False)
PREVIEW_TOP = 10
COMPONENTS = [c.value for c in Component]
DIMENSIONS = [d.value for d in Dimension]


@dataclass(frozen=True)
class PreviewRow:
    """One candidate of either top list: ranks and scores before and under the draft."""

    candidate_id: uuid.UUID
    external_id: str
    name: str | None
    rank_before: int | None
    rank_after: int | None
    score_before: float | None
    score_after: float | None

    @property
    def movement(self) -> int:
        """Places gained under the draft (0 when it enters or leaves the top list)."""
        if self.rank_before is None or self.rank_after is None:
            return 0
        return self.rank_before - self.rank_after


def _rows(preview: Preview, names: dict[uuid.UUID, str]) -> list[PreviewRow]:
    """The draft's top list in order, then those that leave it."""
    before = {e.candidate_id: e for e in preview.before}
    after = {e.candidate_id: e for e in preview.after}
    order = [*after, *(cid for cid in before if cid not in after)]
    rows = []
    for cid in order:
        b, a = before.get(cid), after.get(cid)
        entry = a or b
        assert entry is not None
        rows.append(
            PreviewRow(
                candidate_id=cid,
                external_id=entry.external_id,
                name=names.get(cid),
                rank_before=b.rank if b else None,
                rank_after=a.rank if a else None,
                score_before=b.score if b else None,
                score_after=a.score if a else None,
            )
        )
    return rows


def _typed(request: Request) -> dict[str, str]:
    return {
        f"{group}.{key}": request.query_params.get(f"{group}.{key}", "").strip()
        for group, keys in (("components", COMPONENTS), ("dimensions", DIMENSIONS))
        for key in keys
    }


def _request(requirement: uuid.UUID, typed: dict[str, str]) -> tuple[PreviewRequest | None, list[FieldError]]:
    """The API's preview request from the typed weights (a blank weight is 0)."""
    data: dict[str, Any] = {
        "requirement_id": requirement,
        "top": PREVIEW_TOP,
        "components": {},
        "dimensions": {},
    }
    for name, value in typed.items():
        group, key = name.split(".")
        data[group][key] = value or "0"
    try:
        return PreviewRequest.model_validate(data), []
    except ValidationError as exc:
        return None, validation_errors(exc, None)


@router.get("/admin/profiles")
def profiles_page(
    ui: AdminUi,
    request: Request,
    requirement: Annotated[uuid.UUID | None, Query()] = None,
    preview: bool = False,
) -> Response:
    by_track: dict[str, list[WeightProfileView]] = defaultdict(list)
    for view in weights.list_profiles(ui.db, ui.me):
        by_track[view.track.value].append(view)
    context: dict[str, Any] = {
        "by_track": dict(sorted(by_track.items())),
        "components": COMPONENTS,
        "component_labels": COMPONENT_LABELS,
        "dimensions": DIMENSIONS,
        "choices": ui_views.open_requirement_choices(ui.db),
        "requirement_id": requirement,
        "base": None,
        "draft_values": {},
        "errors": {},
        "general": [],
        "result": None,
        "rows": [],
    }
    if requirement is not None:
        base = profiles.to_core(profiles.effective_profile(ui.db, requirement))
        context["base"] = base
        context["draft_values"] = {
            **{f"components.{k.value}": f"{v * 100:.4g}" for k, v in base.components.items()},
            **{f"dimensions.{k.value}": f"{v * 100:.4g}" for k, v in base.dimensions.items()},
        }
        if preview:
            typed = _typed(request)
            context["draft_values"] = typed
            body, errors = _request(requirement, typed)
            for err in errors:
                if err.field in typed:
                    context["errors"].setdefault(err.field, err.reason)
                else:
                    context["general"].append(str(err))
            if body is not None:
                try:
                    result = weights.preview(ui.db, ui.me, body)
                except ValidationFailed as exc:
                    context["general"].extend([str(e) for e in exc.errors] or [exc.detail])
                else:
                    ids = [e.candidate_id for e in (*result.before, *result.after)]
                    context["result"] = result
                    context["rows"] = _rows(result, ui_views.candidate_names(ui.db, ids))
    status = 422 if context["errors"] or context["general"] else 200
    return ui.render("profiles.html", status_code=status, top=PREVIEW_TOP, **context)
