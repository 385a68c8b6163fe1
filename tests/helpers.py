"""Small helpers shared by tests (data builders live in fixtures/)."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from matcher.runtime import Runtime

SHARED = Path(__file__).resolve().parents[2] / "shared" / "formats"
if not SHARED.exists():
    SHARED = Path(__file__).resolve().parents[1] / "tests" / "data" / "formats"


def runtime_on(engine: Engine, **overrides: Any) -> Runtime:
    """A runtime on ``engine`` (``matcher.bootstrap``) with the settings of the moment (the
    environment's, as the test pinned it), changed by ``overrides``; a pool cache of its own."""
    from matcher.bootstrap import bootstrap
    from matcher.settings import get_settings

    settings = get_settings()
    return bootstrap(settings.model_copy(update=overrides) if overrides else settings, engine=engine)


def session_on(engine: Engine, **overrides: Any) -> Session:
    """A session of ``runtime_on(engine, **overrides)`` (expiring on commit, as a plain one)."""
    return runtime_on(engine, **overrides).session(expire_on_commit=True)


@contextmanager
def session_scope(engine: Engine, **overrides: Any) -> Iterator[Session]:
    """A session of ``runtime_on(engine, **overrides)``: commits on success, rolls back on error."""
    with runtime_on(engine, **overrides).session_scope() as session:
        yield session


def missing_id(n: int = 0) -> uuid.UUID:
    """An id that no row can have: rows get version-4 UUIDs, and this one is version 0, so a
    test that expects "not found" holds for every id the database could hold."""
    return uuid.UUID(int=n)


def fixed_ids(count: int, start: int = 1) -> list[uuid.UUID]:
    """``count`` distinct, deterministic ids (sorted as listed), for data built in a test."""
    return [uuid.UUID(int=(start + k) << 64 | 0x4000_8000_0000_0000) for k in range(count)]


def example(name: str) -> dict[str, Any]:
    """The shared example ``candidate`` or ``requirement`` as a fresh dict."""
    return copy.deepcopy(json.loads((SHARED / f"{name}.example.json").read_text()))


def jsonl(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``talentmatch ARGS`` in this process: (exit code, stdout, stderr)."""
    from matcher.cli import main

    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def import_row_counts(session: Any) -> dict[str, int]:
    """Rows in every table an import writes: equal before and after means nothing was written."""
    from sqlalchemy import func, select

    from matcher.models import (
        AuditEntry,
        Candidate,
        CandidatePersonal,
        CandidateSkill,
        Requirement,
        RequirementSkill,
    )

    tables = (Candidate, CandidatePersonal, CandidateSkill, Requirement, RequirementSkill, AuditEntry)
    return {t.__name__: session.scalar(select(func.count()).select_from(t)) or 0 for t in tables}
