from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint, text
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
        # the lapsed-lease scan inside every claim reads only this index
        Index("ix_assignment_lease", "project_id", "status", "lease_expires_at"),
        # at most one active lease per expert and project, whatever the code above does
        Index(
            "uq_assignment_one_active",
            "project_id",
            "expert_id",
            unique=True,
            sqlite_where=text("status = 'ACTIVE'"),
            postgresql_where=text("status = 'ACTIVE'"),
        ),
        # every claim looks for the expert's reservation whose window is open: this index
        # reads only their reservations, in window order
        Index(
            "ix_assignment_reserved",
            "project_id",
            "expert_id",
            "window_start",
            sqlite_where=text("status = 'RESERVED'"),
            postgresql_where=text("status = 'RESERVED'"),
        ),
        # the open pool's hourly limit counts an expert's pool claims of the last hour at
        # every claim: this index reads only those, not all their work in the project
        Index(
            "ix_assignment_pool_opened",
            "project_id",
            "expert_id",
            "opened_at",
            sqlite_where=text("source = 'pool'"),
            postgresql_where=text("source = 'pool'"),
        ),
    )

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("project.id"))
    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("item.id"))
    expert_id: Mapped[int] = mapped_column(BigId, ForeignKey("expert.id"), index=True)
    status: Mapped[AssignmentStatus] = mapped_column(
        Enum(AssignmentStatus, native_enum=False, length=20)
    )
    # how it was handed out: from a reservation, from the open pool, or as a gold check
    source: Mapped[str] = mapped_column(String(20), default="pool")
    # a reservation is good from the start of the expert's window until its end + grace
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reserved_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    skip_reason: Mapped[str | None] = mapped_column(String(500))
