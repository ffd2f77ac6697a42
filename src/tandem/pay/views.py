"""Pay pages: the expert's earnings (payslips, statements, other income) and invoices."""

from __future__ import annotations

import io

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from tandem.auth.deps import WebActor, check_csrf
from tandem.db.deps import SessionDep
from tandem.kit.clock import utcnow
from tandem.kit.ids import RowId
from tandem.pay import files, income, repository, service
from tandem.pay.periods import week_of
from tandem.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/earnings")
def earnings_page(request: Request, actor: WebActor, db: SessionDep) -> Response:
    """Balances, payslips, yearly statements and income from other sources."""
    expert = actor.require_expert()
    year = utcnow().year
    return render(
        request,
        "earnings.html",
        actor=actor,
        earnings=service.earnings(db, expert),
        year=year,
        external=repository.external_in_year(db, expert.id, year),
        notice=request.query_params.get("notice"),
    )


@router.post("/earnings/income")
async def add_income(request: Request, actor: WebActor, db: SessionDep) -> Response:
    """Record one income from the form."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    data = income.parse_income({k: v for k, v in form.items() if isinstance(v, str)}, [])
    income.record(db, actor.require_expert(), data)
    return RedirectResponse("/earnings?notice=Income+recorded", 303)


@router.post("/earnings/income/import")
async def import_income(request: Request, actor: WebActor, db: SessionDep) -> Response:
    """Import other income from a CSV file, all rows or none."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    upload = form.get("file")
    raw = await upload.read() if isinstance(upload, UploadFile) else b""
    count = income.import_csv(db, actor.require_expert(), io.StringIO(raw.decode("utf-8-sig")))
    return RedirectResponse(f"/earnings?notice=Imported+{count}+rows", 303)


@router.get("/projects/{project_id}/invoice")
def invoice_page(
    project_id: RowId, request: Request, actor: WebActor, db: SessionDep, period: str | None = None
) -> Response:
    """A project's invoice for a pay period (this week by default)."""
    label = period or week_of(utcnow().date()).label
    inv = files.project_invoice(db, actor, project_id, label)
    return render(request, "invoice.html", actor=actor, invoice=inv)
