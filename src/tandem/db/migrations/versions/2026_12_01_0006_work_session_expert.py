"""work sessions: index by expert and start, for the well-being read at every claim

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 07:15:00
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_work_session_expert_started", "work_session", ["expert_id", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_work_session_expert_started", table_name="work_session")
