from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, BigId, CreatedMixin, IdMixin, JsonType
from tandem.models.enums import ItemStatus


class Item(IdMixin, CreatedMixin, Base):
    """One unit of work: the payload shown to experts, and a hidden gold answer."""

    __tablename__ = "item"
    __table_args__ = (
        UniqueConstraint("project_id", "external_id"),
        # The claim scans this index only: open items of one project with a free slot.
        Index("ix_item_claim", "project_id", "status", "is_gold", "taken", "id"),
    )

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("project.id"))
    external_id: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType)
    gold: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    # gold items are checks, interleaved at the project's gold rate and not bound by overlap
    is_gold: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[ItemStatus] = mapped_column(
        Enum(ItemStatus, native_enum=False, length=20), default=ItemStatus.OPEN
    )
    # live assignments + counted submissions; never above the project's overlap
    taken: Mapped[int] = mapped_column(Integer, default=0)
    # counted submissions
    done: Mapped[int] = mapped_column(Integer, default=0)
