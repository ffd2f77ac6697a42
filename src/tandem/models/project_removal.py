from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, Float, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, BigId, CreatedMixin, IdMixin, UTCDateTime
from tandem.models.enums import RemovalStatus


class ProjectRemoval(IdMixin, CreatedMixin, Base):
    """Due process for removing an expert from a project: warning, removal, appeal."""

    __tablename__ = "project_removal"

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("project.id"), index=True)
    expert_id: Mapped[int] = mapped_column(BigId, ForeignKey("expert.id"), index=True)
    status: Mapped[RemovalStatus] = mapped_column(
        Enum(RemovalStatus, native_enum=False, length=20), default=RemovalStatus.WARNED
    )
    reason: Mapped[str] = mapped_column(Text)
    trust_score: Mapped[float | None] = mapped_column(Float)
    warned_by: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    removed_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    appeal_statement: Mapped[str | None] = mapped_column(Text)
    appealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolver_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
