"""``GET /metrics``: the Prometheus exposition, for admin keys only (scrape with an admin key
as a bearer token; README: Operations). Outside ``/api/v1`` and out of the OpenAPI schema, like
any scrape endpoint: it is operations' interface, not the product's."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Response
from sqlalchemy.engine import Engine

from api.deps import Admin, get_engine
from matcher.observability.metrics import CONTENT_TYPE_LATEST, exposition

router = APIRouter(tags=["operations"])


@router.get("/metrics", response_class=Response, include_in_schema=False)
async def metrics(_: Admin, engine: Annotated[Engine, Depends(get_engine)]) -> Response:
    """Request, ranking, run, queue and index snapshot metrics of this host's processes."""
    body = await to_thread.run_sync(exposition, engine)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
