from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, BigId, CreatedMixin, IdMixin, UTCDateTime


class Qualification(IdMixin, CreatedMixin, Base):
    """A paid test (gold items in its own project) that grants a skill level."""

    __tablename__ = "qualification"

    org_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("organization.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("project.id"))
    name: Mapped[str] = mapped_column(String(200))
    skill: Mapped[str] = mapped_column(String(100))
    level: Mapped[int] = mapped_column(Integer, default=1)
    pass_mark: Mapped[float] = mapped_column(Float, default=0.8)
    retake_cooldown_hours: Mapped[int] = mapped_column(Integer, default=72)
    valid_days: Mapped[int] = mapped_column(Integer, default=365)


class QualificationGrant(IdMixin, CreatedMixin, Base):
    """One attempt at a qualification; a passing one grants the level until it expires."""

    __tablename__ = "qualification_grant"

    qualification_id: Mapped[int] = mapped_column(BigId, ForeignKey("qualification.id"), index=True)
    expert_id: Mapped[int] = mapped_column(BigId, ForeignKey("expert.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
