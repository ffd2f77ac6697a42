"""Pay API: heartbeats, earnings, payslips, statements, external income, invoices."""

from __future__ import annotations

import io
from typing import Literal

from fastapi import APIRouter, Response, UploadFile, status

from tandem.auth.deps import CurrentActor, CurrentExpert
from tandem.db.deps import SessionDep
from tandem.kit.ids import RowId
from tandem.pay import files, income, repository, service
from tandem.pay.schemas import (
    EarningsOut,
    ExternalIncomeIn,
    ExternalIncomeOut,
    HeartbeatIn,
    HeartbeatOut,
    ImportOut,
    InvoiceOut,
)

router = APIRouter(prefix="/api/v1", tags=["pay"])


def _download(file: files.File) -> Response:
    disposition = f'attachment; filename="{file.filename}"'
    return Response(
        file.content, media_type=file.media_type, headers={"Content-Disposition": disposition}
    )


@router.post("/assignments/{assignment_id}/heartbeat")
def heartbeat(
    assignment_id: RowId, body: HeartbeatIn, actor: CurrentActor, db: SessionDep
) -> HeartbeatOut:
    """Record active time on one of the caller's assignments (every 30 s while working)."""
    return service.heartbeat(db, actor, assignment_id, body)


@router.get("/me/earnings")
def earnings(expert: CurrentExpert, db: SessionDep) -> EarningsOut:
    """The caller's balances, payslip periods and recent ledger entries."""
    return service.earnings(db, expert)


@router.get("/me/payslips/{name}", response_class=Response)
def payslip(name: str, actor: CurrentActor, db: SessionDep) -> Response:
    """The caller's payslip: `/me/payslips/2026-W47.pdf` or `.csv`."""
    return _download(files.payslip_file(db, actor, name))


@router.get("/me/statements/{name}", response_class=Response)
def statement(name: str, actor: CurrentActor, db: SessionDep) -> Response:
    """The caller's yearly earnings statement: `/me/statements/2026.pdf` or `.csv`."""
    return _download(files.statement_file(db, actor, name))


@router.post("/me/external-income", status_code=status.HTTP_201_CREATED)
def add_income(body: ExternalIncomeIn, expert: CurrentExpert, db: SessionDep) -> ExternalIncomeOut:
    """Record income from another platform or client."""
    return ExternalIncomeOut.model_validate(income.record(db, expert, body))


@router.post("/me/external-income/import", status_code=status.HTTP_201_CREATED)
def import_income(file: UploadFile, expert: CurrentExpert, db: SessionDep) -> ImportOut:
    """Import income rows from CSV (source, received_on, amount, currency[, note]); all or none."""
    stream = io.TextIOWrapper(file.file, encoding="utf-8-sig", newline="")
    return ImportOut(imported=income.import_csv(db, expert, stream))


@router.get("/me/external-income")
def list_income(year: int, expert: CurrentExpert, db: SessionDep) -> list[ExternalIncomeOut]:
    """The caller's recorded external income in a year."""
    rows = repository.external_in_year(db, expert.id, year)
    return [ExternalIncomeOut.model_validate(r) for r in rows]


@router.get("/projects/{project_id}/invoice", response_model=None)
def invoice(
    project_id: RowId,
    period: str,
    actor: CurrentActor,
    db: SessionDep,
    format: Literal["json", "csv", "pdf"] = "json",
) -> InvoiceOut | Response:
    """What the organization owes for a project's pay period, experts as pseudonyms."""
    inv = files.project_invoice(db, actor, project_id, period)
    return (
        files.invoice_out(inv) if format == "json" else _download(files.invoice_file(inv, format))
    )
