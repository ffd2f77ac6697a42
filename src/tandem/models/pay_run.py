from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, CreatedMixin, IdMixin


class PayRun(IdMixin, CreatedMixin, Base):
    """A log line per pay-run invocation; the ledger entries are the result."""

    __tablename__ = "pay_run"

    period_start: Mapped[date] = mapped_column(Date, index=True)
    period_end: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(40))
    experts: Mapped[int] = mapped_column(Integer, default=0)
    entries_written: Mapped[int] = mapped_column(Integer, default=0)
