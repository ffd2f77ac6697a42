"""The pay run: pay models, floor top-ups, bonuses, the payable rule, idempotency."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.kit.clock import FakeClock
from tandem.kit.errors import Conflict, ValidationFailed
from tandem.models import PayRun, Review
from tandem.models.enums import LedgerKind, ProjectStatus, ReviewVerdict, SubmissionStatus, WorkKind
from tandem.pay.documents import payslip
from tandem.pay.payrun import run_pay
from tandem.pay.periods import parse_period
from tandem.pay.policy import PayPolicy, QualityBonusRule, load_policy
from tests import factories as f
from tests.pay.conftest import AFTER_WEEK, MONDAY_10, WEEK, entries, ledger_count, project_with

HOURLY = {"model": "hourly", "currency": "USD", "hourly_rate_minor": 4000}
PER_ITEM = {"model": "per_item", "currency": "USD", "per_item_minor": 100}
FLOORED = {**PER_ITEM, "model": "per_item_with_floor", "floor_hourly_minor": 2000}
POLICY = load_policy()


def _pay(db: Session, clock: FakeClock, policy: PayPolicy = POLICY) -> int:
    clock.set(AFTER_WEEK)
    return run_pay(db, WEEK, policy).entries_written


def test_hourly_pays_active_time_and_records_night_hours(db: Session, clock: FakeClock) -> None:
    proj = project_with(db, HOURLY)
    worker = f.expert(db)
    f.work_session(db, worker, proj, MONDAY_10, 7200, night_seconds=1800)
    _pay(db, clock)
    [work] = entries(db, worker.require_expert().id)
    assert (work.kind, work.amount_minor, work.currency) == (LedgerKind.WORK, 8000, "USD")
    assert work.details["seconds"] == 7200 and work.details["night_seconds"] == 1800
    assert work.details["effective_hourly_minor"] == 4000
    assert "2 h 00 min" in work.reason and "40.00 USD/h" in work.reason


def test_per_item_below_the_floor_is_topped_up(db: Session, clock: FakeClock) -> None:
    proj = project_with(db, FLOORED)
    worker = f.expert(db)
    for _ in range(3):
        f.submission(db, proj, worker)
    f.work_session(db, worker, proj, MONDAY_10, 3600)
    _pay(db, clock)
    work, topup = entries(db, worker.require_expert().id)
    assert (work.amount_minor, work.details["items"]) == (300, 3)
    assert (topup.kind, topup.amount_minor) == (LedgerKind.FLOOR_TOPUP, 1700)
    assert "20.00 USD/h" in topup.reason and "3.00 USD" in topup.reason


def test_the_country_minimum_applies_through_the_fx_table(db: Session, clock: FakeClock) -> None:
    proj = project_with(db, PER_ITEM)
    worker = f.expert(db, country="DE", currency="EUR", time_zone="Europe/Berlin")
    f.submission(db, proj, worker)
    f.work_session(db, worker, proj, MONDAY_10, 3600)
    f.fx_rate(db, "EUR", "USD", "1.10", date(2026, 1, 1))
    _pay(db, clock)
    work, topup = entries(db, worker.require_expert().id)
    assert work.amount_minor == 100
    # 13.90 EUR/h (Mindestlohn 2026) is 15.29 USD/h; 1.00 USD was earned in one hour
    assert topup.amount_minor == 1529 - 100
    assert "DE" in topup.reason
    slip = payslip(db, worker.require_expert(), WEEK)
    assert slip.currency == "EUR"
    assert slip.total_converted_minor == round(100 / 1.1) + round(1429 / 1.1)


def test_a_failing_run_writes_nothing(db: Session, clock: FakeClock) -> None:
    proj = project_with(db, HOURLY)
    f.work_session(db, f.expert(db), proj, MONDAY_10, 3600)
    proj2 = project_with(db, PER_ITEM)
    german = f.expert(db, country="DE", currency="EUR")
    f.work_session(db, german, proj2, MONDAY_10, 3600)  # needs EUR->USD, which is missing
    with pytest.raises(ValidationFailed) as caught:
        _pay(db, clock)
    assert caught.value.errors[0]["loc"] == ["fx_rate", "EUR/USD"]
    assert ledger_count(db) == 0
    assert db.scalar(select(func.count()).select_from(PayRun)) == 0


def test_running_twice_adds_nothing_and_overlaps_are_refused(db: Session, clock: FakeClock) -> None:
    proj = project_with(db, FLOORED)
    worker = f.expert(db)
    f.submission(db, proj, worker)
    f.work_session(db, worker, proj, MONDAY_10, 600)
    assert _pay(db, clock) == 2
    before = ledger_count(db)
    assert _pay(db, clock) == 0
    assert ledger_count(db) == before
    with pytest.raises(Conflict):
        run_pay(db, parse_period("2026-01"), POLICY)


def test_finally_rejected_work_is_not_paid_but_open_rejections_are(
    db: Session, clock: FakeClock
) -> None:
    proj = project_with(db, PER_ITEM)
    worker = f.expert(db)
    reviewer = f.user(db)
    subs = [f.submission(db, proj, worker) for _ in range(4)]
    subs[1].status = SubmissionStatus.FINAL_REJECTED
    for sub, when in ((subs[2], MONDAY_10 - timedelta(days=20)), (subs[3], MONDAY_10)):
        sub.status = SubmissionStatus.REJECTED
        db.add(Review(project_id=proj.id, submission_id=sub.id, reviewer_id=reviewer.id,
                      verdict=ReviewVerdict.REJECT, created_at=when))  # fmt: skip
    db.flush()
    _pay(db, clock)
    [work] = entries(db, worker.require_expert().id)
    # paid: the unreviewed one and the rejection still inside its 14-day appeal window
    assert (work.details["items"], work.amount_minor) == (2, 200)


def test_completion_bonus_is_split_by_payable_share(db: Session, clock: FakeClock) -> None:
    proj = project_with(db, {**PER_ITEM, "completion_bonus_minor": 1000})
    a, b = f.expert(db), f.expert(db)
    for worker, count in ((a, 2), (b, 1)):
        for _ in range(count):
            f.submission(db, proj, worker)
    proj.status = ProjectStatus.COMPLETED
    db.flush()
    _pay(db, clock)
    bonus = {
        e.expert_id: e.amount_minor
        for e in entries(db)
        if e.kind == LedgerKind.BONUS and e.dedupe_key and e.dedupe_key.startswith("completion")
    }
    assert bonus == {a.require_expert().id: 667, b.require_expert().id: 333}
    clock.set(AFTER_WEEK + timedelta(days=7))
    assert run_pay(db, parse_period("2026-W03"), POLICY).entries_written == 0


def test_quality_bonus_by_rule(db: Session, clock: FakeClock) -> None:
    proj = project_with(db, PER_ITEM)
    good, mixed = f.expert(db), f.expert(db)
    for worker, statuses in (
        (good, ["accepted"] * 3),
        (mixed, ["accepted", "rejected", "accepted"]),
    ):
        for status in statuses:
            f.submission(db, proj, worker).status = SubmissionStatus(status)
    db.flush()
    rule = QualityBonusRule(
        name="spotless", min_reviewed=3, min_accepted_share=1.0, percent_of_work=10
    )
    _pay(db, clock, POLICY.model_copy(update={"quality_bonuses": [rule]}))
    bonuses = [e for e in entries(db) if e.kind == LedgerKind.BONUS]
    assert [(e.expert_id, e.amount_minor) for e in bonuses] == [(good.require_expert().id, 30)]
    assert "3 of 3 reviewed items accepted" in bonuses[0].reason


@pytest.mark.parametrize("paid", [True, False])
def test_guidelines_time_is_paid_when_the_project_says_so(
    db: Session, clock: FakeClock, paid: bool
) -> None:
    proj = project_with(db, {**HOURLY, "paid_guidelines_time": paid})
    worker = f.expert(db)
    f.work_session(db, worker, proj, MONDAY_10, 1800)
    f.work_session(db, worker, proj, MONDAY_10, 900, kind=WorkKind.GUIDELINES)
    _pay(db, clock)
    amounts = [e.amount_minor for e in entries(db, worker.require_expert().id)]
    assert amounts == ([2000, 1000] if paid else [2000])
