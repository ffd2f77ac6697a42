from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Date, Enum, ForeignKey, Index, String, Text, event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from tandem.db.base import Base, BigId, CreatedMixin, IdMixin, JsonType
from tandem.models.enums import LedgerKind


class LedgerEntry(IdMixin, CreatedMixin, Base):
    """An append-only money movement; balances are sums, corrections are reversals."""

    __tablename__ = "ledger_entry"
    __table_args__ = (Index("ix_ledger_entry_period", "period_start", "period_end"),)

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
    pay_run_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("pay_run.id"))
    # what the payslip shows: seconds, night seconds, items, rates (all integers)
    details: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)


class AppendOnlyViolation(RuntimeError):
    """Raised when code tries to change or delete a ledger entry."""


def _refuse(mapper: Mapper[Any], connection: Connection, target: LedgerEntry) -> None:
    raise AppendOnlyViolation(
        f"ledger entry {target.id} is append-only; write a reversing entry instead"
    )


event.listen(LedgerEntry, "before_update", _refuse)
event.listen(LedgerEntry, "before_delete", _refuse)
