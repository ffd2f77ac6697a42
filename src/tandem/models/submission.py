from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, BigId, CreatedMixin, IdMixin, JsonText, JsonType
from tandem.models.enums import SubmissionStatus


class Submission(IdMixin, CreatedMixin, Base):
    """What an expert submitted. Never deleted; duplicates are kept but not counted."""

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("expert_id", "idempotency_key"),
        # at most one counted submission per assignment
        Index(
            "uq_submission_counted_assignment",
            "assignment_id",
            unique=True,
            sqlite_where=text("counted"),
            postgresql_where=text("counted"),
        ),
        Index("ix_submission_project_item", "project_id", "item_id"),
    )

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("project.id"))
    assignment_id: Mapped[int] = mapped_column(BigId, ForeignKey("assignment.id"))
    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("item.id"))
    expert_id: Mapped[int] = mapped_column(BigId, ForeignKey("expert.id"))
    response: Mapped[dict[str, Any]] = mapped_column(JsonText)
    active_seconds: Mapped[int] = mapped_column(Integer, default=0)
    telemetry: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[SubmissionStatus] = mapped_column(
        Enum(SubmissionStatus, native_enum=False, length=20), default=SubmissionStatus.SUBMITTED
    )
    counted: Mapped[bool] = mapped_column(Boolean, default=True)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
