"""The application factory.

``create_app(settings, engine)`` builds the whole API; tests pass their own settings and
engine, ``talentmatch serve`` uses the configured ones. The web UI mounts its pages on the
app this returns and reuses ``api.deps`` and the services.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any
from zoneinfo import available_timezones

import email_validator
from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from sqlalchemy.engine import Engine

from api import problems, ui
from api.deps import reject_unknown_query
from api.limits import BodySizeLimit
from api.routers import accounts, candidates, health, match_runs, requirements, weight_profiles
from matcher.db import get_engine
from matcher.schemas import CURRENCY_PER_USD
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
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated schema, plus the problem-details schemas and the value sets the
    validators enforce (IANA time zones, currencies), so the schema says what is valid."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (problems.Problem, problems.ProblemFieldError):
        components[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components[model.__name__].pop("$defs", None)
    components["TimeZone"] = {
        "type": "string",
        "enum": sorted(available_timezones()),
        "description": "An IANA time zone name.",
    }
    components["Currency"] = {"type": "string", "enum": sorted(CURRENCY_PER_USD), "description": "ISO 4217."}
    for component in components.values():
        for prop, spec in component.get("properties", {}).items():
            if prop in _VALUE_SETS:
                component["properties"][prop] = _constrained(spec, _VALUE_SETS[prop])
    for name, component in components.items():
        properties = component.get("properties", {})
        scores = properties.get("scores", {})
        if name.startswith("Vetting") and isinstance(scores.get("additionalProperties"), dict):
            scores["additionalProperties"].update(minimum=0, maximum=5)
        for spec in properties.values():
            for branch in (spec, *spec.get("anyOf", ()), spec.get("items") or {}):
                if branch.get("type") != "string" or "pattern" in branch:
                    continue
                if branch.get("format") == "email":
                    branch["pattern"] = DELIVERABLE_EMAIL
                elif branch.get("minLength", 0) >= 1:
                    branch["pattern"] = NOT_BLANK
    app.openapi_schema = schema
    return schema


_VALUE_SETS = {"timezone": "TimeZone", "currency": "Currency"}
#: Emails are checked by ``email-validator``, which refuses special-use domains (RFC 6761).
DELIVERABLE_EMAIL = "^(?!.*[@.](?:{})$)".format(
    "|".join("".join(f"[{c}{c.upper()}]" for c in name) for name in email_validator.SPECIAL_USE_DOMAIN_NAMES)
)
#: Text fields are stripped before their length is checked, so a required one needs a character
#: that is not whitespace: pydantic strips Unicode White_Space, spelled out here because JSON
#: Schema's ``\s`` (ECMA-262) is a different set.
NOT_BLANK = r"[^\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


def _constrained(spec: dict[str, Any], component: str) -> dict[str, Any]:
    """``spec`` with its plain string type replaced by a reference to ``component``."""
    ref = {"$ref": f"#/components/schemas/{component}"}
    if spec.get("type") == "string":
        kept = {k: v for k, v in spec.items() if k in ("default", "title", "description")}
        return {"allOf": [ref], **kept}
    if "anyOf" in spec:
        return {**spec, "anyOf": [ref if s == {"type": "string"} else s for s in spec["anyOf"]]}
    return spec
