"""The UI's pipeline pages: the board, an entry's timeline, what needs attention, presenting,
the client's answers and the CSV export. Thin: each calls the same services as the API."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from api.ui.context import Csrf, Form, SignedIn, StaffUi, UIRoute
from matcher.core.pipeline import DECLINE_LABELS, PRESENTABLE, STAGE_LABELS, Mover, Stage, allowed_moves
from matcher.errors import ValidationFailed
from matcher.services.requirements import service as requirements
from matcher.services.shortlists import compact, pipeline
from matcher.services.shortlists import service as shortlists
from matcher.services.shortlists.pipeline import CLIENT_ANSWER, Presentation
from matcher.services.shortlists.service import StaffEntryView, StateFilter

router = APIRouter(route_class=UIRoute, include_in_schema=False)
Handle = Annotated[str, Path(pattern="^[A-Z0-9]{4}-[A-Z0-9]{4}$")]
#: Board columns, in the order work flows.
BOARD = [
    Stage.new,
    Stage.reviewing,
    Stage.shortlisted,
    Stage.presented,
    Stage.client_interested,
    Stage.interview_requested,
    Stage.offer,
    Stage.hired,
    Stage.declined_by_client,
    Stage.withdrawn,
    Stage.rejected,
]


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.post("/requirements/{requirement_id}/entries/{candidate_id}/present", dependencies=[Csrf])
def present(ui: StaffUi, requirement_id: uuid.UUID, candidate_id: uuid.UUID, form: Form) -> Response:
    try:
        body = Presentation(note_for_client=_text(form, "note_for_client").strip())
    except ValueError:
        raise ValidationFailed("the note for the client is at most 2,000 characters") from None
    pipeline.present(ui.db, ui.me, requirement_id, candidate_id, body)
    back = _text(form, "back")
    if back == "board":
        return ui.redirect(f"/requirements/{requirement_id}/board#b-{candidate_id}")
    return ui.redirect(f"/requirements/{requirement_id}#c-{candidate_id}")


@router.post("/requirements/{requirement_id}/presented/{handle}/answer", dependencies=[Csrf])
def answer(ui: SignedIn, requirement_id: uuid.UUID, handle: Handle, form: Form) -> Response:
    """A client's answer on a presented card (interested, interview, decline with a reason)."""
    try:
        action = _text(form, "action")
        fields = {"action": action, "comment": _text(form, "comment").strip()}
        if action == "decline":
            fields["reason"] = _text(form, "reason")
        reply = CLIENT_ANSWER.validate_python(fields)
    except ValueError:
        raise ValidationFailed(
            "choose an answer; declining needs one of the listed reasons (comment at most 1,000 characters)"
        ) from None
    pipeline.answer(ui.db, ui.me, requirement_id, handle, reply)
    return ui.redirect(f"/requirements/{requirement_id}#c-{handle}")


@router.get("/requirements/{requirement_id}/export.csv")
def export_csv(
    ui: SignedIn,
    requirement_id: uuid.UUID,
    state: StateFilter = StateFilter.current,
    stage: Annotated[str | None, Query(pattern=f"^({'|'.join(s.value for s in Stage)})?$")] = None,
) -> Response:
    """The shortlist as the caller may see it, as CSV (a client: what was presented to it)."""
    text = shortlists.shortlist_csv(
        ui.db, ui.me, requirement_id, state=state, stage=Stage(stage) if stage else None
    )
    response = Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="shortlist-{requirement_id}.csv"'},
    )
    return ui.finish(response)


