from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, BigId, IdMixin, JsonType, UTCDateTime
from tandem.kit.clock import utcnow


class Aggregate(IdMixin, Base):
    """The inferred answer for one item and question, its confidence and method."""

    __tablename__ = "aggregate"
    __table_args__ = (UniqueConstraint("item_id", "question_id"),)

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("project.id"), index=True)
    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("item.id"))
    question_id: Mapped[str] = mapped_column(String(100))
    answer: Mapped[Any] = mapped_column(JsonType)
    confidence: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(40))
    n_labels: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
