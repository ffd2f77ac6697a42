"""pay tables and columns

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 22:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import tandem.db.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
APPEND_ONLY_MSG = "ledger_entry is append-only; write a reversing entry instead"


def _id_and_created() -> list[sa.Column[object]]:
    return [
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", tandem.db.base.UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "pay_run",
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("experts", sa.Integer(), nullable=False),
        sa.Column("entries_written", sa.Integer(), nullable=False),
        *_id_and_created(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pay_run")),
    )
    with op.batch_alter_table("pay_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pay_run_period_start"), ["period_start"])
    op.create_table(
        "fx_rate",
        sa.Column("base", sa.String(length=3), nullable=False),
        sa.Column("quote", sa.String(length=3), nullable=False),
        sa.Column("valid_on", sa.Date(), nullable=False),
        sa.Column("rate", sa.Numeric(precision=20, scale=10), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        *_id_and_created(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fx_rate")),
        sa.UniqueConstraint(
            "base", "quote", "valid_on", name=op.f("uq_fx_rate_base_quote_valid_on")
        ),
    )
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pay_run_id", BIG_ID, nullable=True))
        batch_op.add_column(sa.Column("details", JSON, nullable=False, server_default="{}"))
        batch_op.create_foreign_key(
            batch_op.f("fk_ledger_entry_pay_run_id_pay_run"), "pay_run", ["pay_run_id"], ["id"]
        )
        batch_op.create_index("ix_ledger_entry_period", ["period_start", "period_end"])
    with op.batch_alter_table("work_session", schema=None) as batch_op:
        batch_op.create_index(
            "ix_work_session_assignment_kind", ["assignment_id", "kind", "last_beat_at"]
        )
        batch_op.create_index("ix_work_session_started_at", ["started_at"])
    _create_append_only_triggers()


def _create_append_only_triggers() -> None:
    """The database refuses UPDATE and DELETE on the ledger, whatever the code does."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION ledger_entry_append_only() RETURNS trigger AS $$ BEGIN "
            f"RAISE EXCEPTION '{APPEND_ONLY_MSG}'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry "
            "FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only()"
        )
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER ledger_entry_no_{action.lower()} BEFORE {action} ON ledger_entry "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MSG}'); END"
        )


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry")
        op.execute("DROP FUNCTION IF EXISTS ledger_entry_append_only()")
        return
    op.execute("DROP TRIGGER IF EXISTS ledger_entry_no_update")
    op.execute("DROP TRIGGER IF EXISTS ledger_entry_no_delete")


def downgrade() -> None:
    _drop_append_only_triggers()
    with op.batch_alter_table("work_session", schema=None) as batch_op:
        batch_op.drop_index("ix_work_session_started_at")
        batch_op.drop_index("ix_work_session_assignment_kind")
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entry_period")
        batch_op.drop_constraint(
            batch_op.f("fk_ledger_entry_pay_run_id_pay_run"), type_="foreignkey"
        )
        batch_op.drop_column("details")
        batch_op.drop_column("pay_run_id")
    op.drop_table("fx_rate")
    with op.batch_alter_table("pay_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pay_run_period_start"))
    op.drop_table("pay_run")
