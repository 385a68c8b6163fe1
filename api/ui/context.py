"""What every UI page works with: the caller, the session cookie, templates and error pages.

Pages are ordinary FastAPI routes on ``UIRoute``: they reuse the API's database session
(``api.deps.get_session``) and its services, and a domain error raised by a service becomes an
HTML page with the same status the API would answer (404 for another client's requirement,
403 for a role that may not, ...), not problem JSON. A request without a valid session is sent
to the sign-in page.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.deps import get_session, get_settings
from api.ui.session import (
    CSRF_FIELD,
    CSRF_HEADER,
    MAX_AGE_SECONDS,
    UiSession,
    check_csrf,
    clear_session,
    csrf_token,
    read_session,
    write_session,
)
from matcher.errors import TalentmatchError, Unauthenticated
from matcher.models import Role
from matcher.services.accounts import ui_sessions
from matcher.services.accounts.service import Principal, principal_for_key_id
from matcher.settings import Settings

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
#: Scripts only from this site, nothing inline, no framing: a stolen page cannot run code.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _ago(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    if value is None:
        return "never"
    value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
    seconds = ((now or dt.datetime.now(dt.UTC)) - value).total_seconds()
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = math.floor(seconds / size)
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def _when(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


_WORDS = {"api": "API", "phd": "PhD", "usd": "USD"}


def _label(value: Any) -> str:
    """An enum value or key as words: ``api_implementation`` -> "API implementation"."""
    words = [_WORDS.get(w, w) for w in str(getattr(value, "value", value)).split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.filters["ago"] = _ago
templates.env.filters["when"] = _when
templates.env.filters["label"] = _label
templates.env.globals["Role"] = Role


class SignInRequired(Exception):
    """No (valid) session: send the browser to the sign-in page."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Ui:
    """One UI request: the database session, the settings, the cookie session and the caller."""

    request: Request
    db: Session
    settings: Settings
    session: UiSession
    principal: Principal | None
    cookie_dirty: bool = False
    clear_cookie: bool = False
    flash: list[str] = field(default_factory=list)

    @property
    def csrf(self) -> str:
        return csrf_token(self.settings, self.session)

    @property
    def me(self) -> Principal:
        if self.principal is None:
            raise SignInRequired()
        return self.principal

    def start(self, key_id: uuid.UUID | None) -> None:
        """Replace the session (sign in or out): a new nonce, so old forms stop working."""
        self.session = UiSession.fresh(key_id)
        self.cookie_dirty = True

    def sign_in(self, principal: Principal) -> None:
        """A new session for ``principal``'s key, open on the server until sign-out or expiry."""
        self.start(principal.key_id)
        ui_sessions.open_session(
            self.db, self.session.nonce, principal.key_id, max_age_seconds=MAX_AGE_SECONDS
        )

    def sign_out(self) -> None:
        """End the session on the server (every copy of the cookie) and drop the cookie."""
        ui_sessions.close_session(self.db, self.session.nonce)
        self.start(None)
        self.clear_cookie = True

    def finish(self, response: Response) -> Response:
        """Attach the cookie (when it changed) and the security headers."""
        if self.clear_cookie:
            clear_session(response, self.settings)
        elif self.cookie_dirty:
            write_session(response, self.settings, self.session)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    def render(self, template: str, status_code: int = 200, **context: Any) -> Response:
        response = templates.TemplateResponse(
            self.request,
            template,
            {"ui": self, "me": self.principal, "csrf": self.csrf, **context},
            status_code=status_code,
        )
        return self.finish(response)

    def redirect(self, url: str) -> Response:
        return self.finish(RedirectResponse(url, status_code=303))

    def json(self, data: Any, status_code: int = 200) -> Response:
        return self.finish(JSONResponse(data, status_code=status_code))

    @property
    def wants_fragment(self) -> bool:
        """The UI's own script asked (it then swaps the answer into the page)."""
        return self.request.headers.get("X-Requested-With") == "talentmatch-ui"


