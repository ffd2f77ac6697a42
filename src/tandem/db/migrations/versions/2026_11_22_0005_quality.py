"""quality tables and columns

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 22:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import tandem.db.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _big_id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "quality_state",
        sa.Column("project_id", _big_id(), nullable=False),
        sa.Column("counted_submissions", sa.Integer(), nullable=False),
        sa.Column("last_submission_id", _big_id(), nullable=True),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column(
            "report",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("computed_at", tandem.db.base.UTCDateTime(), nullable=False),
        sa.Column("id", _big_id(), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_quality_state_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_state")),
    )
    with op.batch_alter_table("quality_state", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quality_state_project_id"), ["project_id"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("quality_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quality_state_project_id"))
    op.drop_table("quality_state")
