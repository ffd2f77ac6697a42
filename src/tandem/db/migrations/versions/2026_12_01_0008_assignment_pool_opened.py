"""assignments: index an expert's pool claims by time, for the hourly limit at every claim

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 13:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_assignment_pool_opened",
        "assignment",
        ["project_id", "expert_id", "opened_at"],
        sqlite_where=sa.text("source = 'pool'"),
        postgresql_where=sa.text("source = 'pool'"),
    )


def downgrade() -> None:
    op.drop_index("ix_assignment_pool_opened", table_name="assignment")
