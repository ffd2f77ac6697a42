from __future__ import annotations

from typing import Any

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, BigId, CreatedMixin, IdMixin, JsonType
from tandem.models.enums import ExpertStatus


class Expert(IdMixin, CreatedMixin, Base):
    """An expert's profile in the platform network (not owned by any requester org)."""

    __tablename__ = "expert"

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"), unique=True)
    status: Mapped[ExpertStatus] = mapped_column(
        Enum(ExpertStatus, native_enum=False, length=20), default=ExpertStatus.ADMITTED
    )
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    country: Mapped[str] = mapped_column(String(2), default="US")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    # {"python": 3, "medicine": 2}: skill name -> level 1..5
    skills: Mapped[dict[str, int]] = mapped_column(JsonType, default=dict)
    # ["en", "de"]: BCP 47 language tags
    languages: Mapped[list[str]] = mapped_column(JsonType, default=list)
    # [{"weekday": 0, "start": "09:00", "end": "13:00"}] in the expert's local time
    availability: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    # personal caps, never looser than the platform policy: {"weekly_hours": 30}
    caps: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