@router.get("/requirements/{requirement_id}/board")
def board(ui: StaffUi, requirement_id: uuid.UUID) -> Response:
    """The pipeline grouped by stage: the current top N and everyone a recruiter moved on."""
    requirement = requirements.get_requirement(ui.db, ui.me, requirement_id)
    page = shortlists.get_shortlist_all(ui.db, ui.me, requirement.id, state=StateFilter.current)
    rejected = shortlists.get_shortlist_all(
        ui.db, ui.me, requirement.id, state=StateFilter.all, stage=Stage.rejected
    )
    columns: dict[Stage, list[dict[str, Any]]] = defaultdict(list)
    seen: set[uuid.UUID] = set()
    for entry in [*page.items, *rejected.items]:
        assert isinstance(entry, StaffEntryView)
        if entry.candidate.id in seen:
            continue
        seen.add(entry.candidate.id)
        moves = sorted(allowed_moves(entry.stage, Mover.recruiter), key=list(Stage).index)
        columns[entry.stage].append(
            {
                "entry": entry,
                "moves": moves,
                "presentable": entry.stage in PRESENTABLE,
                "outside": pipeline.current_reason(entry.state.value, entry.reasons),
            }
        )
    return ui.render(
        "board.html",
        requirement=requirement,
        columns=[(stage, columns.get(stage, [])) for stage in BOARD],
        stage_labels=STAGE_LABELS,
        decline_labels=DECLINE_LABELS,
    )


@router.get("/requirements/{requirement_id}/timeline/{candidate_id}")
def timeline(ui: StaffUi, requirement_id: uuid.UUID, candidate_id: uuid.UUID) -> Response:
    requirement = requirements.get_requirement(ui.db, ui.me, requirement_id)
    view = pipeline.timeline(ui.db, ui.me, requirement.id, candidate_id)
    entry = shortlists.staff_entry(ui.db, ui.me, requirement.id, candidate_id)
    return ui.render(
        "timeline.html",
        requirement=requirement,
        view=view,
        entry=entry,
        moves=sorted(allowed_moves(entry.stage, Mover.recruiter), key=list(Stage).index),
        stage_labels=STAGE_LABELS,
        decline_labels=DECLINE_LABELS,
    )


@router.get("/attention")
def attention(ui: StaffUi, requirement_id: uuid.UUID | None = None) -> Response:
    items = pipeline.attention(ui.db, ui.me, requirement_id)
    return ui.render("attention.html", items=items, stage_labels=STAGE_LABELS, requirement_id=requirement_id)


StageQuery = Annotated[str | None, Query(pattern=f"^({'|'.join(s.value for s in Stage)})?$")]


def _number(value: str | None, field: str) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValidationFailed(f"{field} must be a number") from None
    if not number >= 0 or number > 1e9:
        raise ValidationFailed(f"{field} must be between 0 and 1,000,000,000")
    return number


@router.get("/requirements/{requirement_id}/list")
def compact_list(
    ui: StaffUi,
    requirement_id: uuid.UUID,
    stage: StageQuery = None,
    skill: Annotated[str, Query(max_length=100)] = "",
    max_rate: Annotated[str | None, Query(max_length=20)] = None,
    min_overlap: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """One row per candidate, best first, with skill chips; filters; pick 2-4 to compare."""
    requirement = requirements.get_requirement(ui.db, ui.me, requirement_id)
    filters = compact.ListFilters(
        stage=Stage(stage) if stage else None,
        skill=skill.replace("\x00", ""),
        max_rate=_number(max_rate, "max rate"),
        min_overlap=_number(min_overlap, "min overlap"),
    )
    rows = compact.compact_list(ui.db, ui.me, requirement, filters)
    return ui.render(
        "compact.html",
        requirement=requirement,
        rows=rows,
        filters=filters,
        stages=list(Stage),
        stage_labels=STAGE_LABELS,
        days=compact.available_in_days,
    )


@router.get("/requirements/{requirement_id}/compare")
def compare(
    ui: StaffUi,
    requirement_id: uuid.UUID,
    c: Annotated[list[uuid.UUID], Query(max_length=8)] = [],  # noqa: B006
) -> Response:
    requirement = requirements.get_requirement(ui.db, ui.me, requirement_id)
    rows = compact.compare(ui.db, ui.me, requirement, c)
    return ui.render(
        "compare.html",
        requirement=requirement,
        rows=rows,
        points=compact.component_points(rows),
        stage_labels=STAGE_LABELS,
        days=compact.available_in_days,
    )
