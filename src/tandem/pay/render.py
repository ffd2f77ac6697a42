"""Payslips, invoices and statements as CSV and PDF (fpdf2, core fonts, Latin-1)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from fpdf import FPDF

from tandem.kit.money import Money
from tandem.pay.documents import Invoice, Payslip, Statement

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _hours(seconds: int) -> str:
    return f"{seconds / 3600:.2f}"


def _amount(minor: int, currency: str) -> str:
    """A plain decimal for CSV (no thousands separators, no currency code)."""
    return str(Money(minor, currency)).rsplit(" ", 1)[0].replace(",", "")


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def payslip_rows(slip: Payslip) -> tuple[list[str], list[list[object]]]:
    cur = slip.currency
    header = ["entry", "project", "kind", "day_hours", "night_hours", "items", "rate",
              "amount", "currency", "fx_rate", f"amount_{cur}", "reason"]  # fmt: skip
    rows: list[list[object]] = [
        [
            line.entry_id,
            line.project_id or "",
            line.kind,
            _hours(line.day_seconds),
            _hours(line.night_seconds),
            line.items,
            _amount(line.rate_minor, line.currency) if line.rate_minor is not None else "",
            _amount(line.amount_minor, line.currency),
            line.currency,
            f"{line.fx_rate:.6f}",
            _amount(line.converted_minor, cur),
            line.reason,
        ]
        for line in slip.lines
    ]
    rows.append(["total", "", "", _hours(slip.day_seconds), _hours(slip.night_seconds),
                 sum(line.items for line in slip.lines), "", "", "", "",
                 _amount(slip.total_converted_minor, cur), ""])  # fmt: skip
    return header, rows


def payslip_csv(slip: Payslip) -> str:
    return _csv(*payslip_rows(slip))


def invoice_csv(inv: Invoice) -> str:
    rows: list[list[object]] = [
        [
            line.expert,
            line.kind,
            _hours(line.seconds),
            line.items,
            _amount(line.amount_minor, inv.currency),
            inv.currency,
            line.reason,
        ]
        for line in inv.lines
    ]
    rows.append(["total", "", "", "", _amount(inv.total_minor, inv.currency), inv.currency, ""])
    return _csv(["expert", "kind", "hours", "items", "amount", "currency", "reason"], rows)


def statement_csv(st: Statement) -> str:
    rows: list[list[object]] = [
        [st.year, f"{row.month:02d}", row.source, _amount(row.converted_minor, st.currency)]
        for row in st.rows
    ]
    rows += [[st.year, "total", src, _amount(v, st.currency)] for src, v in st.by_source().items()]
    rows.append([st.year, "total", "all sources", _amount(st.total_minor, st.currency)])
    return _csv(["year", "month", "source", f"amount_{st.currency}"], rows)


class _Doc(FPDF):
    def __init__(self, title: str, lines: Sequence[str]) -> None:
        super().__init__(orientation="landscape")
        self.set_title(title)
        self.add_page()
        self.set_font("helvetica", "B", 14)
        self.cell(text=_latin1(title), new_x="LMARGIN", new_y="NEXT")
        self.set_font("helvetica", size=9)
        for line in lines:
            self.cell(text=_latin1(line), new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def grid(self, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        with self.table(text_align="LEFT", first_row_as_headings=True) as table:
            for values in [header, *rows]:
                row = table.row()
                for value in values:
                    row.cell(_latin1(str(value)))

    def bytes(self) -> bytes:
        return bytes(self.output())


def _latin1(text: str) -> str:
    """Core PDF fonts are Latin-1; anything else is shown as '?' rather than failing."""
    return text.encode("latin-1", "replace").decode("latin-1")


def payslip_pdf(slip: Payslip, name: str) -> bytes:
    header, rows = payslip_rows(slip)
    doc = _Doc(
        f"Payslip {slip.period.label}",
        [f"{name}, {slip.period.start} to {slip.period.end}, amounts in {slip.currency} "
         "at the FX rate of the period's last day. Night = 22:00-06:00 your local time.",
         *(f"{kind}: {Money(v, slip.currency)}" for kind, v in slip.total_by_kind().items()),
         f"Total: {Money(slip.total_converted_minor, slip.currency)}"],
    )  # fmt: skip
    doc.grid(header[:-1], [r[:-1] for r in rows])
    doc.ln(4)
    for line in slip.lines:
        doc.multi_cell(0, text=_latin1(f"#{line.entry_id}: {line.reason}"), new_x="LMARGIN")
    return doc.bytes()


def invoice_pdf(inv: Invoice) -> bytes:
    doc = _Doc(
        f"Invoice: {inv.project_name} ({inv.period.label})",
        [f"Project {inv.project_id}, {inv.period.start} to {inv.period.end}",
         f"Total due: {Money(inv.total_minor, inv.currency)}"],
    )  # fmt: skip
    doc.grid(
        ["expert", "kind", "hours", "items", "amount", "reason"],
        [[ln.expert, ln.kind, _hours(ln.seconds), ln.items,
          str(Money(ln.amount_minor, inv.currency)), ln.reason] for ln in inv.lines],
    )  # fmt: skip
    return doc.bytes()


def statement_pdf(st: Statement, name: str) -> bytes:
    doc = _Doc(
        f"Earnings statement {st.year}",
        [f"{name}: income from Tandem and recorded other sources, in {st.currency}",
         *(f"{src}: {Money(v, st.currency)}" for src, v in st.by_source().items()),
         f"Total: {Money(st.total_minor, st.currency)}"],
    )  # fmt: skip
    doc.grid(
        ["month", "source", f"amount ({st.currency})"],
        [[MONTHS[r.month - 1], r.source, str(Money(r.converted_minor, st.currency))]
         for r in st.rows],
    )  # fmt: skip
    return doc.bytes()
