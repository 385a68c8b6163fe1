"""re-match trigger failures recorded on the requirement; server-side UI sessions

A change whose re-match could not be started (the trigger raised) is kept; the requirement
records why (``rematch_error``, ``rematch_failed_at``) for recruiters, and the workers' sweep
retries it. ``ui_session`` holds the signed-in web UI sessions (the hash of the cookie's
nonce), so that signing out ends a session everywhere its cookie was copied.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 02:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ui_session",
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("key_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["key_id"], ["api_key.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("ui_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ui_session_key_id"), ["key_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ui_session_expires_at"), ["expires_at"], unique=False)
    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rematch_error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True)
        )
        batch_op.add_column(sa.Column("rematch_failed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.drop_column("rematch_failed_at")
        batch_op.drop_column("rematch_error")
    op.drop_table("ui_session")
