"""``/healthz`` (the process answers) and ``/readyz`` (the database and the broker answer).

Both are unauthenticated, for load balancers and orchestrators, and say nothing about data.
"""

from __future__ import annotations

import logging
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from kombu import Connection
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.engine import Engine

from api.deps import SettingsDep, get_engine
from api.problems import problem_responses
from matcher.errors import FieldError, Unavailable

router = APIRouter(tags=["health"])
log = logging.getLogger("talentmatch.api")
TIMEOUT_SECONDS = 3.0


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready"] = "ready"
    checks: dict[str, Literal["ok"]]


def _database(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def _broker(url: str) -> None:
    with Connection(url, connect_timeout=TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
        conn.default_channel  # noqa: B018  (opening a channel talks to the broker)


def readiness(engine: Engine, broker_url: str) -> Readiness:
    """Every dependency checked; Unavailable naming each one that failed."""
    failures = []
    for name, check in (("database", lambda: _database(engine)), ("broker", lambda: _broker(broker_url))):
        try:
            check()
        except Exception as exc:  # any failure means not ready; details go to the log only
            log.warning("readiness: %s unreachable: %s", name, exc)
            failures.append(FieldError(name, f"unreachable ({type(exc).__name__})"))
    if failures:
        raise Unavailable("not ready: " + ", ".join(f.field for f in failures), failures)
    return Readiness(checks={"database": "ok", "broker": "ok"})


@router.get("/healthz")
def healthz() -> Health:
    """The process is up."""
    return Health()


@router.get("/readyz", responses=problem_responses(503))
def readyz(engine: Annotated[Engine, Depends(get_engine)], settings: SettingsDep) -> Readiness:
    """The database and the broker are reachable (503 problem otherwise)."""
    return readiness(engine, settings.broker_url)
