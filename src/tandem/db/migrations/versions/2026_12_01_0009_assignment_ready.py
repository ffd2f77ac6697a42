"""assignments: index an expert's reservations by window, for the claim read

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_assignment_reserved",
        "assignment",
        ["project_id", "expert_id", "window_start"],
        sqlite_where=sa.text("status = 'RESERVED'"),
        postgresql_where=sa.text("status = 'RESERVED'"),
    )


def downgrade() -> None:
    op.drop_index("ix_assignment_reserved", table_name="assignment")
