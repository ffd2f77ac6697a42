"""submissions: the response as `json` text on PostgreSQL, not `jsonb`

A response is stored once and read back whole (review, quality, exports), never queried
inside; `json` keeps the text as written, costs no parse on insert and none on the way out.
SQLite stores JSON as text already.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE submission ALTER COLUMN response TYPE json USING response::json")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE submission ALTER COLUMN response TYPE jsonb USING response::jsonb")
