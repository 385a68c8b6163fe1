"""Request body size limit as pure ASGI middleware: it counts the bytes actually received.

A declared ``Content-Length`` over the limit is refused before anything is read; a chunked or
lying body is cut off as soon as the running count passes the limit. Either way the answer is
a 413 problem. The exception raised while reading is an HTTPException so that FastAPI's body
parsing passes it through unchanged (it turns other errors into a generic 400).
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import PROBLEM_MEDIA_TYPE, problem_bytes
from matcher.errors import PayloadTooLarge


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body is larger than the limit of {limit} bytes")


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, send: Send, status: int, detail: str) -> None:
        kind = {"title": PayloadTooLarge.title, "slug": PayloadTooLarge.type_slug} if status == 413 else {}
        body = problem_bytes(status, detail, instance=scope.get("path"), **kind)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await self._refuse(scope, send, 400, "Content-Length is not a number")
                return
            if length > self.max_bytes:
                await self._refuse(scope, send, 413, BodyTooLarge(self.max_bytes).detail)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge as exc:
            if started:
                raise
            await self._refuse(scope, send, 413, exc.detail)
