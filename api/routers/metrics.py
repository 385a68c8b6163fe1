"""``GET /metrics``: the Prometheus exposition, for admin keys only (scrape with an admin key
as a bearer token; README: Operations)."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Response
from sqlalchemy.engine import Engine

from api.deps import Admin, get_engine
from matcher.observability.metrics import CONTENT_TYPE_LATEST, exposition

router = APIRouter(tags=["operations"])


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
async def metrics(_: Admin, engine: Annotated[Engine, Depends(get_engine)]) -> Response:
    """Request, ranking, run, queue and index snapshot metrics of this host's processes."""
    body = await to_thread.run_sync(exposition, engine)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
