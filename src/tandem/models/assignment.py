from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, BigId, CreatedMixin, IdMixin, UTCDateTime
from tandem.models.enums import AssignmentStatus


class Assignment(IdMixin, CreatedMixin, Base):
    """An item handed to one expert: reserved, then active under a lease, then closed."""

    __tablename__ = "assignment"
    __table_args__ = (
        # never the same item twice to one expert
        UniqueConstraint("item_id", "expert_id"),
        Index("ix_assignment_expert_status", "project_id", "expert_id", "status"),
    )

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("project.id"), index=True)
    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("item.id"), index=True)
    expert_id: Mapped[int] = mapped_column(BigId, ForeignKey("expert.id"), index=True)
    status: Mapped[AssignmentStatus] = mapped_column(
        Enum(AssignmentStatus, native_enum=False, length=20)
    )
    reserved_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    skip_reason: Mapped[str | None] = mapped_column(String(500))
