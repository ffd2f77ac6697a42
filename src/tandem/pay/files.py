"""Documents as downloadable files: `2026-W47.pdf`, `2026.csv`; access checked here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.kit.errors import NotFound, ValidationFailed, field_error
from tandem.models import Expert
from tandem.pay import documents, render
from tandem.pay.periods import parse_period
from tandem.pay.schemas import InvoiceLineOut, InvoiceOut
from tandem.projects.service import project_for_manager

MEDIA = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}


@dataclass(frozen=True)
class File:
    content: bytes
    media_type: str
    filename: str


def _split(name: str) -> tuple[str, str]:
    stem, _, fmt = name.rpartition(".")
    if fmt not in MEDIA or not stem:
        raise NotFound(f"no document {name!r}; ask for .csv or .pdf")
    return stem, fmt


def payslip_file(db: Session, actor: Actor, name: str) -> File:
    """The caller's payslip for a period as CSV or PDF."""
    expert = actor.require_expert()
    stem, fmt = _split(name)
    slip = documents.payslip(db, expert, parse_period(stem))
    who = actor.user.display_name or actor.user.email
    content = render.payslip_pdf(slip, who) if fmt == "pdf" else render.payslip_csv(slip).encode()
    return File(content, MEDIA[fmt], f"payslip-{slip.period.label}.{fmt}")


def statement_file(db: Session, actor: Actor, name: str) -> File:
    """The caller's yearly earnings statement as CSV or PDF."""
    expert: Expert = actor.require_expert()
    stem, fmt = _split(name)
    if not stem.isdigit() or not 2000 <= int(stem) <= 2100:
        raise ValidationFailed("bad year", errors=[field_error(["year"], "a year such as 2026")])
    st = documents.statement(db, expert, int(stem))
    who = actor.user.display_name or actor.user.email
    content = render.statement_pdf(st, who) if fmt == "pdf" else render.statement_csv(st).encode()
    return File(content, MEDIA[fmt], f"earnings-{st.year}.{fmt}")


def project_invoice(db: Session, actor: Actor, project_id: int, period: str) -> documents.Invoice:
    """A project's invoice for a period, for its organization's requesters and admins."""
    project = project_for_manager(db, actor, project_id)
    return documents.invoice(db, project, parse_period(period))


def invoice_out(inv: documents.Invoice) -> InvoiceOut:
    return InvoiceOut(
        project_id=inv.project_id,
        project_name=inv.project_name,
        period=inv.period.label,
        currency=inv.currency,
        total_minor=inv.total_minor,
        lines=[InvoiceLineOut(**vars(line)) for line in inv.lines],
    )


def invoice_file(inv: documents.Invoice, fmt: str) -> File:
    content = render.invoice_pdf(inv) if fmt == "pdf" else render.invoice_csv(inv).encode()
    return File(content, MEDIA[fmt], f"invoice-{inv.project_id}-{inv.period.label}.{fmt}")
