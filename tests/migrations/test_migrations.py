"""The schema comes from the migrations, and the migrations match the models."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from matcher import db
from matcher.core.pipeline import LEGACY_STATUS, Stage
from matcher.models import EventKind, PipelineEvent, ShortlistEntry


def _ours(name: str | None, type_: str, parent_names: object) -> bool:
    """Our tables only: a test that used this database as a Celery result store (db+postgresql)
    leaves Celery's tables in it, which are not the schema's business."""
    return type_ != "table" or name in SQLModel.metadata.tables or name == "alembic_version"


def test_models_and_migrations_agree(engine: Engine) -> None:
    """A model change without a migration fails here."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": _ours})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_upgrade_is_idempotent(db_url: str) -> None:
    db.upgrade(db_url)
    db.upgrade(db_url)
    assert db.current_revision(db_url) == _head()


def _head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(db.alembic_config("sqlite://")).get_current_head() or ""


LEGACY_ENTRY = sa.table(
    "shortlist_entry",
    sa.column("id", sa.Uuid()),
    sa.column("status", sa.String()),
    sa.column("notes", sa.String()),
    sa.column("status_changed_by", sa.String()),
)
LEGACY = ["new", "shortlisted", "submitted", "interviewing", "hired", "rejected"]


def test_recruiter_statuses_and_notes_survive_the_pipeline_migration(
    db_url: str, engine: Engine, session: Session, shortlist_entry_factory: Any
) -> None:
    """Shortlists written before 0006 keep their statuses (as stages), get a handle each, and
    their notes become the first lines of each entry's history; downgrading maps back."""
    made = [shortlist_entry_factory() for _ in LEGACY]
    session.commit()
    ids = [e.id for e in made]
    session.close()
    try:
        command.downgrade(db.alembic_config(db_url), "0003")
        with engine.begin() as conn:
            for entry_id, status in zip(ids, LEGACY, strict=True):
                notes = f"note on a {status} candidate" if status in ("submitted", "rejected") else ""
                conn.execute(
                    LEGACY_ENTRY.update()
                    .where(LEGACY_ENTRY.c.id == entry_id)
                    .values(status=status, notes=notes, status_changed_by="recruiter:tm_legacy1")
                )
    finally:
        db.upgrade(db_url)
    with Session(engine) as s:
        rows = {r.id: r for r in s.exec(select(ShortlistEntry))}
        events = s.exec(select(PipelineEvent).order_by(PipelineEvent.id)).all()  # type: ignore[arg-type]
    assert [rows[i].stage for i in ids] == [LEGACY_STATUS[status] for status in LEGACY]
    assert [rows[i].stage for i in ids] == [
        "new",
        "shortlisted",
        "presented",
        "interview_requested",
        "hired",
        "rejected",
    ]
    handles = [rows[i].handle for i in ids]
    assert len(set(handles)) == len(handles) and all(
        re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", h) for h in handles
    )
    notes = {(e.candidate_id, e.text) for e in events if e.kind == EventKind.note}
    assert notes == {
        (rows[ids[2]].candidate_id, "note on a submitted candidate"),
        (rows[ids[5]].candidate_id, "note on a rejected candidate"),
    }
    moved = {e.candidate_id: (e.to_stage, e.actor) for e in events if e.kind == EventKind.stage}
    by = "recruiter:tm_legacy1"
    assert moved == {rows[i].candidate_id: (rows[i].stage, by) for i in ids if rows[i].stage != Stage.new}


def test_the_stored_entry_json_goes_with_a_downgrade_and_comes_back_empty(
    db_url: str, engine: Engine, session: Session, shortlist_entry_factory: Any
) -> None:
    """0008 adds each entry's stored page JSON; a downgrade drops it, and after an upgrade it is
    empty (NULL: pages build those entries from the rows until the next write)."""
    entry = shortlist_entry_factory(staff_json='{"a":1}', client_json='{"b":2}', json_version="v1")
    session.commit()
    entry_id = entry.id
    session.close()
    try:
        command.downgrade(db.alembic_config(db_url), "0007")
        with engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("shortlist_entry")}
        assert "stage" in columns and not columns & {"staff_json", "client_json", "json_version"}
    finally:
        db.upgrade(db_url)
    with Session(engine) as s:
        row = s.get(ShortlistEntry, entry_id)
        assert row is not None
        assert (row.staff_json, row.client_json, row.json_version) == (None, None, None)
