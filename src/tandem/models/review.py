from __future__ import annotations

from typing import Any

from sqlalchemy import Enum, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, BigId, CreatedMixin, IdMixin, JsonType
from tandem.models.enums import ReviewVerdict


class Review(IdMixin, CreatedMixin, Base):
    """A reviewer's verdict on a submission, with structured reasons."""

    __tablename__ = "review"

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("project.id"), index=True)
    submission_id: Mapped[int] = mapped_column(BigId, ForeignKey("submission.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    stage: Mapped[int] = mapped_column(Integer, default=1)
    verdict: Mapped[ReviewVerdict] = mapped_column(
        Enum(ReviewVerdict, native_enum=False, length=20)
    )
    reasons: Mapped[list[str]] = mapped_column(JsonType, default=list)
    feedback: Mapped[str] = mapped_column(Text, default="")
    # a fix: the corrected values (the original submission is kept as is)
    edited_values: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
