"""Signing in to the web UI with an API key, and out (the session is server-side:
``matcher.services.accounts.ui_sessions``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.ui.context import AnyUi, Csrf, Form, UIRoute
from matcher.errors import Unauthenticated
from matcher.services.accounts import service as accounts

router = APIRouter(route_class=UIRoute, include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a local path may be a redirect target after sign-in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/requirements"


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
