"""The application factory.

``create_app(settings, engine)`` builds the whole API; tests pass their own settings and
engine, ``talentmatch serve`` uses the configured ones. The web UI mounts its pages on the
app this returns and reuses ``api.deps`` and the services.
"""

from __future__ import annotations

from importlib.metadata import version

from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy.engine import Engine

from api import openapi, problems, ui
from api.deps import reject_unknown_query
from api.limits import BodySizeLimit
from api.routers import accounts, candidates, health, match_runs, requirements, weight_profiles
from matcher.db import get_engine
from matcher.settings import Settings, get_settings

API_PREFIX = "/api/v1"
#: Problems any authenticated route can answer.
COMMON_PROBLEMS = problems.problem_responses(400, 401, 403, 404, 413, 422, 500)


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
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
    app.state.settings = settings
    app.state.engine = engine or get_engine(settings.database_url)
    problems.install(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)

    strict_query = [Depends(reject_unknown_query)]
    app.include_router(
        health.router, responses=problems.problem_responses(422, 500), dependencies=strict_query
    )
    v1 = APIRouter(prefix=API_PREFIX, responses=COMMON_PROBLEMS, dependencies=strict_query)
    for module in (accounts, candidates, requirements, match_runs, weight_profiles):
        v1.include_router(module.router)
    app.include_router(v1)
    ui.install(app)
    app.openapi = lambda: openapi.build(app)  # type: ignore[method-assign]
    return app
