"""dispatch: reservations, gold flag, lease and one-active-lease indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 22:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tandem.db.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ACTIVE = sa.text("status = 'ACTIVE'")


def upgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.add_column(
            sa.Column("is_gold", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.drop_index("ix_item_claim")
        batch.create_index(
            "ix_item_claim", ["project_id", "status", "is_gold", "taken", "id"], unique=False
        )
    with op.batch_alter_table("item") as batch:
        batch.alter_column("is_gold", server_default=None)
    op.execute("UPDATE item SET is_gold = (gold IS NOT NULL)")
    with op.batch_alter_table("assignment") as batch:
        batch.add_column(
            sa.Column("source", sa.String(length=20), nullable=False, server_default="pool")
        )
        batch.add_column(sa.Column("window_start", tandem.db.base.UTCDateTime(), nullable=True))
        batch.create_index(
            "ix_assignment_lease", ["project_id", "status", "lease_expires_at"], unique=False
        )
    with op.batch_alter_table("assignment") as batch:
        batch.alter_column("source", server_default=None)
    op.create_index(
        "uq_assignment_one_active",
        "assignment",
        ["project_id", "expert_id"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )


def downgrade() -> None:
    op.drop_index("uq_assignment_one_active", table_name="assignment")
    with op.batch_alter_table("assignment") as batch:
        batch.drop_index("ix_assignment_lease")
        batch.drop_column("window_start")
        batch.drop_column("source")
    with op.batch_alter_table("item") as batch:
        batch.drop_index("ix_item_claim")
        batch.create_index("ix_item_claim", ["project_id", "status", "taken", "id"], unique=False)
        batch.drop_column("is_gold")
