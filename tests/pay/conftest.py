"""Helpers shared by the pay tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.models import LedgerEntry, Project
from tandem.pay.periods import parse_period
from tests import factories as f

WEEK = parse_period("2026-W02")  # Mon 5 to Sun 11 January 2026; the fake clock starts on the 5th
MONDAY_10 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
AFTER_WEEK = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)


def project_with(db: Session, terms: dict[str, Any], items: int = 10, **kw: Any) -> Project:
    org = f.org(db)
    proj = f.project(db, f.requester(db, org), org, pay_terms=terms, overlap=3, **kw)
    f.items(db, proj, items)
    return proj


def entries(db: Session, expert_id: int | None = None) -> list[LedgerEntry]:
    query = select(LedgerEntry).order_by(LedgerEntry.id)
    if expert_id is not None:
        query = query.where(LedgerEntry.expert_id == expert_id)
    return list(db.scalars(query))


def ledger_count(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(LedgerEntry)) or 0)
