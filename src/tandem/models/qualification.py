from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Enum, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, BigId, CreatedMixin, IdMixin, JsonType, UTCDateTime
from tandem.models.enums import AttemptStatus


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
    __table_args__ = (Index("ix_qualification_grant_expert_passed", "expert_id", "passed"),)

    qualification_id: Mapped[int] = mapped_column(BigId, ForeignKey("qualification.id"), index=True)
    expert_id: Mapped[int] = mapped_column(BigId, ForeignKey("expert.id"))
    score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[AttemptStatus] = mapped_column(
        Enum(AttemptStatus, native_enum=False, length=20), default=AttemptStatus.GRADED
    )
    # {item_id: response} as submitted, and {"<item_id>.<question_id>": true/false/null}
    answers: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    results: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    active_seconds: Mapped[int] = mapped_column(Integer, default=0)
    # taking a test is paid work, pass or fail
    pay_minor: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    grader_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
