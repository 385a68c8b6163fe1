"""The web UI: server-rendered pages over the API's services and authorization.

``install(app)`` adds the pages (``/``, ``/requirements``, ``/candidates/...``,
``/admin/profiles``) and their static files (``/static/...``) to the app
``api.app.create_app`` builds. None of them is in the OpenAPI schema: they are not the API.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import problems
from api.ui import admin, decisions, pipeline_pages, placements, routes, sign_in, static
from api.ui.context import html_for_ui_paths


def install(app: FastAPI) -> None:
    app.include_router(placements.router)
    app.include_router(sign_in.router)
    app.include_router(routes.router)
    app.include_router(pipeline_pages.router)
    app.include_router(admin.router)
    app.include_router(decisions.router)
    app.include_router(static.router)
    app.add_exception_handler(StarletteHTTPException, html_for_ui_paths(problems.http_problem))
