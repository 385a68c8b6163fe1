"""The web UI's session cookie and CSRF tokens.

Signing in exchanges an API key for a session cookie. The cookie holds the key's *id* (never
the key) and a random CSRF nonce, signed and time-stamped with ``settings.session_secret``
(itsdangerous), and is ``HttpOnly``, ``SameSite=Lax``, ``Secure`` when
``settings.secure_cookies``. Every request looks the key up again, so revoking it ends its
sessions at once; a tampered or expired cookie is simply no session.

Every visitor gets a session, signed in or not, so that the sign-in form itself carries a
CSRF token (no login CSRF). Signing in replaces the nonce (no session fixation). The token in
forms and in the ``X-CSRF-Token`` header of the UI's scripts is an HMAC of the nonce: a page on
another site cannot read it, and cannot make the browser send it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from matcher.errors import Forbidden
from matcher.settings import Settings

COOKIE = "tm_session"
#: A session lasts a working day; signing in again starts a new one.
MAX_AGE_SECONDS = 12 * 60 * 60
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
_SALT = "talentmatch.ui.session"


class CsrfFailed(Forbidden):
    title = "Form expired"
    type_slug = "csrf-failed"


@dataclass(frozen=True)
class UiSession:
    nonce: str
    key_id: uuid.UUID | None = None

    @classmethod
    def fresh(cls, key_id: uuid.UUID | None = None) -> UiSession:
        return cls(nonce=secrets.token_urlsafe(32), key_id=key_id)


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.session_secret, salt=_SALT)


def read_session(request: Request, settings: Settings) -> UiSession | None:
    """The request's session, or None when there is no valid (signed, unexpired) cookie."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(settings).loads(raw, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str):
        return None
    try:
        key_id = uuid.UUID(data["k"]) if data.get("k") else None
    except (TypeError, ValueError):
        return None
    return UiSession(nonce=data["n"], key_id=key_id)


def write_session(response: Response, settings: Settings, session: UiSession) -> None:
    payload = {"n": session.nonce, "k": str(session.key_id) if session.key_id else None}
    response.set_cookie(
        COOKIE,
        _serializer(settings).dumps(payload),
        max_age=MAX_AGE_SECONDS,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def clear_session(response: Response, settings: Settings) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=settings.secure_cookies)


def csrf_token(settings: Settings, session: UiSession) -> str:
    """The token the session's forms carry."""
    message = f"csrf:{session.nonce}".encode()
    return hmac.new(settings.session_secret.encode(), message, hashlib.sha256).hexdigest()


def check_csrf(settings: Settings, session: UiSession | None, token: str | None) -> None:
    """Raise CsrfFailed unless ``token`` belongs to ``session``."""
    if session is None or not token or not hmac.compare_digest(token, csrf_token(settings, session)):
        raise CsrfFailed(
            "this form has expired or did not come from this site; reload the page and try again"
        )
