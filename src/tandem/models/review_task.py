from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, BigId, CreatedMixin, IdMixin, JsonType, UTCDateTime
from tandem.models.enums import ReviewTaskStatus


class ReviewTask(IdMixin, CreatedMixin, Base):
    """A submission waiting in the reviewer queue at one stage (1 review, 2 final QA)."""

    __tablename__ = "review_task"
    __table_args__ = (
        UniqueConstraint("submission_id", "stage"),
        # the queue reads open tasks of a project in id order
        Index("ix_review_task_queue", "project_id", "status", "id"),
    )

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("project.id"))
    submission_id: Mapped[int] = mapped_column(BigId, ForeignKey("submission.id"))
    stage: Mapped[int] = mapped_column(Integer, default=1)
    # why it is here: gold_failure, too_fast, low_agreement, sampled, final_qa
    reasons: Mapped[list[str]] = mapped_column(JsonType, default=list)
    status: Mapped[ReviewTaskStatus] = mapped_column(
        Enum(ReviewTaskStatus, native_enum=False, length=20), default=ReviewTaskStatus.OPEN
    )
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
