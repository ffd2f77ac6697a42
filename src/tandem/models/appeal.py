from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, BigId, CreatedMixin, IdMixin, UTCDateTime
from tandem.models.enums import AppealStatus


class Appeal(IdMixin, CreatedMixin, Base):
    """An expert's appeal of a review; resolved by a different reviewer, finally."""

    __tablename__ = "appeal"

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("project.id"), index=True)
    review_id: Mapped[int] = mapped_column(BigId, ForeignKey("review.id"), index=True)
    expert_id: Mapped[int] = mapped_column(BigId, ForeignKey("expert.id"), index=True)
    statement: Mapped[str] = mapped_column(Text)
    status: Mapped[AppealStatus] = mapped_column(
        Enum(AppealStatus, native_enum=False, length=20), default=AppealStatus.OPEN
    )
    resolver_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
