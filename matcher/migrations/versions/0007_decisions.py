"""the decision log, self-identification, and the evaluation a published profile carries

``decision``: every pipeline move with a snapshot of the candidate"s component values and
vetting scores, the profile version in force and who decided. ``self_identification``: what a
candidate chose to disclose (sex, EEO-1 race/ethnicity), apart from the profile, for the
impact-ratio audit only. ``weight_profile_evaluation``: a fitted profile"s fit, offline evaluation
and audit, attached to the version it was published as.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 05:20:29
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "self_identification",
        sa.Column("candidate_id", sa.Uuid(), nullable=False),
        sa.Column("sex", sa.String(length=16), nullable=False),
        sa.Column("race_ethnicity", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("candidate_id"),
    )
    op.create_table(
        "weight_profile_evaluation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("weight_profile_id", sa.Uuid(), nullable=False),
        sa.Column(
            "fit",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "evaluation",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "audit",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["weight_profile_id"], ["weight_profile.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("weight_profile_id"),
    )
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Uuid(), nullable=False),
        sa.Column("candidate_id", sa.Uuid(), nullable=True),
        sa.Column("subject", sa.Uuid(), nullable=False),
        sa.Column("track", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("mover", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("from_stage", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("to_stage", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column(
            "components",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "dimensions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("other_track", sa.Boolean(), nullable=False),
        sa.Column("weight_profile_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["weight_profile_id"], ["weight_profile.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index("ix_decision_requirement_subject", ["requirement_id", "subject"], unique=False)
        batch_op.create_index("ix_decision_track_at", ["track", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index("ix_decision_track_at")
        batch_op.drop_index("ix_decision_requirement_subject")
        batch_op.drop_index(batch_op.f("ix_decision_candidate_id"))

    op.drop_table("decision")
    op.drop_table("weight_profile_evaluation")
    op.drop_table("self_identification")
