"""``/api/v1/match-runs``: start a re-match (staff) and follow its progress."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Caller, SessionDep, SessionRoute, Staff
from matcher.services.cursors import MAX_PAGE
from matcher.services.runs import service as run_service
from matcher.services.runs.service import RunRequest, RunView

router = APIRouter(prefix="/match-runs", tags=["match runs"], route_class=SessionRoute)


@router.post("", status_code=202)
def start_run(body: RunRequest, session: SessionDep, caller: Staff) -> RunView:
    """Re-match the given requirements, or every open one (of ``client``). The run is
    dispatched to the workers once accepted; poll ``GET /match-runs/{id}`` for progress."""
    return run_service.request_run(session, caller, body)


@router.get("")
def list_runs(
    session: SessionDep, caller: Caller, limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20
) -> list[RunView]:
    """The latest runs the caller may see (a client: the runs of its own requirements)."""
    return run_service.visible_runs(session, caller, limit=limit)


@router.get("/{run_id:uuid}")
def get_run(run_id: uuid.UUID, session: SessionDep, caller: Caller) -> RunView:
    """A run's progress: requirements processed of total, failures, and what moved."""
    return run_service.get_run(session, caller, run_id)
