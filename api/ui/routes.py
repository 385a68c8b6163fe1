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
from api.ui.context import AnyUi, Csrf, Form, SignedIn, StaffUi, Ui, UIRoute
from matcher.errors import Conflict, Forbidden, Unauthenticated, ValidationFailed
from matcher.models import RecruiterStatus
from matcher.schemas import RequirementStatus, Track
from matcher.services import accounts, candidates, requirements, runs, shortlists, ui_views
from matcher.services.requirements import RequirementFilters, RequirementView
from matcher.services.shortlists import EntryUpdate, StaffEntryView, StateFilter
from matcher.services.ui_views import Freshness

router = APIRouter(route_class=UIRoute, include_in_schema=False)
PAGE_SIZE = 50
Cursor = Annotated[str | None, Query(max_length=500)]


def _safe_next(target: str | None) -> str:
    """Only a local path may be a redirect target after sign-in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/requirements"


# --- signing in and out -----------------------------------------------------------------------


@router.get("/")
def sign_in_page(ui: AnyUi, next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    if ui.principal is not None:
        return ui.redirect(_safe_next(next))
    return ui.render("sign_in.html", next=_safe_next(next), error=None)


@router.post("/sign-in", dependencies=[Csrf])
def sign_in(ui: AnyUi, form: Form) -> Response:
    raw = form.get("api_key")
    target = _safe_next(str(form.get("next") or ""))
    try:
        principal = accounts.authenticate(ui.db, raw.strip() if isinstance(raw, str) else "")
    except Unauthenticated as exc:
        return ui.render("sign_in.html", status_code=401, next=target, error=exc.detail)
    ui.sign_in(principal)
    return ui.redirect(target)


@router.post("/sign-out", dependencies=[Csrf])
def sign_out(ui: AnyUi) -> Response:
    ui.sign_out()
    return ui.redirect("/")


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
        status=chosen.value if chosen else "any",
        track=track.value if track else "",
        client=client or "",
        statuses=[s.value for s in RequirementStatus],
        tracks=[t.value for t in Track],
        more=more,
    )


def _form_page(ui: Ui, f: forms.RequirementForm, status_code: int = 200) -> Response:
    return ui.render(
        "requirement_form.html",
        status_code=status_code,
        form=f,
        choices=forms.choices(),
        label_for=forms.label_for,
    )


@router.get("/requirements/new")
def new_requirement(ui: SignedIn) -> Response:
    return _form_page(ui, forms.blank())


@router.post("/requirements/new", dependencies=[Csrf])
def post_requirement(ui: SignedIn, form: Form) -> Response:
    me = ui.me
    f = forms.read_form(form)
    body = forms.validate(f, client=me.client_slug if me.is_client else (f.values.get("client") or None))
    if body is None:
        return _form_page(ui, f, status_code=422)
    try:
        created = requirements.create_requirement(ui.db, me, body)
    except Conflict as exc:
        f.errors["external_id"] = exc.detail
        return _form_page(ui, f, status_code=409)
    except Forbidden as exc:
        f.errors["client"] = exc.detail
        return _form_page(ui, f, status_code=403)
    except ValidationFailed as exc:
        f.add_errors(exc.errors)
        if not exc.errors:
            f.general.append(exc.detail)
        return _form_page(ui, f, status_code=422)
    waiting = "&pending=1" if created.rematch_pending else ""
    return ui.redirect(f"/requirements/{created.id}?posted=1{waiting}")


def _entries(
    ui: Ui,
    requirement: RequirementView,
    state: StateFilter,
    status: RecruiterStatus | None,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    page = shortlists.get_shortlist(
        ui.db, ui.me, requirement.id, state=state, status=status, cursor=cursor, limit=PAGE_SIZE
    )
    required = len(requirement.must_have) + len(requirement.nice_to_have)
    return [_card(e, required) for e in page.items], page.next_cursor


def _card(entry: Any, required_skills: int) -> dict[str, Any]:
    return {
        "entry": entry,
        "staff": isinstance(entry, StaffEntryView),
        "breakdown": present.breakdown(entry.components, entry.score),
        "reasons": present.reasons(entry.reasons, entry.state, entry.components, required_skills),
    }


@router.get("/requirements/{requirement_id}")
def shortlist_page(
    ui: SignedIn,
    requirement_id: uuid.UUID,
    state: StateFilter = StateFilter.active,
    status: Annotated[
        str | None, Query(pattern="^(new|shortlisted|submitted|interviewing|hired|rejected)?$")
    ] = None,
    cursor: Cursor = None,
    posted: bool = False,
    pending: bool = False,
) -> Response:
    requirement = requirements.get_requirement(ui.db, ui.me, requirement_id)
    chosen = RecruiterStatus(status) if status else None
    cards, following = _entries(ui, requirement, state, chosen, cursor)
    stats = ui_views.requirement_stats(ui.db, {requirement.id: requirement.updated_at})[requirement.id]
    query = {"state": state.value, "status": status or ""}
    more = (
        f"/requirements/{requirement.id}?{urlencode({**query, 'cursor': following})}" if following else None
    )
    return ui.render(
        "shortlist.html",
        requirement=requirement,
        cards=cards,
        stats=stats,
        state=state.value,
        status=status or "",
        states=[s.value for s in StateFilter],
        statuses=[s.value for s in RecruiterStatus],
        more=more,
        posted=posted,
        pending=pending,
        first_rank=1 if not cursor else None,
    )


@router.post("/requirements/{requirement_id}/entries/{candidate_id}", dependencies=[Csrf])
def save_entry(ui: StaffUi, requirement_id: uuid.UUID, candidate_id: uuid.UUID, form: Form) -> Response:
    status, notes = form.get("status"), form.get("notes")
    try:
        change = EntryUpdate(
            status=RecruiterStatus(status) if isinstance(status, str) and status else None,
            notes=notes if isinstance(notes, str) else None,
        )
    except ValueError:
        raise ValidationFailed(
            "choose one of the listed statuses; notes are at most 10,000 characters"
        ) from None
    saved = shortlists.update_entry(ui.db, ui.me, requirement_id, candidate_id, change)
    if ui.wants_fragment:
        requirement = requirements.get_requirement(ui.db, ui.me, requirement_id)
        card = _card(saved, len(requirement.must_have) + len(requirement.nice_to_have))
        return ui.render(
            "_entry.html",
            card=card,
            requirement=requirement,
            statuses=[s.value for s in RecruiterStatus],
            saved=True,
        )
    return ui.redirect(f"/requirements/{requirement_id}#c-{candidate_id}")


@router.post("/requirements/{requirement_id}/rematch", dependencies=[Csrf])
def rematch(ui: StaffUi, requirement_id: uuid.UUID) -> Response:
    requirement = requirements.get_requirement(ui.db, ui.me, requirement_id)
    if requirement.status is not RequirementStatus.open:
        raise Conflict(f"this requirement is {requirement.status.value}; only open requirements are matched")
    run = runs.start_run(ui.db, [requirement.id], trigger="manual", requested_by=ui.me.actor)
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
def candidate_page(ui: StaffUi, candidate_id: uuid.UUID) -> Response:
    candidate = candidates.get_candidate(ui.db, candidate_id)
    on = ui_views.candidate_shortlists(ui.db, candidate.id)
    return ui.render("candidate.html", candidate=candidate, shortlists=on)
