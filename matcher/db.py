"""The one place that makes database engines and sessions, and runs migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and a busy timeout so the API,
    the CLI and workers can share one file, and ``secure_delete`` so that deleted or
    overwritten text (an erased candidate's name) does not linger in free pages."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA secure_delete=ON")  # an erased person's data is overwritten, not freed
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=10)


@lru_cache
def get_engine(url: str) -> Engine:
    """The process-wide engine for ``url`` (``matcher.bootstrap`` builds a runtime's with it)."""
    return make_engine(url)


@contextmanager
def committing(session: Session) -> Iterator[Session]:
    """``session``, committed on success and rolled back on error, then closed."""
    with session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def session_scope(engine: Engine) -> AbstractContextManager[Session]:
    """A plain session (no runtime: see ``matcher.runtime``) that commits on success and rolls
    back on error, for work that calls no service: a benchmark's or a test's own rows."""
    return committing(Session(engine, expire_on_commit=False))


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` through the Alembic migrations."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with make_engine(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
