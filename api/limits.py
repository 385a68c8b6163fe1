"""Request limits: the body size (pure ASGI middleware) and the rate per API key.

Body size limit as pure ASGI middleware: it counts the bytes actually received.

A declared ``Content-Length`` over the limit is refused before anything is read; a chunked or
lying body is cut off as soon as the running count passes the limit. Either way the answer is
a 413 problem. The exception raised while reading is an HTTPException so that FastAPI's body
parsing passes it through unchanged (it turns other errors into a generic 400).
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

import anyio
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import PROBLEM_MEDIA_TYPE, problem_bytes
from matcher.errors import PayloadTooLarge, RateLimited
from matcher.settings import Settings

log = logging.getLogger(__name__)


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


class KeyRateLimit:
    """Per-API-key request limits (the ``limits`` library, sliding window counters), so that
    one client cannot slow the others down: past its share a key gets 429 with Retry-After.

    The counts live in Redis when the broker is Redis (every API process shares them), in
    this process's memory on the embedded default. If the store cannot be reached the request
    is let through (logged): a rate limiter must not take the API down with it.
    """

    def __init__(self, spec: str, storage_url: str) -> None:
        self.limits = parse_many(spec) if spec.strip() else []
        self.storage = storage_from_string(storage_url)
        self.strategy = SlidingWindowCounterRateLimiter(self.storage)

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRateLimit:
        url = settings.rate_limit_storage
        if url is None:
            url = (
                settings.broker_url
                if settings.broker_url.startswith(("redis://", "rediss://"))
                else "memory://"
            )
        return cls(settings.rate_limit, url)

    def hit(self, key: str) -> None:
        """Count one request of ``key``; RateLimited when a limit is used up."""
        if not self.limits:
            return
        try:
            refused = [limit for limit in self.limits if not self.strategy.test(limit, "api-key", key)]
            if not refused:
                for limit in self.limits:
                    self.strategy.hit(limit, "api-key", key)
                return
            reset = max(self.strategy.get_window_stats(limit, "api-key", key).reset_time for limit in refused)
        except Exception:
            log.exception("rate limit store unavailable; request let through")
            return
        wait = max(1, math.ceil(reset - time.time()))
        raise RateLimited(f"rate limit of {refused[0]} for this API key reached; retry in {wait} s", wait)


class RateLimitByKey:
    """Pure ASGI middleware: counts each API key's requests before anything else is done for
    them (no worker thread, no database), so that a client flooding past its share costs the
    others next to nothing. The bucket is the SHA-256 of the bearer token: only the holder of a
    key can spend its share, and a made-up token only spends its own (it then gets a 401)."""

    def __init__(self, app: ASGIApp, limit: KeyRateLimit) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.limit.limits and scope.get("path", "").startswith("/api/"):
            token = _bearer(scope)
            if token is not None:
                try:
                    self.limit.hit(hashlib.sha256(token).hexdigest())
                except RateLimited as exc:
                    await self._refuse(scope, send, exc)
                    return
        await self.app(scope, receive, send)

    #: A refused request is answered after this pause: a client that ignores Retry-After and
    #: retries at once is slowed to a few requests per second per connection, so its 429s cost
    #: the server (and the others) next to nothing; a well-behaved client waits longer anyway.
    REFUSAL_DELAY = 0.5

    async def _refuse(self, scope: Scope, send: Send, exc: RateLimited) -> None:
        await anyio.sleep(self.REFUSAL_DELAY)
        body = problem_bytes(429, exc.detail, instance=scope.get("path"), title=exc.title, slug=exc.type_slug)
        headers = [
            (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(exc.retry_after).encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _bearer(scope: Scope) -> bytes | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.partition(b" ")
            return token.strip() or None if scheme.lower() == b"bearer" else None
    return None
