"""The API plus one bench-only route, for ``bench api_load``'s same-bytes peer.

``GET /bench/bytes/{name}`` answers, through the same app (middleware, authentication with the
caller's key), with bytes the bench captured from a real shortlist page and stored with
``PUT /bench/bytes/{name}``: what serving the page would cost if it were only its bytes. Never
part of the product: ``uvicorn bench._same_bytes_app:app`` only.
"""

from __future__ import annotations

from fastapi import Request, Response

from api.deps import Caller
from api.main import app

_STORED: dict[str, bytes] = {}


@app.put("/bench/bytes/{name}", include_in_schema=False)
async def store(name: str, request: Request, _: Caller) -> Response:
    _STORED[name] = await request.body()
    return Response(status_code=204)


@app.get("/bench/bytes/{name}", include_in_schema=False)
async def same_bytes(name: str, _: Caller) -> Response:
    return Response(_STORED[name], media_type="application/json")
