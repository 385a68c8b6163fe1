"""The OpenAPI schema: FastAPI's, made to say exactly what the API accepts.

The models' validators enforce rules a generated schema does not show; they are written into
the schema here so that clients (and schemathesis) see them:

* time zones and currencies are closed sets (``TimeZone``, ``Currency`` components);
* vetting scores are 0-5;
* text is stripped before its length is checked, so required text needs a character that is
  not whitespace (pydantic strips Unicode White_Space, spelled out because JSON Schema's
  ``\\s`` is ECMA-262's, a different set);
* no text may contain NUL (PostgreSQL cannot store it; the API refuses it everywhere);
* emails on special-use domains (RFC 6761) are refused by ``email-validator``.

Problem details (``Problem``, ``ProblemFieldError``) are added as components for the
``application/problem+json`` responses every route documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import available_timezones

import email_validator
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api import problems
from matcher.schemas import CURRENCY_PER_USD

_WHITESPACE = r"\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = rf"^[^\x00]*[^\x00{_WHITESPACE}][^\x00]*$"
DELIVERABLE_EMAIL = "^(?!.*[@.](?:{})$)".format(
    "|".join("".join(f"[{c}{c.upper()}]" for c in name) for name in email_validator.SPECIAL_USE_DOMAIN_NAMES)
)
_VALUE_SETS = {"timezone": "TimeZone", "currency": "Currency"}
#: String formats whose values cannot hold NUL or blanks anyway.
_FORMATTED = {"date", "date-time", "uuid", "binary"}


def build(app: FastAPI) -> dict[str, Any]:
    """The app's schema (cached on the app)."""
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
    for name, component in components.items():
        properties = component.get("properties", {})
        for prop, spec in properties.items():
            if prop in _VALUE_SETS:
                properties[prop] = _referenced(spec, _VALUE_SETS[prop])
        scores = properties.get("scores", {})
        if name.startswith("Vetting") and isinstance(scores.get("additionalProperties"), dict):
            scores["additionalProperties"].update(minimum=0, maximum=5)
        for node in _string_nodes(component):
            _constrain_text(node)
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", ()):
                for node in _string_nodes(parameter.get("schema", {})):
                    _constrain_text(node)
    for model in (problems.Problem, problems.ProblemFieldError):
        components[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components[model.__name__].pop("$defs", None)
    components["TimeZone"] = {
        "type": "string",
        "enum": sorted(available_timezones()),
        "description": "An IANA time zone name.",
    }
    components["Currency"] = {"type": "string", "enum": sorted(CURRENCY_PER_USD), "description": "ISO 4217."}
    app.openapi_schema = schema
    return schema


def _referenced(spec: dict[str, Any], component: str) -> dict[str, Any]:
    """``spec`` with its plain string type replaced by a reference to ``component``."""
    ref = {"$ref": f"#/components/schemas/{component}"}
    if spec.get("type") == "string":
        kept = {k: v for k, v in spec.items() if k in ("default", "title", "description")}
        return {"allOf": [ref], **kept}
    if "anyOf" in spec:
        return {**spec, "anyOf": [ref if s == {"type": "string"} else s for s in spec["anyOf"]]}
    return spec


def _string_nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every free-text string schema inside ``node`` (not enums, not formatted values)."""
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and "enum" not in node and node.get("format") not in _FORMATTED:
        yield node
    for child in node.get("properties", {}).values():
        yield from _string_nodes(child)
    for key in ("items", "additionalProperties"):
        yield from _string_nodes(node.get(key))
    for key in ("anyOf", "oneOf", "allOf"):
        for child in node.get(key, ()):
            yield from _string_nodes(child)


def _constrain_text(node: dict[str, Any]) -> None:
    if node.get("format") == "email":
        node.setdefault("pattern", DELIVERABLE_EMAIL)
    elif "pattern" in node:
        node.setdefault("allOf", []).append({"pattern": NO_NUL})
    elif node.get("minLength", 0) >= 1:
        node["pattern"] = NOT_BLANK
    else:
        node["pattern"] = NO_NUL
