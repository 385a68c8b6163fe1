"""shortlist entries keep their page JSON: the staff and the client fragment

``shortlist_entry.staff_json`` and ``client_json``: each entry serialised as its page shows it,
written with the entry (``matcher/services/shortlists/fragments.py``), so that a page is its
fragments joined; ``json_version`` names the serialisation they were made with. All NULL after
the upgrade: a page builds entries without a fragment from the rows, and the next write of a
shortlist fills its fragments in.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shortlist_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_json", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("client_json", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("json_version", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("shortlist_entry", schema=None) as batch_op:
        batch_op.drop_column("json_version")
        batch_op.drop_column("client_json")
        batch_op.drop_column("staff_json")
