"""Per-request observability as pure ASGI middleware: latency by route, and a request id.

The route label is the matched route's template (``/api/v1/requirements/{requirement_id}``: the
path with each path parameter put back as its name), never the raw path, so the number of series
stays bounded; requests that matched no route count
as ``(unmatched)``. The request id comes from a sane ``X-Request-ID`` header or is generated; it
is echoed in the response and carried by every log record of the request
(``matcher.observability.logs``).
"""

from __future__ import annotations

import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matcher.observability import logs
from matcher.observability.metrics import REQUEST_SECONDS

HEADER = b"x-request-id"
_SANE = re.compile(rb"^[A-Za-z0-9._:-]{1,64}$")


def _incoming_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == HEADER and _SANE.match(value):
            return str(value.decode("ascii"))
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """The request's path with each path parameter's value put back as ``{name}``."""
    if scope.get("route") is None:
        return "(unmatched)"
    names = {str(v): k for k, v in (scope.get("path_params") or {}).items()}
    path: str = scope.get("path", "")
    return "/".join(f"{{{names[s]}}}" if s in names else s for s in path.split("/"))


class RequestMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _incoming_id(scope)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (HEADER, rid.encode("ascii"))]
            await send(message)

        try:
            with logs.bound(logs.request_id, rid):
                await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_SECONDS.labels(scope.get("method", ""), route_template(scope), str(status)).observe(
                time.perf_counter() - started
            )
