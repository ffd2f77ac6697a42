from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, CreatedMixin, IdMixin


class FxRate(IdMixin, CreatedMixin, Base):
    """One unit of `base` costs `rate` units of `quote` from `valid_on` until the next rate."""

    __tablename__ = "fx_rate"
    __table_args__ = (UniqueConstraint("base", "quote", "valid_on"),)

    base: Mapped[str] = mapped_column(String(3))
    quote: Mapped[str] = mapped_column(String(3))
    valid_on: Mapped[date] = mapped_column(Date)
    # a decimal, never a float: conversions round once, to the target's minor unit
    rate: Mapped[Decimal] = mapped_column(Numeric(20, 10))
    source: Mapped[str] = mapped_column(String(200), default="")
