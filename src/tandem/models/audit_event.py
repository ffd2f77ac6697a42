from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, BigId, CreatedMixin, IdMixin, JsonType


class AuditEvent(IdMixin, CreatedMixin, Base):
    """One decision: who (actor), when (created_at), what (action on a subject), why (reason)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_expert_created", "expert_id", "created_at"),)

    # None for decisions the system takes itself (an appeal window closing)
    actor_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))
    actor_role: Mapped[str] = mapped_column(String(30))
    # the expert the decision concerns: they can always read it
    expert_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("expert.id"))
    project_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("project.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int] = mapped_column(BigId)
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
