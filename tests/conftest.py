"""Shared test fixtures: a real, migrated database per test on SQLite and on PostgreSQL.

Every storage test takes ``db_url`` (or ``engine``/``session``) and so runs once per backend.
SQLite: a fresh copy of a database migrated once per test session. PostgreSQL: one database per
test session (per worker), migrated through Alembic, with every table emptied before each test.
The PostgreSQL server comes from ``TALENTMATCH_TEST_POSTGRES_URL``; without it those tests are
skipped with a reason, except under CI (``CI=true``), where a missing server is an error.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

import matcher.models  # noqa: F401
from matcher.db import make_engine, upgrade
from matcher.runtime import Runtime
from tests.helpers import runtime_on
from tests.suite_clock import TODAY

PG_ENV = "TALENTMATCH_TEST_POSTGRES_URL"
REDIS_ENV = "TALENTMATCH_TEST_REDIS_URL"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

pytest_plugins = ["fixtures.pytest_plugin"]


def need_server(env: str, what: str) -> str:
    """The URL in ``env``, or skip (fail under CI) with a reason that names the variable.

    Under pytest-xdist each worker gets a Redis database of its own (the configured one for the
    first worker, the next ones for the others), so tests that empty it cannot disturb another
    worker's."""
    url = os.environ.get(env)
    if not url:
        message = f"{what} tests need a server: set {env}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return _worker_redis_db(url) if env == REDIS_ENV else url


def _worker_redis_db(url: str) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    n = int(worker.removeprefix("gw") or 0)
    parsed = make_url(url)
    base = int(parsed.database or 0)
    db = base + n if base + n < 16 else base - n
    return parsed.set(database=str(db)).render_as_string(hide_password=False)


#: Property tests are derandomised: each draws the same examples on every run (seeded from the
#: test itself), so a red run can be replayed and the suite never fails by chance.
#: ``TALENTMATCH_HYPOTHESIS_PROFILE=explore`` draws fresh examples, for hunting new bugs locally.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("TALENTMATCH_HYPOTHESIS_PROFILE", "repeatable"))

_VAR_KEY = pytest.StashKey[Path]()
EMBEDDED = {
    "TALENTMATCH_DATABASE_URL": "sqlite:///{var}/talentmatch.db",
    "TALENTMATCH_BROKER_URL": "sqla+sqlite:///{var}/broker.db",
    "TALENTMATCH_RESULT_BACKEND": "db+sqlite:///{var}/results.db",
}


def pytest_configure(config: pytest.Config) -> None:
    """Pin "today" for the whole suite (``tests.suite_clock``) and point the embedded database,
    broker and result store at a temporary folder before any test module is imported
    (``tasks.app`` builds its Celery app at import): a test that triggers a re-match without
    choosing a broker must not queue work into the checkout's ``./var``, where a later
    ``talentmatch demo`` worker would run it. Tests that need other values set their own."""
    var = Path(tempfile.mkdtemp(prefix="talentmatch-tests-"))
    config.stash[_VAR_KEY] = var
    for name, template in EMBEDDED.items():
        os.environ[name] = template.format(var=var)
    os.environ["TALENTMATCH_TODAY"] = TODAY.isoformat()
    os.environ["TALENTMATCH_DEV_MODE"] = "true"  # the tests' apps run with the default session secret
    os.environ["TALENTMATCH_RATE_LIMIT"] = ""  # tests that exercise rate limits set their own


def pytest_report_header(config: pytest.Config) -> str:
    return f"talentmatch: today is pinned to {TODAY.isoformat()} (TALENTMATCH_TEST_TODAY moves it)"


def pytest_unconfigure(config: pytest.Config) -> None:
    var = config.stash.get(_VAR_KEY, None)
    if var is not None:
        shutil.rmtree(var, ignore_errors=True)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A migrated PostgreSQL database of this test session; dropped at the end."""
    admin_url = need_server(PG_ENV, "PostgreSQL")
    name = f"tm_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_all_tables(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty, migrated database of the parametrized backend, isolated to this test."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.db"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    engine = _pg_engine(url)
    _empty_all_tables(engine)
    return url


_PG_ENGINES: dict[str, Engine] = {}


def _pg_engine(url: str) -> Engine:
    if url not in _PG_ENGINES:
        _PG_ENGINES[url] = make_engine(url)
    return _PG_ENGINES[url]


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    if db_url.startswith("postgresql"):
        yield _pg_engine(db_url)
        return
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def runtime(engine: Engine) -> Runtime:
    """A runtime on the test's database, with the settings the test pinned (``tests.helpers``)."""
    return runtime_on(engine)


@pytest.fixture
def session(runtime: Runtime) -> Iterator[Session]:
    """A session of ``runtime`` (services reach its settings, ranker and pool cache through it)."""
    with runtime.session() as s:
        yield s


@pytest.fixture
def cli_database(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``db_url`` as the configured database of the CLI and services run in this process."""
    from matcher import db
    from matcher.settings import get_settings

    monkeypatch.setenv("TALENTMATCH_DATABASE_URL", db_url)
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    yield db_url
    db.get_engine(db_url).dispose()
    monkeypatch.undo()
    get_settings.cache_clear()
    db.get_engine.cache_clear()