def get_ui(
    request: Request,
    db: Annotated[Session, Depends(get_session, scope="function")],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Ui:
    """The UI context of any page, signed in or not (a visitor gets a new cookie session)."""
    existing = read_session(request, settings)
    session = existing or UiSession.fresh()
    ui = Ui(request=request, db=db, settings=settings, session=session, principal=None)
    ui.cookie_dirty = existing is None
    request.state.ui = ui
    if session.key_id is not None:
        try:
            if not ui_sessions.is_open(db, session.nonce, session.key_id):
                raise Unauthenticated("your session has ended; sign in again")
            ui.principal = principal_for_key_id(db, session.key_id)
        except Unauthenticated:
            ui.start(None)
        # End the lookup's transaction in this worker thread: the connection goes back to the
        # pool instead of being held while the page waits for a thread to run on.
        db.commit()
    return ui


def signed_in(ui: Annotated[Ui, Depends(get_ui)]) -> Ui:
    if ui.principal is None:
        raise SignInRequired()
    return ui


def staff(ui: Annotated[Ui, Depends(signed_in)]) -> Ui:
    ui.me.require(Role.recruiter)
    return ui


def admin(ui: Annotated[Ui, Depends(signed_in)]) -> Ui:
    ui.me.require(Role.admin)
    return ui


async def form_data(request: Request) -> FormData:
    """The posted form (parsed once per request; Starlette caches it)."""
    return await request.form()


async def csrf_checked(request: Request, form: Annotated[FormData, Depends(form_data)]) -> None:
    """Every state-changing UI request carries the session's token (form field or header)."""
    settings: Settings = request.app.state.settings
    token = request.headers.get(CSRF_HEADER)
    if token is None:
        value = form.get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    check_csrf(settings, read_session(request, settings), token)


AnyUi = Annotated[Ui, Depends(get_ui)]
SignedIn = Annotated[Ui, Depends(signed_in)]
StaffUi = Annotated[Ui, Depends(staff)]
AdminUi = Annotated[Ui, Depends(admin)]
Form = Annotated[FormData, Depends(form_data)]
Csrf = Depends(csrf_checked)


def _error_page(request: Request, status: int, title: str, detail: str) -> Response:
    ui: Ui | None = getattr(request.state, "ui", None)
    context = {"status": status, "title": title, "detail": detail}
    if ui is not None:
        if ui.wants_fragment:
            return ui.json({"error": detail, "title": title}, status_code=status)
        return ui.render("error.html", status_code=status, **context)
    response = templates.TemplateResponse(
        request, "error.html", {"ui": None, "me": None, "csrf": "", **context}, status_code=status
    )
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


#: Paths that belong to the API (and its documents): their errors stay RFC 9457 problem JSON.
API_PATHS = ("/api/", "/healthz", "/readyz", "/openapi.json", "/docs", "/redoc")


def html_for_ui_paths(api_handler: Callable[[Request, Exception], Coroutine[Any, Any, Response]]) -> Any:
    """An HTTP error handler: the HTML error page for an address outside the API (an unknown UI
    address is a 404 page, not problem JSON), ``api_handler`` for the API's own paths."""

    async def handle(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if request.url.path.startswith(API_PATHS):
            return await api_handler(request, exc)
        if exc.status_code == 404:
            return _error_page(request, 404, "Not found", "There is no such page.")
        title = HTTPStatus(exc.status_code).phrase
        return _error_page(
            request, exc.status_code, title, exc.detail if isinstance(exc.detail, str) else title
        )

    return handle


def _sign_in_redirect(request: Request) -> Response:
    ui: Ui | None = getattr(request.state, "ui", None)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if ui is not None and ui.wants_fragment:
        return ui.json({"error": "your session has ended; sign in again"}, status_code=401)
    url = "/" if target == "/" else f"/?next={quote(target, safe='')}"
    return ui.redirect(url) if ui is not None else RedirectResponse(url, status_code=303)


class UIRoute(APIRoute):
    """A page: domain errors and invalid URLs answer as HTML pages, not problem JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                return _sign_in_redirect(request)
            except TalentmatchError as exc:
                return _error_page(request, exc.status, exc.title, exc.detail)
            except RequestValidationError as exc:
                in_path = any(err.get("loc", ("",))[0] == "path" for err in exc.errors())
                if in_path:
                    return _error_page(request, 404, "Not found", "There is no such page.")
                return _error_page(
                    request, 422, "Invalid request", "Some parameters of this page are invalid."
                )

        return page
