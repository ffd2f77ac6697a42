from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, CreatedMixin, IdMixin, JsonType


class Organization(IdMixin, CreatedMixin, Base):
    """A requester organization: owns projects, never experts."""

    __tablename__ = "organization"

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
