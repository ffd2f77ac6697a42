"""Pay rules outside the pay run: heartbeats, earnings, reversals, FX rates. Never commits."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.dispatch.service import assignment_for_expert, extend_lease
from tandem.kit.clock import utcnow
from tandem.kit.errors import Conflict, NotFound, ValidationFailed, field_error
from tandem.models import Assignment, Expert, FxRate, LedgerEntry, Project, WorkSession
from tandem.models.enums import AssignmentStatus, LedgerKind
from tandem.pay import repository
from tandem.pay.activetime import credit_seconds, night_seconds
from tandem.pay.fx import FxTable
from tandem.pay.periods import Period
from tandem.pay.schemas import BalanceOut, EarningsOut, HeartbeatIn, HeartbeatOut, LedgerEntryOut

# time counts while the expert holds the item, and after a lapsed lease (late work is paid)
TIMED = {AssignmentStatus.RESERVED, AssignmentStatus.ACTIVE, AssignmentStatus.EXPIRED}


def heartbeat(db: Session, actor: Actor, assignment_id: int, beat: HeartbeatIn) -> HeartbeatOut:
    """Credit the time since the previous beat if it was active; a retry adds ~0 seconds."""
    assignment = assignment_for_expert(db, actor, assignment_id)
    if AssignmentStatus(assignment.status) not in TIMED:
        raise Conflict(f"this assignment is {assignment.status}; time is no longer recorded")
    expert = actor.require_expert()
    now = utcnow()
    session = repository.latest_session(db, assignment.id, beat.kind)
    credit = credit_seconds(session.last_beat_at, now) if session else None
    counted = 0
    if session is not None and credit is not None:
        counted = _extend(db, session, now, credit if beat.active else 0, expert.time_zone)
    elif beat.active:
        session = _start(db, assignment, beat, now)
    if beat.active:
        # an expert still at work keeps their item: the lease runs on from this beat
        extend_lease(db, db.get_one(Project, assignment.project_id), assignment)
    total = sum(s.active_seconds for s in repository.sessions_of_assignment(db, assignment.id))
    return HeartbeatOut(
        session_id=session.id if session else None,
        counted_seconds=counted,
        session_active_seconds=session.active_seconds if session else 0,
        assignment_active_seconds=total,
    )


def _extend(db: Session, session: WorkSession, now: datetime, seconds: int, zone: str) -> int:
    """Add `seconds` ending now; 0 when a concurrent beat already credited this interval."""
    night = night_seconds(now - timedelta(seconds=seconds), now, zone)
    moved = repository.extend_session(db, session.id, session.last_beat_at, now, seconds, night)
    return seconds if moved else 0


def _start(db: Session, assignment: Assignment, beat: HeartbeatIn, now: datetime) -> WorkSession:
    """A new session from this beat on (time before the first beat is not known)."""
    session = WorkSession(
        project_id=assignment.project_id,
        expert_id=assignment.expert_id,
        assignment_id=assignment.id,
        kind=beat.kind,
        started_at=now,
        last_beat_at=now,
    )
    db.add(session)
    db.flush()
    return session


def earnings(db: Session, expert: Expert, recent: int = 50) -> EarningsOut:
    """Derived balances (converted at today's rate when one exists) and recent entries."""
    fx = FxTable.of(repository.fx_rows(db))
    today = utcnow().date()
    balances = []
    for currency, amount in repository.balances(db, expert.id).items():
        try:
            converted: int | None = fx.convert(amount, currency, expert.currency, today)
        except ValidationFailed:
            converted = None
        balances.append(
            BalanceOut(currency=currency, amount_minor=amount, converted_minor=converted)
        )
    known = [b.converted_minor for b in balances if b.converted_minor is not None]
    periods = [Period(start, end).label for start, end in repository.payslip_periods(db, expert.id)]
    return EarningsOut(
        currency=expert.currency,
        balances=balances,
        total_converted_minor=sum(known) if len(known) == len(balances) else None,
        payslip_periods=periods,
        recent_entries=[
            LedgerEntryOut.model_validate(e)
            for e in repository.recent_entries(db, expert.id, recent)
        ],
    )


def reverse_entry(db: Session, entry_id: int, reason: str) -> LedgerEntry:
    """Cancel an entry with an opposite one; the original stays as it was."""
    original = db.get(LedgerEntry, entry_id)
    if original is None:
        raise NotFound(f"ledger entry {entry_id} not found")
    if original.kind == LedgerKind.REVERSAL or repository.reversal_of(db, entry_id):
        raise Conflict(f"ledger entry {entry_id} is a reversal or was already reversed")
    entry = LedgerEntry(
        expert_id=original.expert_id,
        project_id=original.project_id,
        kind=LedgerKind.REVERSAL,
        amount_minor=-original.amount_minor,
        currency=original.currency,
        reason=f"Reverses entry {original.id} ({original.kind}): {reason}",
        period_start=original.period_start,
        period_end=original.period_end,
        dedupe_key=f"reverse:{original.id}",
        reverses_id=original.id,
        details={},
    )
    db.add(entry)
    db.flush()
    return entry


def set_fx_rate(
    db: Session, base: str, quote: str, valid_on: date, rate: str, source: str = ""
) -> FxRate:
    """Add a dated rate: one `base` costs `rate` `quote` from `valid_on` on."""
    base, quote = base.upper(), quote.upper()
    try:
        value = Decimal(rate)
    except InvalidOperation:
        value = Decimal(0)
    if not value.is_finite() or value <= 0:
        raise ValidationFailed("bad FX rate", errors=[field_error(["rate"], "a positive decimal")])
    if repository.fx_rate_on(db, base, quote, valid_on) is not None:
        raise Conflict(f"a {base}/{quote} rate for {valid_on} exists; add one for another day")
    row = FxRate(base=base, quote=quote, valid_on=valid_on, rate=value, source=source)
    db.add(row)
    db.flush()
    return row
