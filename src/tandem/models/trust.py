from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, BigId, IdMixin, JsonType, UTCDateTime
from tandem.kit.clock import utcnow


class Trust(IdMixin, Base):
    """An expert's reliability on one project, from gold checks and consensus."""

    __tablename__ = "trust"
    __table_args__ = (UniqueConstraint("project_id", "expert_id"),)

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("project.id"))
    expert_id: Mapped[int] = mapped_column(BigId, ForeignKey("expert.id"), index=True)
    score: Mapped[float] = mapped_column(Float, default=0.5)
    gold_seen: Mapped[int] = mapped_column(Integer, default=0)
    gold_correct: Mapped[int] = mapped_column(Integer, default=0)
    agreement: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class QualityState(IdMixin, Base):
    """A project's last quality computation: the stored report and what it was computed from."""

    __tablename__ = "quality_state"

    project_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("project.id"), index=True, unique=True
    )
    # fingerprint of the counted submissions at computation time: a change means stale
    counted_submissions: Mapped[int] = mapped_column(Integer, default=0)
    last_submission_id: Mapped[int | None] = mapped_column(BigId)
    method: Mapped[str] = mapped_column(String(40))
    report: Mapped[dict[str, Any]] = mapped_column(JsonType)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
