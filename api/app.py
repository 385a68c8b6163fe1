"""The application factory.

``create_app(settings, engine)`` builds the whole API; tests pass their own settings and
engine, ``talentmatch serve`` uses the configured ones. The web UI mounts its pages on the
app this returns and reuses ``api.deps`` and the services.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from anyio import to_thread
from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy.engine import Engine

from api import openapi, problems, ui
from api.deps import reject_unknown_query
from api.limits import BodySizeLimit, KeyRateLimit, RateLimitByKey
from api.observability import RequestMetrics
from api.routers import (
    accounts,
    attention,
    candidates,
    decisions,
    drafting,
    health,
    match_runs,
    metrics,
    placements,
    requirements,
    skills,
    weight_profiles,
)
from matcher.bootstrap import bootstrap
from matcher.settings import Settings, check_servable, get_settings
from tasks.dispatch import register as register_task_sender

API_PREFIX = "/api/v1"
#: Problems any authenticated route can answer.
COMMON_PROBLEMS = problems.problem_responses(400, 401, 403, 404, 413, 422, 500)
#: Threads that run the sync routes and dependencies. AnyIO's default, 40, is more than the
#: engine's 30 connections, so at 50 concurrent reads threads queued for connections (about 15%
#: more CPU per request); below the pool they do not, and as they all share one GIL, more
#: threads would add contention rather than throughput.
WORKER_THREADS = 16


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    yield


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    check_servable(settings)
    app = FastAPI(
        lifespan=_lifespan,
        title="talentmatch",
        version=version("talentmatch"),
        summary="Pre-vetted backend candidate matching: role-weighted scoring and ranked shortlists.",
        description=(
            "Send an API key as `Authorization: Bearer <key>`. Client keys see their own "
            "account's requirements and anonymised shortlists; recruiter keys see everything "
            "about candidates, requirements and shortlists; admin keys also manage weight "
            "profiles, API keys and erasure. Errors are RFC 9457 problem details."
        ),
    )
    runtime = bootstrap(settings, engine=engine)
    register_task_sender(runtime.dispatcher)
    app.state.runtime = runtime
    app.state.settings = runtime.settings
    app.state.engine = runtime.engine
    problems.install(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimitByKey, limit=KeyRateLimit.from_settings(settings))
    app.add_middleware(RequestMetrics)  # runs first: times and labels every request

    strict_query = [Depends(reject_unknown_query)]
    app.include_router(
        health.router, responses=problems.problem_responses(422, 500), dependencies=strict_query
    )
    v1 = APIRouter(prefix=API_PREFIX, responses=COMMON_PROBLEMS, dependencies=strict_query)
    for module in (
        accounts,
        candidates,
        drafting,
        requirements,
        match_runs,
        weight_profiles,
        decisions,
        attention,
        skills,
        placements,
    ):
        v1.include_router(module.router)
    app.include_router(v1)
    app.include_router(metrics.router, dependencies=strict_query)
    ui.install(app)
    app.openapi = lambda: openapi.build(app)  # type: ignore[method-assign]
    return app
