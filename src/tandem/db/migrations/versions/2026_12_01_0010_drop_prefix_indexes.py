"""drop indexes whose columns lead another index of the same table

Each of these was a one-column index on a foreign key that a wider index (or a unique
constraint) already starts with: PostgreSQL and SQLite use the wider one for the same
look-ups, and every write paid for one more index (docs/dispatch.md).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# (table, column): the index is named ix_<table>_<column>
PREFIX_INDEXES = [
    ("assignment", "project_id"),
    ("assignment", "item_id"),
    ("item", "project_id"),
    ("membership", "org_id"),
    ("qualification_grant", "expert_id"),
    ("review_task", "project_id"),
    ("submission", "project_id"),
    ("submission", "expert_id"),
    ("trust", "project_id"),
    ("work_session", "expert_id"),
]


def upgrade() -> None:
    for table, column in PREFIX_INDEXES:
        op.drop_index(f"ix_{table}_{column}", table_name=table)


def downgrade() -> None:
    for table, column in PREFIX_INDEXES:
        op.create_index(f"ix_{table}_{column}", table, [column])
