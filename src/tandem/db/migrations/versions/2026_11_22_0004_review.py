"""review tables and columns

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 22:15:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import tandem.db.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _id_and_created() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", tandem.db.base.UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    _create_audit_event()
    _create_review_task()
    _create_project_removal()
    _alter_qualification_grant()


def _create_audit_event() -> None:
    op.create_table(
        "audit_event",
        sa.Column("actor_user_id", BIG_ID, nullable=True),
        sa.Column("actor_role", sa.String(length=30), nullable=False),
        sa.Column("expert_id", BIG_ID, nullable=True),
        sa.Column("project_id", BIG_ID, nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject_type", sa.String(length=30), nullable=False),
        sa.Column("subject_id", BIG_ID, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", JSON, nullable=False),
        *_id_and_created(),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["user_account.id"],
            name=op.f("fk_audit_event_actor_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["expert.id"], name=op.f("fk_audit_event_expert_id_expert")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_audit_event_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_event_expert_created", ["expert_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_event_project_id"), ["project_id"], unique=False)


def _create_review_task() -> None:
    op.create_table(
        "review_task",
        sa.Column("project_id", BIG_ID, nullable=False),
        sa.Column("submission_id", BIG_ID, nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column(
            "status",
            sa.Enum("OPEN", "DONE", name="reviewtaskstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("done_at", tandem.db.base.UTCDateTime(), nullable=True),
        *_id_and_created(),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_review_task_project_id_project")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_review_task_submission_id_submission"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_task")),
        sa.UniqueConstraint(
            "submission_id", "stage", name=op.f("uq_review_task_submission_id_stage")
        ),
    )
    with op.batch_alter_table("review_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_task_project_id"), ["project_id"], unique=False)
        batch_op.create_index("ix_review_task_queue", ["project_id", "status", "id"], unique=False)


def _create_project_removal() -> None:
    status = sa.Enum(
        "WARNED",
        "WITHDRAWN",
        "REMOVED",
        "APPEALED",
        "REINSTATED",
        "UPHELD",
        name="removalstatus",
        native_enum=False,
        length=20,
    )
    op.create_table(
        "project_removal",
        sa.Column("project_id", BIG_ID, nullable=False),
        sa.Column("expert_id", BIG_ID, nullable=False),
        sa.Column("status", status, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("trust_score", sa.Float(), nullable=True),
        sa.Column("warned_by", BIG_ID, nullable=False),
        sa.Column("removed_by", BIG_ID, nullable=True),
        sa.Column("removed_at", tandem.db.base.UTCDateTime(), nullable=True),
        sa.Column("appeal_statement", sa.Text(), nullable=True),
        sa.Column("appealed_at", tandem.db.base.UTCDateTime(), nullable=True),
        sa.Column("resolver_id", BIG_ID, nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_at", tandem.db.base.UTCDateTime(), nullable=True),
        *_id_and_created(),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["expert.id"], name=op.f("fk_project_removal_expert_id_expert")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_project_removal_project_id_project")
        ),
        sa.ForeignKeyConstraint(
            ["removed_by"],
            ["user_account.id"],
            name=op.f("fk_project_removal_removed_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["resolver_id"],
            ["user_account.id"],
            name=op.f("fk_project_removal_resolver_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["warned_by"],
            ["user_account.id"],
            name=op.f("fk_project_removal_warned_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_removal")),
    )
    with op.batch_alter_table("project_removal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_removal_expert_id"), ["expert_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_project_removal_project_id"), ["project_id"], unique=False
        )


def _alter_qualification_grant() -> None:
    status = sa.Enum("PENDING_REVIEW", "GRADED", name="attemptstatus", native_enum=False, length=20)
    with op.batch_alter_table("qualification_grant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", status, nullable=False, server_default="GRADED"))
        batch_op.add_column(sa.Column("answers", JSON, nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("results", JSON, nullable=False, server_default="{}"))
        batch_op.add_column(
            sa.Column("active_seconds", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("pay_minor", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("currency", sa.String(length=3), nullable=False, server_default="USD")
        )
        batch_op.add_column(sa.Column("grader_id", BIG_ID, nullable=True))
        batch_op.add_column(sa.Column("graded_at", tandem.db.base.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_qualification_grant_grader_id_user_account"),
            "user_account",
            ["grader_id"],
            ["id"],
        )
        batch_op.create_index(
            "ix_qualification_grant_expert_passed", ["expert_id", "passed"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("qualification_grant", schema=None) as batch_op:
        batch_op.drop_index("ix_qualification_grant_expert_passed")
        batch_op.drop_constraint(
            batch_op.f("fk_qualification_grant_grader_id_user_account"), type_="foreignkey"
        )
        for column in (
            "graded_at",
            "grader_id",
            "currency",
            "pay_minor",
            "active_seconds",
            "results",
            "answers",
            "status",
        ):
            batch_op.drop_column(column)
    for table, indexes in (
        ("project_removal", ["ix_project_removal_project_id", "ix_project_removal_expert_id"]),
        ("review_task", ["ix_review_task_queue", "ix_review_task_project_id"]),
        ("audit_event", ["ix_audit_event_project_id", "ix_audit_event_expert_created"]),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in indexes:
                batch_op.drop_index(name)
        op.drop_table(table)
