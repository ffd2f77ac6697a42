from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, BigId, IdMixin, UTCDateTime
from tandem.kit.clock import utcnow


class Trust(IdMixin, Base):
    """An expert's reliability on one project, from gold checks and consensus."""

    __tablename__ = "trust"
    __table_args__ = (UniqueConstraint("project_id", "expert_id"),)

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("project.id"), index=True)
    expert_id: Mapped[int] = mapped_column(BigId, ForeignKey("expert.id"), index=True)
    score: Mapped[float] = mapped_column(Float, default=0.5)
    gold_seen: Mapped[int] = mapped_column(Integer, default=0)
    gold_correct: Mapped[int] = mapped_column(Integer, default=0)
    agreement: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
