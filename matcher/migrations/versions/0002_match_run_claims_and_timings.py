"""match run claims and timings

Per-requirement claims (attempts, claimed_at, claimed_by) let a re-match survive a killed worker
without looping on a requirement that keeps killing it; ``timings`` keeps the load/rank/write
breakdown; ``match_run.dispatched_at`` tells the recovery sweep when work was last enqueued.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 18:49:38.674784
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("match_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("match_run_requirement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column(
                "timings",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default=sa.text("'{}'"),
            )
        )
        batch_op.create_index("ix_match_run_requirement_run_status", ["run_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("match_run_requirement", schema=None) as batch_op:
        batch_op.drop_index("ix_match_run_requirement_run_status")
        batch_op.drop_column("timings")
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("attempts")

    with op.batch_alter_table("match_run", schema=None) as batch_op:
        batch_op.drop_column("dispatched_at")
