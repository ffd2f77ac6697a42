from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, BigId, CreatedMixin, IdMixin


class ExternalIncome(IdMixin, CreatedMixin, Base):
    """Income an expert earned elsewhere, recorded so the yearly statement is complete."""

    __tablename__ = "external_income"

    expert_id: Mapped[int] = mapped_column(BigId, ForeignKey("expert.id"), index=True)
    source: Mapped[str] = mapped_column(String(200))
    received_on: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    note: Mapped[str] = mapped_column(Text, default="")
