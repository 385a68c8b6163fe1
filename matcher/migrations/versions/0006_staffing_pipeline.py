"""the staffing pipeline: stages, anonymous handles, presentation, client answers, history

``shortlist_entry.status`` (the recruiter status) becomes ``stage``: new -> new, shortlisted ->
shortlisted, submitted -> presented (it meant "sent to the client"), interviewing -> interview
requested, hired -> hired, rejected -> rejected. Every entry gets a stable anonymous ``handle``.
Notes move into ``pipeline_event`` (one note event per entry that had notes), as does a stage
event for every entry whose status was not "new", so the history starts with what was known.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 02:40:00
"""

import datetime as dt
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Frozen here (a migration must not change when the code does); the same as
#: ``matcher.core.pipeline.LEGACY_STATUS``.
STATUS_TO_STAGE = {
    "new": "new",
    "shortlisted": "shortlisted",
    "submitted": "presented",
    "interviewing": "interview_requested",
    "hired": "hired",
    "rejected": "rejected",
}
STAGE_TO_STATUS = {
    "new": "new",
    "reviewing": "new",
    "shortlisted": "shortlisted",
    "rejected": "rejected",
    "presented": "submitted",
    "client_interested": "submitted",
    "interview_requested": "interviewing",
    "declined_by_client": "rejected",
    "offer": "interviewing",
    "hired": "hired",
    "withdrawn": "rejected",
}
HANDLE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"


def _handle() -> str:
    chars = "".join(secrets.choice(HANDLE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def upgrade() -> None:
    op.create_table(
        "pipeline_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Uuid(), nullable=False),
        sa.Column("candidate_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("from_stage", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
        sa.Column("to_stage", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("score_before", sa.Float(), nullable=True),
        sa.Column("score_after", sa.Float(), nullable=True),
        sa.Column("rank_before", sa.Integer(), nullable=True),
        sa.Column("rank_after", sa.Integer(), nullable=True),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("match_run_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"]),
        sa.ForeignKeyConstraint(["match_run_id"], ["match_run.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pipeline_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pipeline_event_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index(
            "ix_pipeline_event_entry", ["requirement_id", "candidate_id", "id"], unique=False
        )

    with op.batch_alter_table("shortlist_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stage", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("handle", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column("presented_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column(
                "client_note",
                sqlmodel.sql.sqltypes.AutoString(length=2000),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("decline_reason", sa.String(length=24), nullable=True))
        batch_op.add_column(
            sa.Column(
                "decline_comment",
                sqlmodel.sql.sqltypes.AutoString(length=1000),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("client_answered_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("staff_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column("status_changed_at", new_column_name="stage_changed_at")
        batch_op.alter_column("status_changed_by", new_column_name="stage_changed_by")

    _move_statuses_and_notes()

    with op.batch_alter_table("shortlist_entry", schema=None) as batch_op:
        batch_op.alter_column("stage", existing_type=sa.String(length=24), nullable=False)
        batch_op.alter_column(
            "handle", existing_type=sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False
        )
        batch_op.alter_column("client_note", server_default=None)
        batch_op.alter_column("decline_comment", server_default=None)
        batch_op.drop_column("status")
        batch_op.drop_column("notes")
        batch_op.create_unique_constraint("uq_shortlist_requirement_handle", ["requirement_id", "handle"])
        batch_op.create_index("ix_shortlist_requirement_stage", ["requirement_id", "stage"], unique=False)


def _move_statuses_and_notes() -> None:
    conn = op.get_bind()
    entry = sa.table(
        "shortlist_entry",
        sa.column("id", sa.Uuid()),
        sa.column("requirement_id", sa.Uuid()),
        sa.column("candidate_id", sa.Uuid()),
        sa.column("status", sa.String()),
        sa.column("notes", sa.String()),
        sa.column("stage", sa.String()),
        sa.column("handle", sa.String()),
        sa.column("stage_changed_at", sa.DateTime(timezone=True)),
        sa.column("stage_changed_by", sa.String()),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    event = sa.table(
        "pipeline_event",
        sa.column("requirement_id", sa.Uuid()),
        sa.column("candidate_id", sa.Uuid()),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("actor", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("from_stage", sa.String()),
        sa.column("to_stage", sa.String()),
        sa.column("text", sa.String()),
    )
    rows = conn.execute(
        sa.select(
            entry.c.id,
            entry.c.requirement_id,
            entry.c.candidate_id,
            entry.c.status,
            entry.c.notes,
            entry.c.stage_changed_at,
            entry.c.stage_changed_by,
            entry.c.updated_at,
        ).order_by(entry.c.requirement_id, entry.c.id)
    ).all()
    updates, events = [], []
    used: dict[object, set[str]] = {}
    for r in rows:
        stage = STATUS_TO_STAGE.get(r.status, "new")
        taken = used.setdefault(r.requirement_id, set())
        handle = _handle()
        while handle in taken:
            handle = _handle()
        taken.add(handle)
        updates.append({"b_id": r.id, "b_stage": stage, "b_handle": handle})
        at = r.stage_changed_at or r.updated_at or dt.datetime.now(dt.UTC)
        actor = r.stage_changed_by or "migration"
        if stage != "new":
            events.append(
                {
                    "requirement_id": r.requirement_id,
                    "candidate_id": r.candidate_id,
                    "at": at,
                    "actor": actor,
                    "kind": "stage",
                    "from_stage": None,
                    "to_stage": stage,
                    "text": f"recruiter status {r.status} before the pipeline existed",
                }
            )
        if r.notes:
            events.append(
                {
                    "requirement_id": r.requirement_id,
                    "candidate_id": r.candidate_id,
                    "at": r.updated_at or at,
                    "actor": actor,
                    "kind": "note",
                    "from_stage": None,
                    "to_stage": None,
                    "text": r.notes,
                }
            )
    if updates:
        conn.execute(
            entry.update()
            .where(entry.c.id == sa.bindparam("b_id"))
            .values(stage=sa.bindparam("b_stage"), handle=sa.bindparam("b_handle")),
            updates,
        )
    if events:
        conn.execute(event.insert(), events)


def downgrade() -> None:
    with op.batch_alter_table("shortlist_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=16), nullable=False, server_default="new"))
        batch_op.add_column(
            sa.Column(
                "notes", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False, server_default=""
            )
        )
    conn = op.get_bind()
    entry = sa.table("shortlist_entry", sa.column("stage", sa.String()), sa.column("status", sa.String()))
    for stage, status in STAGE_TO_STATUS.items():
        conn.execute(entry.update().where(entry.c.stage == stage).values(status=status))
    with op.batch_alter_table("shortlist_entry", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)
        batch_op.alter_column("notes", server_default=None)
        batch_op.drop_index("ix_shortlist_requirement_stage")
        batch_op.drop_constraint("uq_shortlist_requirement_handle", type_="unique")
        batch_op.alter_column("stage_changed_at", new_column_name="status_changed_at")
        batch_op.alter_column("stage_changed_by", new_column_name="status_changed_by")
        for column in (
            "staff_seen_at",
            "client_answered_at",
            "decline_comment",
            "decline_reason",
            "client_note",
            "presented_at",
            "handle",
            "stage",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("pipeline_event", schema=None) as batch_op:
        batch_op.drop_index("ix_pipeline_event_entry")
        batch_op.drop_index(batch_op.f("ix_pipeline_event_candidate_id"))
    op.drop_table("pipeline_event")
