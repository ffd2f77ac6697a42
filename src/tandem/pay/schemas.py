"""Pay request and response bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tandem.models.enums import WorkKind


class HeartbeatIn(BaseModel):
    """What the workbench reports every 30 s about the time since its previous beat."""

    model_config = ConfigDict(extra="forbid")

    kind: WorkKind = WorkKind.ITEM
    focused: bool
    input_events: int = Field(
        ge=0, le=100_000, description="keys/clicks/scrolls counted, not logged"
    )

    @property
    def active(self) -> bool:
        return self.focused and self.input_events > 0


class HeartbeatOut(BaseModel):
    session_id: int | None
    counted_seconds: int
    session_active_seconds: int
    assignment_active_seconds: int


class LedgerEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int | None
    kind: str
    amount_minor: int
    currency: str
    reason: str
    period_start: date | None
    period_end: date | None
    reverses_id: int | None
    created_at: datetime
    details: dict[str, Any]


class BalanceOut(BaseModel):
    currency: str
    amount_minor: int
    converted_minor: int | None = Field(description="in the expert's currency at today's FX rate")


class EarningsOut(BaseModel):
    currency: str
    balances: list[BalanceOut]
    total_converted_minor: int | None
    payslip_periods: list[str]
    recent_entries: list[LedgerEntryOut]


class ExternalIncomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=200)
    received_on: date
    amount: str = Field(description="a decimal such as 1234.50, in `currency`")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    note: str = Field(default="", max_length=2000)


class ExternalIncomeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source: str
    received_on: date
    amount_minor: int
    currency: str
    note: str


class ImportOut(BaseModel):
    imported: int


class InvoiceLineOut(BaseModel):
    expert: str = Field(description="the expert's pseudonym in your organization")
    kind: str
    reason: str
    seconds: int
    items: int
    amount_minor: int


class InvoiceOut(BaseModel):
    project_id: int
    project_name: str
    period: str
    currency: str
    total_minor: int
    lines: list[InvoiceLineOut]
