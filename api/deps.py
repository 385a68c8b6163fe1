"""FastAPI dependencies: the database session, the settings and the caller.

The session commits when the route returns and before the response is sent (function scope),
so a client that reads right after a write sees it, and a failed commit is an error response
rather than a lost write. Dependencies that do no I/O are ``async``: they run on the event loop
instead of taking a worker thread each. Authentication is
``matcher.services.accounts.authenticate``, the same function the web UI uses; role checks are
``Principal.require``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, Query, Request, Security
from fastapi.dependencies.utils import get_flat_params
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matcher.errors import FieldError, Unauthenticated, ValidationFailed
from matcher.models import Role
from matcher.services.accounts import Principal, authenticate, note_key_use
from matcher.services.pages import MAX_PAGE
from matcher.settings import Settings

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key (`tm_...`) from `talentmatch keys create`, as `Authorization: Bearer <key>`.",
)


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    """One session per request: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_principal(
    session: SessionDep,
    engine: Annotated[Engine, Depends(get_engine)],
    background: BackgroundTasks,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Principal:
    """The caller of this request; 401 without a valid, unrevoked key. The key's last use is
    recorded after the response, outside the request's transaction."""
    if credentials is None:
        raise Unauthenticated("missing API key: send 'Authorization: Bearer <key>'")
    principal = authenticate(session, credentials.credentials)
    background.add_task(note_key_use, engine, principal.key_id)
    return principal


async def get_staff(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """Recruiters and admins; 403 for client keys."""
    principal.require(Role.recruiter)
    return principal


async def get_admin(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    principal.require(Role.admin)
    return principal


Caller = Annotated[Principal, Depends(get_principal)]
Staff = Annotated[Principal, Depends(get_staff)]
Admin = Annotated[Principal, Depends(get_admin)]


def utf8(body: bytes) -> str:
    """A raw request body as text; not UTF-8 is a validation error, not a crash."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "the body is not UTF-8 text", [FieldError("(body)", f"invalid byte at offset {exc.start}")]
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ValidationFailed(
            "the body contains NUL", [FieldError("(body)", "text must not contain NUL (\\u0000)", line)]
        )
    return text


def _cursor(kind: str) -> Any:
    """The ``cursor`` query parameter of a list; its format names the list it belongs to."""
    return Annotated[
        str,
        Query(
            max_length=500,
            description="Opaque: the next_cursor of the previous page of this list (none: first page).",
            json_schema_extra={"format": f"{kind}-cursor"},
        ),
    ]


CandidateCursor = _cursor("candidate")
RequirementCursor = _cursor("requirement")
ShortlistCursor = _cursor("shortlist")
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Page size, at most {MAX_PAGE}.")]


def _query_names(route: Any) -> frozenset[str]:
    """The parameters one route declares (its own and its dependencies'), cached."""
    names: frozenset[str] | None = getattr(route, "_talentmatch_query_names", None)
    if names is None:
        names = frozenset(f.alias for f in get_flat_params(route.dependant))
        route._talentmatch_query_names = names
    return names


async def reject_unknown_query(request: Request) -> None:
    """A query parameter the operation does not define is an error, not silently ignored
    (a typo like ``?seniorty=senior`` would otherwise list everything); so is NUL in a query."""
    route = request.scope.get("route")
    if getattr(route, "dependant", None) is None:
        return
    if any("\x00" in k or "\x00" in v for k, v in request.query_params.multi_items()):
        raise ValidationFailed(
            "the query contains NUL", [FieldError("query", "text must not contain NUL (\\u0000)")]
        )
    unknown = sorted(set(request.query_params) - _query_names(route))
    if unknown:
        raise ValidationFailed(
            f"unknown query parameter(s): {', '.join(unknown)[:200]}",
            [FieldError(f"query.{name}"[:200], "unknown query parameter") for name in unknown[:20]],
        )
