from __future__ import annotations

from sqlalchemy import Enum, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, BigId, CreatedMixin, IdMixin
from tandem.models.enums import Role


class Membership(IdMixin, CreatedMixin, Base):
    """A user's role in an organization (one row per role)."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("org_id", "user_id", "role"),)

    org_id: Mapped[int] = mapped_column(BigId, ForeignKey("organization.id"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
