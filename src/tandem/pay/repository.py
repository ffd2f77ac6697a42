"""All SQL of pay: sessions, the pay run's aggregates, the ledger, FX and external income."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from tandem.kit.clock import utcnow
from tandem.models import (
    Expert,
    ExternalIncome,
    FxRate,
    LedgerEntry,
    PayRun,
    Project,
    Review,
    Submission,
    WorkSession,
)
from tandem.models.enums import (
    LedgerKind,
    ProjectStatus,
    ReviewVerdict,
    SubmissionStatus,
    WorkKind,
)

APPEAL_WINDOW = timedelta(days=14)
ACCEPTED = (SubmissionStatus.ACCEPTED, SubmissionStatus.FINAL_ACCEPTED)
CHUNK = 1000


# --- heartbeats ---------------------------------------------------------------------------


def latest_session(db: Session, assignment_id: int, kind: WorkKind) -> WorkSession | None:
    """The assignment's most recent session of a kind (one index lookup)."""
    return db.scalar(
        select(WorkSession)
        .where(WorkSession.assignment_id == assignment_id, WorkSession.kind == kind)
        .order_by(WorkSession.last_beat_at.desc())
        .limit(1)
    )


def extend_session(
    db: Session, session_id: int, seen: datetime, now: datetime, active: int, night: int
) -> bool:
    """Add time only if no other beat moved the session since we read it (race-safe)."""
    result = db.execute(
        update(WorkSession)
        .where(WorkSession.id == session_id, WorkSession.last_beat_at == seen)
        .values(
            last_beat_at=now,
            active_seconds=WorkSession.active_seconds + active,
            night_seconds=WorkSession.night_seconds + night,
        )
        .execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def sessions_of_assignment(db: Session, assignment_id: int) -> Sequence[WorkSession]:
    return db.scalars(
        select(WorkSession)
        .where(WorkSession.assignment_id == assignment_id)
        .order_by(WorkSession.started_at)
    ).all()


# --- the pay run's aggregates -------------------------------------------------------------


def period_time(
    db: Session, starts_at: datetime, ends_at: datetime
) -> Sequence[Row[int, int | None, WorkKind, int, int]]:
    """(expert_id, project_id, kind, active, night) summed over sessions started in the period."""
    return db.execute(
        select(
            WorkSession.expert_id,
            WorkSession.project_id,
            WorkSession.kind,
            func.sum(WorkSession.active_seconds),
            func.sum(WorkSession.night_seconds),
        )
        .where(
            WorkSession.started_at >= starts_at,
            WorkSession.started_at < ends_at,
            WorkSession.project_id.is_not(None),
        )
        .group_by(WorkSession.expert_id, WorkSession.project_id, WorkSession.kind)
    ).all()


def payable(as_of: datetime) -> ColumnElement[bool]:
    """THE payable rule: paid unless finally rejected, or rejected with the appeal window gone.

    Work that was paid is never clawed back when it is rejected later.
    """
    later = aliased(Review)
    lapsed_reject = exists().where(
        Review.submission_id == Submission.id,
        Review.verdict == ReviewVerdict.REJECT,
        Review.created_at <= as_of - APPEAL_WINDOW,
        ~exists().where(later.submission_id == Review.submission_id, later.id > Review.id),
    )
    final = Submission.status == SubmissionStatus.FINAL_REJECTED
    return ~or_(final, and_(Submission.status == SubmissionStatus.REJECTED, lapsed_reject))


def period_items(
    db: Session, starts_at: datetime, ends_at: datetime, as_of: datetime
) -> Sequence[Row[int, int, int, int, int]]:
    """(expert_id, project_id, payable, reviewed, accepted) over submissions of the period."""
    reviewed = Submission.status != SubmissionStatus.SUBMITTED
    return db.execute(
        select(
            Submission.expert_id,
            Submission.project_id,
            func.count().filter(payable(as_of)),
            func.count().filter(reviewed),
            func.count().filter(Submission.status.in_(ACCEPTED)),
        )
        .where(Submission.created_at >= starts_at, Submission.created_at < ends_at)
        .group_by(Submission.expert_id, Submission.project_id)
    ).all()


def completed_projects(db: Session) -> Sequence[Project]:
    return db.scalars(select(Project).where(Project.status == ProjectStatus.COMPLETED)).all()


def payable_shares(db: Session, project_id: int, as_of: datetime) -> Sequence[Row[int, int]]:
    """(expert_id, payable count) over all of a project's submissions."""
    return db.execute(
        select(Submission.expert_id, func.count())
        .where(Submission.project_id == project_id, payable(as_of))
        .group_by(Submission.expert_id)
        .order_by(Submission.expert_id)
    ).all()


def experts(db: Session, ids: Iterable[int]) -> dict[int, Expert]:
    found: dict[int, Expert] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        found.update((e.id, e) for e in db.scalars(select(Expert).where(Expert.id.in_(chunk))))
    return found


def projects(db: Session, ids: Iterable[int]) -> dict[int, Project]:
    wanted = sorted(set(ids))
    return {p.id: p for p in db.scalars(select(Project).where(Project.id.in_(wanted)))}


# --- ledger -------------------------------------------------------------------------------


def existing_keys(db: Session, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        found.update(
            k
            for k in db.scalars(
                select(LedgerEntry.dedupe_key).where(LedgerEntry.dedupe_key.in_(chunk))
            )
            if k
        )
    return found


COPY_COLUMNS = (
    "expert_id", "project_id", "kind", "amount_minor", "currency", "reason", "period_start",
    "period_end", "dedupe_key", "pay_run_id", "details", "created_at",
)  # fmt: skip


def insert_entries(db: Session, rows: list[dict[str, Any]]) -> None:
    """COPY on PostgreSQL (tens of thousands of rows a second); executemany elsewhere."""
    if not rows:
        return
    if db.get_bind().dialect.name != "postgresql":
        db.execute(insert(LedgerEntry), rows)
        return
    now = utcnow().astimezone(UTC).replace(tzinfo=None)
    driver = db.connection().connection.driver_connection
    sql = f"COPY ledger_entry ({', '.join(COPY_COLUMNS)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
        for row in rows:
            values = {**row, "kind": LedgerKind(row["kind"]).name, "created_at": now}
            values["details"] = json.dumps(row["details"])
            copy.write_row([values.get(column) for column in COPY_COLUMNS])


def period_keys(db: Session, start: date, end: date) -> set[str]:
    """Dedupe keys already written for exactly this period (one index range scan)."""
    rows = db.scalars(
        select(LedgerEntry.dedupe_key).where(
            LedgerEntry.period_start == start,
            LedgerEntry.period_end == end,
            LedgerEntry.dedupe_key.is_not(None),
        )
    )
    return {key for key in rows if key}


def overlapping_runs(db: Session, start: date, end: date) -> Sequence[PayRun]:
    return db.scalars(
        select(PayRun).where(PayRun.period_start <= end, PayRun.period_end >= start)
    ).all()


def expert_entries(
    db: Session, expert_id: int, period_start: date, period_end: date
) -> Sequence[LedgerEntry]:
    return db.scalars(
        select(LedgerEntry)
        .where(
            LedgerEntry.expert_id == expert_id,
            LedgerEntry.period_start == period_start,
            LedgerEntry.period_end == period_end,
        )
        .order_by(LedgerEntry.project_id, LedgerEntry.id)
    ).all()


def project_entries(
    db: Session, project_id: int, period_start: date, period_end: date
) -> Sequence[LedgerEntry]:
    return db.scalars(
        select(LedgerEntry)
        .where(
            LedgerEntry.project_id == project_id,
            LedgerEntry.period_start == period_start,
            LedgerEntry.period_end == period_end,
        )
        .order_by(LedgerEntry.expert_id, LedgerEntry.id)
    ).all()


def entries_between(
    db: Session, expert_id: int, starts_at: datetime, ends_at: datetime
) -> Sequence[LedgerEntry]:
    """An expert's entries credited in a time range (payouts excluded: they are not income)."""
    return db.scalars(
        select(LedgerEntry)
        .where(
            LedgerEntry.expert_id == expert_id,
            LedgerEntry.created_at >= starts_at,
            LedgerEntry.created_at < ends_at,
            LedgerEntry.kind != LedgerKind.PAYOUT,
        )
        .order_by(LedgerEntry.created_at, LedgerEntry.id)
    ).all()


def balances(db: Session, expert_id: int) -> dict[str, int]:
    """Derived balances per currency: the sum of every entry, never a stored number."""
    rows = db.execute(
        select(LedgerEntry.currency, func.sum(LedgerEntry.amount_minor))
        .where(LedgerEntry.expert_id == expert_id)
        .group_by(LedgerEntry.currency)
        .order_by(LedgerEntry.currency)
    ).all()
    return {currency: int(total) for currency, total in rows}


def recent_entries(db: Session, expert_id: int, limit: int) -> Sequence[LedgerEntry]:
    return db.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.expert_id == expert_id)
        .order_by(LedgerEntry.id.desc())
        .limit(limit)
    ).all()


