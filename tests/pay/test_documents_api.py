"""Payslips, statements, external income and invoices through the API and pages."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tandem.auth.security import pseudonym
from tandem.kit.clock import FakeClock
from tandem.pay.payrun import run_pay
from tandem.pay.policy import load_policy
from tests import factories as f
from tests.pay.conftest import AFTER_WEEK, MONDAY_10, WEEK, project_with

FLOORED = {"model": "per_item_with_floor", "currency": "USD", "per_item_minor": 100,
           "floor_hourly_minor": 2000}  # fmt: skip


def _paid_week(db: Session, clock: FakeClock, **expert: Any) -> tuple[Any, Any]:
    f.fx_rate(db, "EUR", "USD", "1.25", date(2025, 12, 1))
    proj = project_with(db, FLOORED)
    worker = f.expert(db, **expert)
    for _ in range(2):
        f.submission(db, proj, worker)
    f.work_session(db, worker, proj, MONDAY_10, 3600, night_seconds=600)
    clock.set(AFTER_WEEK)
    run_pay(db, WEEK, load_policy())
    return proj, worker


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_payslip_csv_shows_hours_items_topup_and_totals(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    _, worker = _paid_week(db, clock)
    headers = f.token_headers(db, worker)
    response = client.get("/api/v1/me/payslips/2026-W02.csv", headers=headers)
    assert response.status_code == 200
    rows = _csv(response.text)
    kinds = [r["kind"] for r in rows[:-1]]
    assert kinds == ["work", "floor_topup"]
    assert (rows[0]["day_hours"], rows[0]["night_hours"], rows[0]["items"]) == ("0.83", "0.17", "2")
    assert rows[-1]["entry"] == "total" and rows[-1]["amount_USD"] == "20.00"
    earnings = client.get("/api/v1/me/earnings", headers=headers).json()
    assert earnings["balances"] == [
        {"currency": "USD", "amount_minor": 2000, "converted_minor": 2000}
    ]
    assert earnings["payslip_periods"] == ["2026-W02"]


def test_payslip_pdf_and_unknown_formats(client: TestClient, db: Session, clock: FakeClock) -> None:
    _, worker = _paid_week(db, clock)
    headers = f.token_headers(db, worker)
    pdf = client.get("/api/v1/me/payslips/2026-W02.pdf", headers=headers)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.get("/api/v1/me/payslips/2026-W02.xls", headers=headers).status_code == 404
    assert client.get("/api/v1/me/payslips/someday.csv", headers=headers).status_code == 422


def test_statement_adds_other_income_by_month_and_source(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    _, worker = _paid_week(db, clock, currency="EUR", country="DE", time_zone="Europe/Berlin")
    headers = f.token_headers(db, worker)
    form = {"source": "Upwork", "received_on": "2026-01-08", "amount": "100.50", "currency": "EUR"}
    assert client.post("/api/v1/me/external-income", json=form, headers=headers).status_code == 201
    upload = "source,received_on,amount,currency,note\nAcme Ltd,2026-01-09,250,USD,invoice 7\n"
    imported = client.post(
        "/api/v1/me/external-income/import", files={"file": ("in.csv", upload)}, headers=headers
    )
    assert imported.json() == {"imported": 1}
    rows = _csv(client.get("/api/v1/me/statements/2026.csv", headers=headers).text)
    by_source = {(r["month"], r["source"]): r["amount_EUR"] for r in rows}
    # Tandem paid 2.00 + 18.00 USD (top-up to the 20.00 USD/h project floor) = 16.00 EUR
    assert by_source[("01", "Tandem")] == "16.00"
    assert by_source[("01", "Upwork")] == "100.50"
    assert by_source[("01", "Acme Ltd")] == "200.00"
    assert by_source[("total", "all sources")] == "316.50"
    assert client.get("/api/v1/me/statements/2026.pdf", headers=headers).content.startswith(b"%PDF")


def test_income_import_is_all_or_nothing_and_names_row_and_field(
    client: TestClient, db: Session
) -> None:
    headers = f.token_headers(db, f.expert(db))
    upload = (
        "source,received_on,amount,currency\n"
        "Good,2026-01-02,10.00,USD\n"
        "Bad amount,2026-01-02,10.001,USD\n"
        "Bad date,2026-02-30,5,USD\n"
        "Future,2027-01-01,5,usd\n"
    )
    response = client.post(
        "/api/v1/me/external-income/import", files={"file": ("x.csv", upload)}, headers=headers
    )
    assert response.status_code == 422
    locs = [e["loc"] for e in response.json()["errors"]]
    assert locs == [["row 3", "amount"], ["row 4", "received_on"], ["row 5", "received_on"]]
    assert client.get("/api/v1/me/external-income?year=2026", headers=headers).json() == []


def test_invoice_uses_pseudonyms_and_hides_other_orgs(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    proj, worker = _paid_week(db, clock)
    owner = f.requester(db, db.get_one(type(f.org(db)), proj.org_id))
    url = f"/api/v1/projects/{proj.id}/invoice?period=2026-W02"
    body = client.get(url, headers=f.token_headers(db, owner)).json()
    assert body["total_minor"] == 2000 and body["currency"] == "USD"
    assert {line["expert"] for line in body["lines"]} == {
        pseudonym(worker.require_expert().id, proj.org_id)
    }
    pdf = client.get(url + "&format=pdf", headers=f.token_headers(db, owner))
    assert pdf.content.startswith(b"%PDF")
    outsider = f.requester(db, f.org(db))
    assert client.get(url, headers=f.token_headers(db, outsider)).status_code == 404


def test_earnings_page_renders_for_a_logged_in_expert(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    _, worker = _paid_week(db, clock)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    form = {"email": worker.user.email, "password": f.PASSWORD, "csrf": token[1]}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    page = client.get("/earnings")
    assert page.status_code == 200
    assert "2026-W02" in page.text and "20.00 USD" in page.text
    fresh = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert fresh is not None
    income = {"source": "Fiverr", "received_on": "2026-01-10", "amount": "12", "currency": "USD",
              "csrf": fresh[1]}  # fmt: skip
    done = client.post("/earnings/income", data=income, follow_redirects=False)
    assert done.status_code == 303
    assert "Fiverr" in client.get("/earnings").text
