"""Every error as RFC 9457 problem details (``application/problem+json``), from one place.

Services raise ``matcher.errors`` exceptions; FastAPI's request validation, Starlette's HTTP
errors (unknown route, wrong method, body too large) and anything unexpected are mapped to the
same shape. A client never sees a traceback: an unexpected error is logged with an id and
answered with a 500 that quotes only the id.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from matcher.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    TalentmatchError,
    Unauthenticated,
    Unavailable,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("talentmatch.api")


class ProblemFieldError(BaseModel):
    field: str = Field(description="Dotted path of the field, e.g. 'skills.0.name' or 'query.limit'.")
    reason: str
    line: int | None = Field(default=None, description="1-based line of the record (imports only).")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(description="A URI reference naming the kind of problem.")
    title: str
    status: int
    detail: str
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[ProblemFieldError] = Field(default_factory=list)


def problem_type(slug: str) -> str:
    return f"/problems/{slug}"


def problem_body(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    slug: str | None = None,
    errors: Sequence[FieldError] = (),
    instance: str | None = None,
) -> dict[str, Any]:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    return Problem(
        type=problem_type(slug) if slug else "about:blank",
        title=title or phrase,
        status=status,
        detail=detail,
        instance=instance,
        errors=[ProblemFieldError(field=e.field, reason=e.reason, line=e.line) for e in errors],
    ).model_dump(mode="json")


def problem_bytes(status: int, detail: str, **kwargs: Any) -> bytes:
    return json.dumps(problem_body(status, detail, **kwargs)).encode("utf-8")


def problem_response(
    status: int, detail: str, headers: dict[str, str] | None = None, **kwargs: Any
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, detail, **kwargs),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _validation_field(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or "(body)"


#: Sent with every 401 (RFC 9110): how to authenticate.
WWW_AUTHENTICATE = {"WWW-Authenticate": 'Bearer realm="talentmatch"'}


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TalentmatchError)
    return problem_response(
        exc.status,
        exc.detail,
        title=exc.title,
        slug=exc.type_slug,
        errors=exc.errors,
        instance=request.url.path,
        headers=_headers(exc),
    )


def _headers(exc: TalentmatchError) -> dict[str, str] | None:
    if isinstance(exc, RateLimited):
        return {"Retry-After": str(exc.retry_after)}
    return WWW_AUTHENTICATE if exc.status == 401 else None


def _anonymous_api_call(request: Request) -> bool:
    """A call to the JSON API without credentials: every API route that takes a body needs a
    key, so such a caller learns that first, not what is wrong with its body."""
    return request.url.path.startswith("/api/") and "authorization" not in request.headers


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    if _anonymous_api_call(request) and any(e.get("loc", ())[:1] == ("body",) for e in exc.errors()):
        return await _domain(request, Unauthenticated("missing API key: send 'Authorization: Bearer <key>'"))
    errors = [
        FieldError(field=_validation_field(err.get("loc", ())), reason=str(err.get("msg", "invalid")))
        for err in exc.errors()
    ]
    where = f"{len(errors)} invalid field(s): " + ", ".join(e.field for e in errors[:5])
    return problem_response(
        422,
        where,
        title="Validation failed",
        slug="validation-failed",
        errors=errors,
        instance=request.url.path,
    )


#: Our problem kinds by status, so that a plain HTTP 404 or 413 reads like ours.
_KINDS: dict[int, type[TalentmatchError]] = {
    cls.status: cls for cls in (NotFound, PayloadTooLarge, Unauthenticated, Forbidden, Conflict, Unavailable)
}


def allowed_methods(app: Any, path: str) -> list[str]:
    """Every method some route serves at ``path`` (Starlette's 405 names only one route's)."""
    methods: set[str] = set()
    for route in iter_route_contexts(app.routes):
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            methods.update(route.methods or ())
    return sorted(methods)


async def http_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    kind = _KINDS.get(exc.status_code)
    headers = dict(exc.headers or {})
    if exc.status_code == 401:
        headers |= WWW_AUTHENTICATE
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
    return problem_response(
        exc.status_code,
        detail,
        headers=headers,
        instance=request.url.path,
        title=kind.title if kind else None,
        slug=kind.type_slug if kind else None,
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    incident = uuid.uuid4().hex[:12]
    log.exception("unexpected error %s on %s %s", incident, request.method, request.url.path, exc_info=exc)
    return problem_response(
        500,
        f"unexpected error (incident {incident}); it was logged",
        slug="internal-error",
        instance=request.url.path,
    )


def install(app: FastAPI) -> None:
    """Register the one mapping from exceptions to problem details."""
    app.add_exception_handler(TalentmatchError, _domain)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, http_problem)
    app.add_exception_handler(Exception, _unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for problem details of the given statuses."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}},
        }
        for status in statuses
    }
