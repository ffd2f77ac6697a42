from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base, BigId, CreatedMixin, IdMixin
from tandem.models.enums import LedgerKind


class LedgerEntry(IdMixin, CreatedMixin, Base):
    """An append-only money movement; balances are sums, corrections are reversals."""

    __tablename__ = "ledger_entry"

    expert_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("expert.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("project.id"), index=True)
    kind: Mapped[LedgerKind] = mapped_column(Enum(LedgerKind, native_enum=False, length=20))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    # makes every pay-run entry unique so a re-run adds nothing
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    reverses_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ledger_entry.id"))