def payslip_periods(db: Session, expert_id: int) -> list[tuple[date, date]]:
    rows = db.execute(
        select(LedgerEntry.period_start, LedgerEntry.period_end)
        .where(LedgerEntry.expert_id == expert_id, LedgerEntry.period_start.is_not(None))
        .group_by(LedgerEntry.period_start, LedgerEntry.period_end)
        .order_by(LedgerEntry.period_start.desc())
    ).all()
    return [(start, end) for start, end in rows if start is not None and end is not None]


def reversal_of(db: Session, entry_id: int) -> LedgerEntry | None:
    return db.scalar(select(LedgerEntry).where(LedgerEntry.reverses_id == entry_id))


# --- FX and external income ---------------------------------------------------------------


def fx_rows(db: Session) -> list[tuple[str, str, date, Decimal]]:
    rows = db.execute(select(FxRate.base, FxRate.quote, FxRate.valid_on, FxRate.rate)).all()
    return [(b, q, d, Decimal(r)) for b, q, d, r in rows]


def fx_rate_on(db: Session, base: str, quote: str, valid_on: date) -> FxRate | None:
    return db.scalar(
        select(FxRate).where(
            FxRate.base == base, FxRate.quote == quote, FxRate.valid_on == valid_on
        )
    )


def external_in_year(db: Session, expert_id: int, year: int) -> Sequence[ExternalIncome]:
    return external_between(db, expert_id, date(year, 1, 1), date(year, 12, 31))


def external_between(
    db: Session, expert_id: int, first: date, last: date
) -> Sequence[ExternalIncome]:
    return db.scalars(
        select(ExternalIncome)
        .where(
            ExternalIncome.expert_id == expert_id,
            ExternalIncome.received_on >= first,
            ExternalIncome.received_on <= last,
        )
        .order_by(ExternalIncome.received_on, ExternalIncome.id)
    ).all()
