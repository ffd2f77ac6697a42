from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, BigId, CreatedMixin, IdMixin, UTCDateTime
from tandem.models.enums import WorkKind


class WorkSession(IdMixin, CreatedMixin, Base):
    """Active time from heartbeats, split into local day and night seconds."""

    __tablename__ = "work_session"
    __table_args__ = (
        # the heartbeat finds the open session of an assignment with one index lookup
        Index("ix_work_session_assignment_kind", "assignment_id", "kind", "last_beat_at"),
        # the pay run reads one period's sessions
        Index("ix_work_session_started_at", "started_at"),
        # the well-being gate sums one expert's recent weeks at every claim
        Index("ix_work_session_expert_started", "expert_id", "started_at"),
    )

    project_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("project.id"), index=True)
    expert_id: Mapped[int] = mapped_column(BigId, ForeignKey("expert.id"))
    assignment_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("assignment.id"))
    kind: Mapped[WorkKind] = mapped_column(
        Enum(WorkKind, native_enum=False, length=20), default=WorkKind.ITEM
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_beat_at: Mapped[datetime] = mapped_column(UTCDateTime())
    active_seconds: Mapped[int] = mapped_column(Integer, default=0)
    night_seconds: Mapped[int] = mapped_column(Integer, default=0)
