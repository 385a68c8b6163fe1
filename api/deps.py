"""FastAPI dependencies: the database session, the settings and the caller.

The app's ``Runtime`` (``matcher.bootstrap``, kept in ``app.state.runtime``) opens each request's
session, so the services it reaches get the runtime's settings, ranker, pool cache and
dispatcher through it (``matcher.runtime``).

The session commits when the route returns and before the response is sent (``SessionRoute``,
in the route's own worker thread), so a client that reads right after a write sees it, and a
failed commit is an error response rather than a lost write. The key lookup has a connection of
its own, so no request holds a connection while it waits for a worker thread. Dependencies that
do no I/O are ``async``: they run on the event loop instead of taking a worker thread each.
Authentication is ``matcher.services.accounts.service.authenticate``, the same function the web UI uses;
role checks are ``Principal.require``.
"""

from __future__ import annotations

import functools
import inspect
import json
import math
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

from anyio import CancelScope, CapacityLimiter, to_thread
from fastapi import BackgroundTasks, Depends, Query, Request, Response, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matcher.errors import FieldError, Unauthenticated, ValidationFailed
from matcher.models import Role
from matcher.runtime import Runtime
from matcher.services.accounts.service import Principal, authenticate, key_use_due, record_key_use
from matcher.services.cursors import MAX_PAGE
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


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _finish(session: Session, commit: bool) -> None:
    with session:
        if not commit:
            session.rollback()
            return
        try:
            session.commit()
        except BaseException:
            session.rollback()
            raise


async def _end(session: Session, commit: bool) -> None:
    if not session.in_transaction():
        session.close()  # nothing to commit or roll back, no connection held: no I/O
        return
    # Shielded, so that a cancelled request still returns its connection to the pool, and on a
    # limiter of its own (as FastAPI does for the exit of a sync dependency): a request that
    # holds a connection never waits behind requests that wait for a connection.
    with CancelScope(shield=True):
        await to_thread.run_sync(_finish, session, commit, limiter=CapacityLimiter(1))


async def get_session(runtime: Annotated[Runtime, Depends(get_runtime)]) -> AsyncIterator[Session]:
    """One session per request, opened by the app's runtime: commit on success, roll back on any error.

    Opening a session does no I/O, and neither does closing one that holds no transaction
    (nothing touched the database, or the route ended its transaction itself), so only a
    commit or a rollback takes a worker thread.
    """
    session = runtime.session()
    try:
        yield session
    except BaseException:
        await _end(session, commit=False)
        raise
    await _end(session, commit=True)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]


class SessionRoute(APIRoute):
    """An API route whose sync endpoint ends the request's transaction itself: it commits its
    ``session`` in its own worker thread as it returns, so the connection is back in the pool
    before FastAPI validates the response in another thread. No request then holds a connection
    while it waits for a thread (with every thread taken by requests waiting for a connection,
    that is a deadlock until the pool times out). A route that raises is rolled back by
    ``get_session`` as before."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint) and "session" in inspect.signature(endpoint).parameters:
            endpoint = _committing(endpoint)
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_bounded_json(request: Request) -> Response:
            return await handler(BoundedJsonRequest(request.scope, request.receive))

        return with_bounded_json


#: Integers in a JSON body with more digits than this are read as an out-of-range number, so
#: that the field's own validation refuses them by name (Python refuses to parse more than
#: 4,300 digits at all, which FastAPI reports as a 400 that names no field).
MAX_JSON_INT_DIGITS = 100


def _bounded_int(text: str) -> int | float:
    if len(text.lstrip("-")) > MAX_JSON_INT_DIGITS:
        return -math.inf if text.startswith("-") else math.inf
    return int(text)


class BoundedJsonRequest(Request):
    """A request whose JSON body reads absurdly long integers as infinite (see ``_bounded_int``)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = json.loads(await self.body(), parse_int=_bounded_int)
        return self._json


def _committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)  # FastAPI reads the parameters through __wrapped__
    def run(**values: Any) -> Any:
        result = endpoint(**values)
        values["session"].commit()
        return result

    return run


def get_principal(
    engine: Annotated[Engine, Depends(get_engine)],
    background: BackgroundTasks,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Principal:
    """The caller of this request; 401 without a valid, unrevoked key. The key's last use is
    recorded after the response, outside the request's transaction. (Rate limits are counted
    before this, in ``api.limits.RateLimitByKey``.)

    The key is read on a connection of its own (autocommit: a single statement) that is back in
    the pool before this worker thread is: a request never holds a connection while it waits for
    a thread, so requests that wait for a connection cannot hold up the ones that have one.
    """
    if credentials is None:
        raise Unauthenticated("missing API key: send 'Authorization: Bearer <key>'")
    with engine.connect() as conn, Session(conn.execution_options(isolation_level="AUTOCOMMIT")) as session:
        principal = authenticate(session, credentials.credentials)
    background.add_task(_note_key_use, engine, principal.key_id)
    return principal


async def _note_key_use(engine: Engine, key_id: uuid.UUID) -> None:
    """Record the key's use after the response; a worker thread only when a write is due
    (at most once a minute per key and process), not for every request."""
    if key_use_due(key_id):
        await run_in_threadpool(record_key_use, engine, key_id)


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
