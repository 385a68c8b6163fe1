"""The web UI's pages for recruiters and clients.

Every page calls the same services as the API with the signed-in ``Principal``, so a client
sees exactly what its key would see through the API (own requirements, anonymised shortlists,
404 for anything else). Pages render HTML; the few endpoints the page script calls (saving an
entry, starting a re-match, polling progress) answer a fragment or JSON when it asks, and
redirect like a plain form otherwise, so every action also works without JavaScript.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.ui import forms, present
from api.ui.context import Csrf, Form, SignedIn, StaffUi, Ui, UIRoute
from api.ui.shared_pages import candidate_page_response, form_page
from matcher import clock
from matcher.core.pipeline import (
    CLIENT_STAGES,
    DECLINE_LABELS,
    PRESENTABLE,
    STAGE_LABELS,
    Mover,
    Stage,
    allowed_moves,
)
from matcher.errors import Conflict, Forbidden, ValidationFailed
from matcher.models import EntryState
from matcher.schemas import RequirementStatus, Track
from matcher.services import runs, ui_views
from matcher.services.requirements import diagnosis
from matcher.services.requirements import service as requirements
from matcher.services.requirements.service import RequirementFilters, RequirementView
from matcher.services.runs import service as run_service
from matcher.services.runs.service import RunRequest
from matcher.services.shortlists import compact, pipeline
from matcher.services.shortlists import service as shortlists
from matcher.services.shortlists.pipeline import StageChange
from matcher.services.shortlists.service import StaffEntryView, StateFilter
from matcher.services.ui_views import Freshness

router = APIRouter(route_class=UIRoute, include_in_schema=False)
PAGE_SIZE = 50
Cursor = Annotated[str | None, Query(max_length=500)]


# --- requirements -----------------------------------------------------------------------------


def _status_filter(me_is_client: bool, value: str | None) -> RequirementStatus | None:
    if value == "any" or (value in (None, "") and me_is_client):
        return None
    if value in (None, ""):
        return RequirementStatus.open
    return RequirementStatus(value)


@router.get("/requirements")
def requirement_list(
    ui: SignedIn,
    status: Annotated[str | None, Query(pattern="^(any|open|paused|filled|closed)?$")] = None,
    track: Track | None = None,
    client: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Cursor = None,
) -> Response:
    me = ui.me
    chosen = _status_filter(me.is_client, status)
    filters = RequirementFilters(status=chosen, track=track, client=(client or None) if me.is_staff else None)
    page = requirements.list_requirements(ui.db, me, filters, cursor=cursor, limit=PAGE_SIZE)
    stats = ui_views.requirement_stats(ui.db, {r.id: r.updated_at for r in page.items})
    counts = pipeline.stage_counts(ui.db, [r.id for r in page.items])
    if me.is_client:  # a client counts only what was presented to it
        counts = {rid: {s: n for s, n in c.items() if s in CLIENT_STAGES} for rid, c in counts.items()}
    query = {
        "status": chosen.value if chosen else "any",
        "track": track.value if track else "",
        "client": client or "",
    }
    more = f"/requirements?{urlencode({**query, 'cursor': page.next_cursor})}" if page.next_cursor else None
    return ui.render(
        "requirements.html",
        page=page,
        stats=stats,
        counts=counts,
        stage_order=list(Stage),
        stage_labels=STAGE_LABELS,
        status=chosen.value if chosen else "any",
        track=track.value if track else "",
        client=client or "",
        statuses=[s.value for s in RequirementStatus],
        tracks=[t.value for t in Track],
        more=more,
    )


@router.get("/requirements/new")
def new_requirement(ui: SignedIn) -> Response:
    return form_page(ui, forms.blank(clock.today(ui.settings)))


def _chosen_client(ui: Ui, f: forms.RequirementForm, new_client: str) -> str | None:
    """The client a recruiter posts for: one picked from the existing accounts, or a new one
    typed on purpose in its own field (never a typo in the picker creating an account)."""
    picked = f.values.get("client") or ""
    known = {slug for slug, _ in ui_views.client_choices(ui.db)}
    if new_client:
        if picked:
            f.errors["new_client"] = "either choose an existing client or create a new one, not both"
        elif new_client in known:
            f.errors["new_client"] = f"{new_client} already exists; choose it in the list above"
        return new_client
    if not picked:
        f.errors["client"] = "choose the client this requirement is for"
    elif picked not in known:
        f.errors["client"] = "not an existing client account; to create one, use the field below"
    return picked or None


@router.post("/requirements/new", dependencies=[Csrf])
def post_requirement(ui: SignedIn, form: Form) -> Response:
    me = ui.me
    f = forms.read_form(form)
    new_client = ""
    if not me.is_client:
        raw = form.get("new_client")
        new_client = raw.strip() if isinstance(raw, str) else ""
    if form.get("action") == "check":
        # "Check skills": show how each typed skill is understood, save nothing.
        return form_page(ui, f, new_client=new_client)
    client = me.client_slug if me.is_client else _chosen_client(ui, f, new_client)
    body = forms.validate(f, client=client)
    if body is None or f.errors:
        return form_page(ui, f, status_code=422, new_client=new_client)
    try:
        created = requirements.create_requirement(ui.db, me, body)
    except Conflict as exc:
        f.errors["external_id"] = exc.detail
        return form_page(ui, f, status_code=409, new_client=new_client)
    except Forbidden as exc:
        f.errors["client"] = exc.detail
        return form_page(ui, f, status_code=403, new_client=new_client)
    except ValidationFailed as exc:
        f.add_errors(exc.errors)
        if not exc.errors:
            f.general.append(exc.detail)
        return form_page(ui, f, status_code=422, new_client=new_client)
    waiting = "&pending=1" if created.rematch_pending else ""
    return ui.redirect(f"/requirements/{created.id}?posted=1{waiting}")


@router.get("/requirements/{requirement_id}/edit")
def edit_requirement(ui: SignedIn, requirement_id: uuid.UUID) -> Response:
    current = requirements.get_requirement(ui.db, ui.me, requirement_id)
    return form_page(ui, forms.from_view(current), editing=current)


@router.post("/requirements/{requirement_id}/edit", dependencies=[Csrf])
def save_requirement(ui: SignedIn, requirement_id: uuid.UUID, form: Form) -> Response:
    """Replace the spec (clients their own, staff every one); its status and client stay."""
    current = requirements.get_requirement(ui.db, ui.me, requirement_id)
    f = forms.read_form(form)
    if form.get("action") == "check":
        # "Check skills": show how each typed skill is understood, save nothing.
        return form_page(ui, f, editing=current)
    body = forms.validate(f, client=current.client)
    if body is None:
        return form_page(ui, f, status_code=422, editing=current)
    body = body.model_copy(update={"status": current.status})
    try:
        requirements.replace_requirement(ui.db, ui.me, requirement_id, body)
    except Conflict as exc:
        f.errors["external_id"] = exc.detail
        return form_page(ui, f, status_code=409, editing=current)
    except ValidationFailed as exc:
        f.add_errors(exc.errors)
        if not exc.errors:
            f.general.append(exc.detail)
        return form_page(ui, f, status_code=422, editing=current)
    return ui.redirect(f"/requirements/{requirement_id}?posted=1")


@router.post("/requirements/{requirement_id}/status", dependencies=[Csrf])
def change_status(ui: SignedIn, requirement_id: uuid.UUID, form: Form) -> Response:
    """Pause, close or reopen (clients their own requirements, staff every one)."""
    value = form.get("status")
    if value not in ("open", "paused", "closed"):
        raise ValidationFailed("choose open, paused or closed")
    requirements.set_requirement_status(ui.db, ui.me, requirement_id, RequirementStatus(value))
    return ui.redirect(f"/requirements/{requirement_id}")


def _entries(
    ui: Ui,
    requirement: RequirementView,
    state: StateFilter,
    stage: Stage | None,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None, int]:
    page = shortlists.get_shortlist(
        ui.db, ui.me, requirement.id, state=state, stage=stage, cursor=cursor, limit=PAGE_SIZE
    )
    required = len(requirement.must_have) + len(requirement.nice_to_have)
    more = getattr(page, "more_under_review", 0)
    ids: dict[uuid.UUID | str, uuid.UUID]
    if ui.me.is_staff:
        ids = {e.candidate.id: e.candidate.id for e in page.items if isinstance(e, StaffEntryView)}
    else:
        presented = shortlists.presented_candidates(ui.db, ui.me, requirement.id)
        ids = {e.handle: presented[e.handle] for e in page.items if not isinstance(e, StaffEntryView)}
    chips = compact.load_chips(ui.db, requirement.id, list(ids.values()))
    cards = []
    for e in page.items:
        card = _card(e, required)
        card["chips"] = chips[ids[e.candidate.id if isinstance(e, StaffEntryView) else e.handle]]
        cards.append(card)
    return cards, page.next_cursor, more


def _card(entry: Any, required_skills: int) -> dict[str, Any]:
    staff = isinstance(entry, StaffEntryView)
    state = entry.state if staff else EntryState.active
    card: dict[str, Any] = {
        "entry": entry,
        "staff": staff,
        "breakdown": present.breakdown(entry.components, entry.score),
        "reasons": present.reasons(entry.reasons, state, entry.components, required_skills),
    }
    if staff:
        moves = allowed_moves(entry.stage, Mover.recruiter) - {Stage.presented}
        card["moves"] = sorted(moves, key=list(Stage).index)
        card["presentable"] = entry.stage in PRESENTABLE and entry.state is not EntryState.erased
        card["outside"] = pipeline.current_reason(entry.state.value, entry.reasons)
    else:
        card["answers"] = sorted(allowed_moves(entry.stage, Mover.client), key=list(Stage).index)
    return card


@router.get("/requirements/{requirement_id}")
def shortlist_page(
    ui: SignedIn,
    requirement_id: uuid.UUID,
    state: StateFilter = StateFilter.current,
    stage: Annotated[str | None, Query(pattern=f"^({'|'.join(s.value for s in Stage)})?$")] = None,
    cursor: Cursor = None,
    posted: bool = False,
    pending: bool = False,
) -> Response:
    requirement = requirements.get_requirement(ui.db, ui.me, requirement_id)
    chosen = Stage(stage) if stage else None
    cards, following, under_review = _entries(ui, requirement, state, chosen, cursor)
    stats = ui_views.requirement_stats(ui.db, {requirement.id: requirement.updated_at})[requirement.id]
    diagnosed = None
    if (posted or stats.shortlist_size < diagnosis.THIN) and stats.freshness is not Freshness.matching:
        diagnosed = diagnosis.diagnose(ui.db, ui.me, requirement.id)
    query = {"state": state.value, "stage": stage or ""}
    more = (
        f"/requirements/{requirement.id}?{urlencode({**query, 'cursor': following})}" if following else None
    )
    return ui.render(
        "shortlist.html",
        requirement=requirement,
        cards=cards,
        stats=stats,
        state=state.value,
        stage=stage or "",
        states=[s.value for s in StateFilter],
        stages=[s for s in Stage if ui.me.is_staff or s in CLIENT_STAGES],
        stage_labels=STAGE_LABELS,
        decline_labels=DECLINE_LABELS,
        under_review=under_review,
        diagnosis=diagnosed,
        more=more,
        posted=posted,
        pending=pending,
        first_rank=1 if not cursor else None,
    )


@router.post("/requirements/{requirement_id}/entries/{candidate_id}", dependencies=[Csrf])
def save_entry(ui: StaffUi, requirement_id: uuid.UUID, candidate_id: uuid.UUID, form: Form) -> Response:
    """Move a candidate to another stage and/or add a note (the card's form)."""
    stage, note = form.get("stage"), form.get("note")
    reason, comment = form.get("decline_reason"), form.get("decline_comment")
    try:
        change = StageChange(
            stage=Stage(stage) if isinstance(stage, str) and stage else None,
            note=note.strip() if isinstance(note, str) and note.strip() else None,
            decline_reason=reason if isinstance(reason, str) and reason else None,
            decline_comment=comment if isinstance(comment, str) else "",
        )
    except ValueError:
        raise ValidationFailed(
            "choose one of the listed stages; notes are at most 10,000 characters"
        ) from None
    current = shortlists.staff_entry(ui.db, ui.me, requirement_id, candidate_id)
    if change.stage == current.stage:
        change = change.model_copy(update={"stage": None})
    if change.stage is not None or change.note is not None:
        pipeline.change_entry(ui.db, ui.me, requirement_id, candidate_id, change)
    if form.get("back") == "board":
        return ui.redirect(f"/requirements/{requirement_id}/board#b-{candidate_id}")
    if form.get("back") == "timeline":
        return ui.redirect(f"/requirements/{requirement_id}/timeline/{candidate_id}")
    return _entry_answer(ui, requirement_id, candidate_id)


def _entry_answer(ui: Ui, requirement_id: uuid.UUID, candidate_id: uuid.UUID) -> Response:
    """The card's fresh rendering for the page script, or back to the card for a plain form."""
    if ui.wants_fragment:
        requirement = requirements.get_requirement(ui.db, ui.me, requirement_id)
        saved = shortlists.staff_entry(ui.db, ui.me, requirement_id, candidate_id)
        card = _card(saved, len(requirement.must_have) + len(requirement.nice_to_have))
        card["chips"] = compact.load_chips(ui.db, requirement_id, [candidate_id])[candidate_id]
        return ui.render(
            "_entry.html",
            card=card,
            requirement=requirement,
            stage_labels=STAGE_LABELS,
            decline_labels=DECLINE_LABELS,
            saved=True,
        )
    return ui.redirect(f"/requirements/{requirement_id}#c-{candidate_id}")


@router.post("/requirements/{requirement_id}/rematch", dependencies=[Csrf])
def rematch(ui: StaffUi, requirement_id: uuid.UUID) -> Response:
    requirement = requirements.get_requirement(ui.db, ui.me, requirement_id)
    run = run_service.request_run(ui.db, ui.me, RunRequest(requirement_ids=[requirement.id]))
    if ui.wants_fragment:
        return ui.json({"run_id": str(run.id), "progress": f"/requirements/{requirement.id}/progress"})
    return ui.redirect(f"/requirements/{requirement.id}")


@router.get("/requirements/{requirement_id}/progress")
def progress(ui: SignedIn, requirement_id: uuid.UUID) -> Response:
    """Whether the requirement is being matched; staff also get the run's counts."""
    requirement = requirements.get_requirement(ui.db, ui.me, requirement_id)
    stats = ui_views.requirement_stats(ui.db, {requirement.id: requirement.updated_at})[requirement.id]
    data: dict[str, Any] = {
        "finished": stats.freshness is not Freshness.matching,
        "freshness": stats.freshness.value,
        "shortlist_size": stats.shortlist_size,
    }
    if ui.me.is_staff and stats.running_run_id is not None:
        run = runs.get_progress(ui.db, stats.running_run_id)
        data |= {"status": run.status.value, "processed": run.processed, "total": run.total}
    return ui.json(data)


@router.get("/requirements/{requirement_id}/changes")
def changes_page(ui: StaffUi, requirement_id: uuid.UUID) -> Response:
    requirement = requirements.get_requirement(ui.db, ui.me, requirement_id)
    view = ui_views.what_changed(ui.db, ui.me, requirement.id)
    return ui.render("changes.html", requirement=requirement, view=view)


# --- candidates -------------------------------------------------------------------------------


@router.get("/candidates/{candidate_id}")
def candidate_page(ui: StaffUi, candidate_id: uuid.UUID, added: uuid.UUID | None = None) -> Response:
    return candidate_page_response(ui, candidate_id, added=added)
