"""Payslips, invoices and yearly statements as data: read from the ledger, nothing stored."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from tandem.auth.security import pseudonym
from tandem.models import Expert, LedgerEntry, Project
from tandem.models.enums import LedgerKind
from tandem.pay import repository
from tandem.pay.fx import FxTable, convert_minor
from tandem.pay.periods import Period

TANDEM_SOURCE = "Tandem"


@dataclass(frozen=True)
class SlipLine:
    entry_id: int
    project_id: int | None
    kind: str
    reason: str
    day_seconds: int
    night_seconds: int
    items: int
    rate_minor: int | None
    amount_minor: int
    currency: str
    fx_rate: Decimal
    converted_minor: int


@dataclass
class Payslip:
    """One expert's period: every entry, converted to their currency at the period's end."""

    period: Period
    currency: str
    lines: list[SlipLine] = field(default_factory=list)

    @property
    def total_converted_minor(self) -> int:
        return sum(line.converted_minor for line in self.lines)

    def total_by_kind(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for line in self.lines:
            totals[line.kind] += line.converted_minor
        return dict(totals)

    def ledger_totals(self) -> dict[str, int]:
        """Totals per original currency, which must equal the ledger's sums."""
        totals: dict[str, int] = defaultdict(int)
        for line in self.lines:
            totals[line.currency] += line.amount_minor
        return dict(totals)

    @property
    def day_seconds(self) -> int:
        return sum(line.day_seconds for line in self.lines)

    @property
    def night_seconds(self) -> int:
        return sum(line.night_seconds for line in self.lines)


def payslip(db: Session, expert: Expert, period: Period) -> Payslip:
    """The payslip of an expert for a pay period (empty when nothing was paid)."""
    fx = FxTable.of(repository.fx_rows(db))
    slip = Payslip(period=period, currency=expert.currency)
    for entry in repository.expert_entries(db, expert.id, period.start, period.end):
        rate = fx.rate(entry.currency, expert.currency, period.end)
        slip.lines.append(_line(entry, rate, expert.currency))
    return slip


def _line(entry: LedgerEntry, rate: Decimal, currency: str) -> SlipLine:
    details = entry.details or {}
    seconds = int(details.get("seconds", 0)) if entry.kind == LedgerKind.WORK else 0
    night = int(details.get("night_seconds", 0)) if seconds else 0
    return SlipLine(
        entry_id=entry.id,
        project_id=entry.project_id,
        kind=str(entry.kind),
        reason=entry.reason,
        day_seconds=seconds - night,
        night_seconds=night,
        items=int(details.get("items", 0)) if entry.kind == LedgerKind.WORK else 0,
        rate_minor=details.get("rate_minor"),
        amount_minor=entry.amount_minor,
        currency=entry.currency,
        fx_rate=rate,
        converted_minor=convert_minor(entry.amount_minor, rate, entry.currency, currency),
    )


@dataclass(frozen=True)
class InvoiceLine:
    expert: str  # a pseudonym: requesters never see who an expert is
    kind: str
    reason: str
    seconds: int
    items: int
    amount_minor: int


@dataclass
class Invoice:
    project_id: int
    project_name: str
    period: Period
    currency: str
    lines: list[InvoiceLine] = field(default_factory=list)

    @property
    def total_minor(self) -> int:
        return sum(line.amount_minor for line in self.lines)


def invoice(db: Session, project: Project, period: Period) -> Invoice:
    """What the requester owes for a project's period: the experts' entries, pseudonymized."""
    result = Invoice(
        project.id, project.name, period, str(project.pay_terms.get("currency", "USD"))
    )
    for entry in repository.project_entries(db, project.id, period.start, period.end):
        details = entry.details or {}
        who = pseudonym(entry.expert_id, project.org_id) if entry.expert_id else "-"
        result.lines.append(
            InvoiceLine(
                expert=who,
                kind=str(entry.kind),
                reason=entry.reason,
                seconds=int(details.get("seconds", 0)) if entry.kind == LedgerKind.WORK else 0,
                items=int(details.get("items", 0)) if entry.kind == LedgerKind.WORK else 0,
                amount_minor=entry.amount_minor,
            )
        )
    return result


@dataclass(frozen=True)
class StatementRow:
    month: int
    source: str
    converted_minor: int


@dataclass
class Statement:
    """A year's income by month and source in the expert's currency, for taxes."""

    year: int
    currency: str
    rows: list[StatementRow]

    def by_source(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for row in self.rows:
            totals[row.source] += row.converted_minor
        return dict(sorted(totals.items()))

    @property
    def total_minor(self) -> int:
        return sum(row.converted_minor for row in self.rows)


def statement(db: Session, expert: Expert, year: int) -> Statement:
    """Tandem income (by the local month it was credited) plus recorded external income."""
    fx = FxTable.of(repository.fx_rows(db))
    zone = ZoneInfo(expert.time_zone)
    # the local year's bounds in UTC
    starts = datetime(year, 1, 1, tzinfo=zone).astimezone(UTC)
    ends = datetime(year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    sums: dict[tuple[int, str], int] = defaultdict(int)
    for entry in repository.entries_between(db, expert.id, starts, ends):
        day = entry.created_at.astimezone(zone).date()
        sums[(day.month, TANDEM_SOURCE)] += fx.convert(
            entry.amount_minor, entry.currency, expert.currency, day
        )
    for income in repository.external_between(db, expert.id, date(year, 1, 1), date(year, 12, 31)):
        day = income.received_on
        sums[(day.month, income.source)] += fx.convert(
            income.amount_minor, income.currency, expert.currency, day
        )
    rows = [StatementRow(m, s, v) for (m, s), v in sorted(sums.items())]
    return Statement(year=year, currency=expert.currency, rows=rows)
