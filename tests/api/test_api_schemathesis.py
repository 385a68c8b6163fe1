"""Property-based checks of the whole API against its own OpenAPI schema (schemathesis).

Every operation is called with generated valid and invalid input under an admin key, with
schemathesis's default checks: no 5xx, every response (status, content type, body) matches
the schema, invalid input is rejected, valid input accepted. Runs on SQLite; set
``TALENTMATCH_SCHEMATHESIS_PG=1`` to run it on PostgreSQL too.
"""

from __future__ import annotations

import datetime as dt
import os
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import Case

from api.app import create_app
from fixtures.generator import generate_candidates, generate_requirements
from matcher.schemas import FIRST_DATE, LAST_DATE
from matcher.services.cursors import encode_cursor
from matcher.settings import Settings
from tests.api.conftest import World
from tests.helpers import jsonl

MAX_EXAMPLES = int(os.environ.get("TALENTMATCH_SCHEMATHESIS_EXAMPLES", "25"))
BACKENDS = ["sqlite", "postgresql"] if os.environ.get("TALENTMATCH_SCHEMATHESIS_PG") else ["sqlite"]


# Cursors are opaque: generate the ones each list hands out (any other value is invalid input).
_TEXT = st.text(st.characters(exclude_characters="\x00"), max_size=64)
schemathesis.openapi.format("candidate-cursor", _TEXT.map(lambda t: encode_cursor([t])))
schemathesis.openapi.format(
    "requirement-cursor",
    st.tuples(st.datetimes(timezones=st.just(dt.UTC)), st.uuids()).map(
        lambda v: encode_cursor([v[0].isoformat(), str(v[1])])
    ),
)
# A shortlist's keyset cursor, staff-shaped (rank flag, rank, score, candidate id) or
# client-shaped (presented flag, presented at, handle); a client given a staff one gets a 422.
schemathesis.openapi.format(
    "shortlist-cursor",
    st.one_of(
        st.tuples(st.integers(0, 1), st.integers(0, 10_000), st.floats(-1e6, 1e6), st.uuids()).map(
            lambda v: encode_cursor([v[0], v[1], v[2], str(v[3])])
        ),
        st.tuples(st.integers(0, 1), st.datetimes(timezones=st.just(dt.UTC)), _TEXT).map(
            lambda v: encode_cursor([v[0], v[1].isoformat(), v[2]])
        ),
    ),
)
# Every date the API takes lies on the horizon its schema states (formatMinimum/formatMaximum,
# which the generator does not read).
schemathesis.openapi.format("date", st.dates(FIRST_DATE, LAST_DATE).map(dt.date.isoformat))


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx: object, value: object) -> bytes:
    """Generated bodies of the JSON Lines imports: bytes as they are, anything else as text."""
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")


class Delegate:
    """An ASGI app that forwards to ``target``: the schema is loaded once at import from an app
    without a database, and each test points the delegate at the app on its test database.
    (schemathesis' fixture-based lazy loader does not work with pytest 9.)"""

    def __init__(self, target: Any) -> None:
        self.target = target

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.target(scope, receive, send)


APP = Delegate(create_app(Settings(database_url="sqlite://")))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
schema.config.generation.update(max_examples=MAX_EXAMPLES)


#: A JSON Lines body cannot be described by a JSON schema, so the imports get a valid body of
#: 0-3 generated records, seeded from the generated one; their invalid bodies are covered by the
#: import tests (every error with its line).
_IMPORT_RECORDS = {
    "/api/v1/candidates/import": lambda n, seed: generate_candidates(n, seed, start=10_000),
    "/api/v1/requirements/import": lambda n, seed: generate_requirements(
        n, seed, clients=["acme"], start=10_000
    ),
}


def _transport_kwargs(case: Case) -> dict[str, Any]:
    make = _IMPORT_RECORDS.get(case.path)
    if make is None:
        return {}
    seed = zlib.crc32(repr(case.body).encode("utf-8"))
    return {"data": jsonl(list(make(seed % 4, seed))).encode("utf-8")}


@schema.auth(refresh_interval=None)
class AdminKey:
    """Every case runs under the current test's admin key, through schemathesis' auth support
    (so the cases that leave the key out on purpose are sent without it)."""

    key = ""

    def get(self, case: Case, ctx: Any) -> str:
        return AdminKey.key

    def set(self, case: Case, data: str, ctx: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture
def served(world: World) -> Iterator[World]:
    APP.target, AdminKey.key = world.app, world.keys["admin"]
    yield world


@pytest.mark.parametrize("db_url", BACKENDS, indirect=True)
@schema.parametrize()
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_matches_its_schema(case: Case, served: World, schemathesis_cases: list[str]) -> None:
    case.call_and_validate(**_transport_kwargs(case))
    schemathesis_cases.append(case.operation.label)
