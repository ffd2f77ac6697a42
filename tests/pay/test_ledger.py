"""The ledger: append-only, reversals, derived balances; invariants over random pay runs."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tandem.kit.clock import FakeClock
from tandem.kit.errors import Conflict
from tandem.models import LedgerEntry
from tandem.models.enums import LedgerKind
from tandem.models.ledger_entry import AppendOnlyViolation
from tandem.pay import repository
from tandem.pay.documents import payslip
from tandem.pay.payrun import run_pay
from tandem.pay.policy import load_policy
from tandem.pay.service import reverse_entry
from tests import factories as f
from tests.pay.conftest import AFTER_WEEK, MONDAY_10, WEEK, entries, ledger_count, project_with

POLICY = load_policy()
TERMS = [
    {"model": "hourly", "currency": "USD", "hourly_rate_minor": 3500},
    {"model": "per_item", "currency": "USD", "per_item_minor": 150},
    {"model": "per_item_with_floor", "currency": "USD", "per_item_minor": 90,
     "floor_hourly_minor": 1500},
]  # fmt: skip


def _one_entry(db: Session) -> LedgerEntry:
    worker = f.expert(db)
    f.work_session(db, worker, project_with(db, TERMS[0]), MONDAY_10, 3600)
    run_pay(db, WEEK, POLICY)
    return entries(db)[0]


def test_entries_cannot_be_changed_or_deleted_by_the_orm(db: Session) -> None:
    entry = _one_entry(db)
    entry.amount_minor = 1
    with pytest.raises(AppendOnlyViolation):
        db.flush()
    db.rollback()


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_the_database_refuses_changes_too(db: Session, statement: str) -> None:
    entry = _one_entry(db)
    sql = {
        "update": update(LedgerEntry).where(LedgerEntry.id == entry.id).values(amount_minor=1),
        "delete": delete(LedgerEntry).where(LedgerEntry.id == entry.id),
    }[statement]
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.connection().execute(sql)
    assert db.connection().execute(text("SELECT amount_minor FROM ledger_entry")).scalar() == 3500


def test_a_reversal_cancels_an_entry_once_and_balances_follow(db: Session) -> None:
    entry = _one_entry(db)
    assert entry.expert_id is not None
    assert repository.balances(db, entry.expert_id) == {"USD": 3500}
    reversal = reverse_entry(db, entry.id, "paid to the wrong project")
    assert (reversal.kind, reversal.amount_minor, reversal.reverses_id) == (
        LedgerKind.REVERSAL, -3500, entry.id,
    )  # fmt: skip
    assert "wrong project" in reversal.reason
    assert repository.balances(db, entry.expert_id) == {"USD": 0}
    with pytest.raises(Conflict):
        reverse_entry(db, entry.id, "again")


work_plan = st.lists(
    st.tuples(
        st.integers(0, 2),  # expert
        st.integers(0, 2),  # project
        st.integers(0, 5 * 3600),  # active seconds
        st.integers(0, 3),  # submissions
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    plan=work_plan, countries=st.lists(st.sampled_from(["US", "GB", "IN"]), min_size=3, max_size=3)
)
def test_payslips_equal_the_ledger_and_reruns_add_nothing(
    db: Session, clock: FakeClock, plan: list[tuple[int, int, int, int]], countries: list[str]
) -> None:
    savepoint = db.begin_nested()
    try:
        clock.set(MONDAY_10)
        f.fx_rate(db, "GBP", "USD", "1.27", MONDAY_10.date() - timedelta(days=30))
        projects = [project_with(db, terms, items=30) for terms in TERMS]
        workers = [f.expert(db, country=c, currency="USD") for c in countries]
        # submissions first: dispatch enforces breaks from the sessions it has seen
        for e, p, _, subs in plan:
            for _ in range(subs):
                f.submission(db, projects[p], workers[e])
        for e, p, seconds, _ in plan:
            if seconds:
                f.work_session(db, workers[e], projects[p], MONDAY_10, seconds)
        clock.set(AFTER_WEEK)
        run_pay(db, WEEK, POLICY)
        written = ledger_count(db)
        assert run_pay(db, WEEK, POLICY).entries_written == 0
        assert ledger_count(db) == written
        for worker in workers:
            expert = worker.require_expert()
            ledger: dict[str, int] = defaultdict(int)
            for entry in entries(db, expert.id):
                ledger[entry.currency] += entry.amount_minor
            slip = payslip(db, expert, WEEK)
            assert slip.ledger_totals() == dict(ledger)
            assert slip.total_converted_minor == sum(ledger.values())  # USD expert, USD projects
    finally:
        savepoint.rollback()
