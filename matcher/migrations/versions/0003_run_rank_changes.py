"""who a run moved in each shortlist

``match_run_requirement.changes`` lists the candidates a run made enter, leave or move in the
requirement's top N, with their rank before and after, so "what changed since the last run"
names people instead of counting them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 14:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("match_run_requirement", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "changes",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default=sa.text("'[]'"),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("match_run_requirement", schema=None) as batch_op:
        batch_op.drop_column("changes")
