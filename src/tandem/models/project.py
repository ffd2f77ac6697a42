from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, BigId, CreatedMixin, IdMixin, JsonType, UTCDateTime
from tandem.kit.clock import utcnow
from tandem.models.enums import ProjectStatus


class Project(IdMixin, CreatedMixin, Base):
    """A requester's project: form, guidelines, pay terms and quality policy."""

    __tablename__ = "project"

    org_id: Mapped[int] = mapped_column(BigId, ForeignKey("organization.id"), index=True)
    created_by: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    guidelines: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ProjectStatus] = mapped_column(
        Enum(ProjectStatus, native_enum=False, length=20), default=ProjectStatus.DRAFT
    )
    form: Mapped[dict[str, Any]] = mapped_column(JsonType)
    overlap: Mapped[int] = mapped_column(Integer, default=1)
    time_estimate_seconds: Mapped[int] = mapped_column(Integer, default=300)
    pay_terms: Mapped[dict[str, Any]] = mapped_column(JsonType)
    quality_policy: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    required_skills: Mapped[dict[str, int]] = mapped_column(JsonType, default=dict)
    required_languages: Mapped[list[str]] = mapped_column(JsonType, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    went_live_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
