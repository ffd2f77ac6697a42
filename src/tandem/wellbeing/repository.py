"""All SQL of well-being: active time read from work sessions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, select, true
from sqlalchemy.orm import Session

from tandem.db.base import BigId, UTCDateTime
from tandem.models import Organization, Project, Submission, WorkSession
from tandem.models.enums import SubmissionStatus

WEEK = timedelta(days=7)
REJECTED = (SubmissionStatus.REJECTED, SubmissionStatus.FINAL_REJECTED)


def _sessions_between_statement() -> Any:
    table = cast(Table, WorkSession.__table__)
    return (
        select(table.c.started_at, table.c.last_beat_at, table.c.active_seconds)
        .add_columns(table.c.night_seconds)
        .where(
            table.c.expert_id == bindparam("e", type_=BigId),
            table.c.started_at >= bindparam("start", type_=UTCDateTime()),
            table.c.started_at < bindparam("end", type_=UTCDateTime()),
        )
        .order_by(table.c.started_at)
    )


# built once: every claim reads it through the well-being gate
_SESSIONS_BETWEEN = _sessions_between_statement()


def sessions_between(db: Session, expert_id: int, start: datetime, end: datetime) -> list[Any]:
    """(started_at, last_beat_at, active_seconds, night_seconds) of sessions begun in range."""
    params = {"e": expert_id, "start": start, "end": end}
    return list(db.execute(_SESSIONS_BETWEEN, params).all())


@dataclass(frozen=True)
class HoursWindow:
    """Where the well-being sums start: local day, local week, the weeks before, now."""

    day_start: datetime
    week_start: datetime
    past_weeks: int
    recent_start: datetime
    end: datetime

    def params(self, expert_id: int) -> dict[str, Any]:
        first = self.week_start - self.past_weeks * WEEK
        weeks = {f"w{i}": first + i * WEEK for i in range(self.past_weeks + 1)}
        return {"e": expert_id, "day": self.day_start, "week": self.week_start, **weeks}


@dataclass(frozen=True)
class HoursRead:
    """Active seconds today and this week, night seconds this week, each past week's active
    seconds (oldest first), and the recent sessions (started, last beat, active)."""

    day: int
    week: int
    night_week: int
    past_weeks: list[int]
    recent: list[tuple[datetime, datetime, int]]


def _hours_parts(past_weeks: int) -> tuple[Any, Any]:
    """The sums (one row) and the recent sessions (rows), as subqueries of one read."""
    t = cast(Table, WorkSession.__table__)
    at = bindparam("end", type_=UTCDateTime())

    def total(column: Any, start: str, end: Any) -> Any:
        since = bindparam(start, type_=UTCDateTime())
        in_range = and_(t.c.started_at >= since, t.c.started_at < end)
        return func.coalesce(func.sum(column).filter(in_range), 0)

    past = [
        total(t.c.active_seconds, f"w{i}", bindparam(f"w{i + 1}", type_=UTCDateTime()))
        for i in range(past_weeks)
    ]
    mine = and_(t.c.expert_id == bindparam("e", type_=BigId), t.c.started_at < at)
    sums = select(
        total(t.c.active_seconds, "day", at).label("day"),
        total(t.c.active_seconds, "week", at).label("week"),
        total(t.c.night_seconds, "week", at).label("night_week"),
        *(p.label(f"past{i}") for i, p in enumerate(past)),
    ).where(mine, t.c.started_at >= bindparam("w0", type_=UTCDateTime()))
    recent = select(t.c.started_at, t.c.last_beat_at, t.c.active_seconds).where(
        mine, t.c.started_at >= bindparam("recent", type_=UTCDateTime())
    )
    return sums.subquery("sums"), recent.subquery("recent")


def _hours_statement(past_weeks: int) -> Any:
    sums_q, recent_q = _hours_parts(past_weeks)
    return (
        select(sums_q, recent_q)
        .select_from(sums_q.outerjoin(recent_q, true()))
        .order_by(recent_q.c.started_at)
    )


@lru_cache(maxsize=8)
def _hours_statement_for(past_weeks: int) -> Any:
    return _hours_statement(past_weeks)


# this week's sums without the weeks before: what another domain's read can carry along
THIS_WEEK_SUMS, RECENT_SESSIONS = _hours_parts(0)


def hours_params(expert_id: int, window: HoursWindow) -> dict[str, Any]:
    """The parameters of the hours read (and of THIS_WEEK_SUMS / RECENT_SESSIONS)."""
    return {**window.params(expert_id), "recent": window.recent_start, "end": window.end}


def hours_from_rows(rows: Sequence[Sequence[Any]], past_weeks: int, start: int = 0) -> HoursRead:
    """HoursRead from rows whose columns, from `start` on, are the sums (day, week,
    night_week, each past week) and then a recent session (started, last beat, active)."""
    first = rows[0]
    sums = [int(v) for v in first[start : start + 3 + past_weeks]]
    at = start + 3 + past_weeks
    recent = [(r[at], r[at + 1], int(r[at + 2])) for r in rows if r[at] is not None]
    return HoursRead(
        day=sums[0], week=sums[1], night_week=sums[2], past_weeks=sums[3:], recent=recent
    )


def hours(db: Session, expert_id: int, window: HoursWindow) -> HoursRead:
    """The well-being sums in one statement: the database adds up the weeks, and only the
    recent sessions (the current stretch) come back as rows."""
    statement = _hours_statement_for(window.past_weeks)
    rows = db.execute(statement, hours_params(expert_id, window)).all()
    return hours_from_rows(list(rows), window.past_weeks)


def org_settings(db: Session, org_id: int) -> dict[str, Any]:
    org = db.get(Organization, org_id)
    return dict(org.settings) if org is not None else {}


def submission_stats(
    db: Session, expert_id: int, start: datetime, end: datetime
) -> tuple[int, float, int]:
    """(count, mean active seconds, rejected) of an expert's submissions in a range."""
    row = db.execute(
        select(
            func.count(Submission.id),
            func.coalesce(func.avg(Submission.active_seconds), 0),
            func.count(Submission.id).filter(Submission.status.in_(REJECTED)),
        ).where(
            Submission.expert_id == expert_id,
            Submission.created_at >= start,
            Submission.created_at < end,
        )
    ).one()
    return int(row[0]), float(row[1]), int(row[2])


def org_expert_hours(
    db: Session, org_id: int, start: datetime, end: datetime
) -> list[tuple[int, int, int]]:
    """Per expert who worked on the org's projects: (expert, active s, night s) over a range."""
    rows = db.execute(
        select(
            WorkSession.expert_id,
            func.sum(WorkSession.active_seconds),
            func.sum(WorkSession.night_seconds),
        )
        .join(Project, Project.id == WorkSession.project_id)
        .where(
            Project.org_id == org_id, WorkSession.started_at >= start, WorkSession.started_at < end
        )
        .group_by(WorkSession.expert_id)
    )
    return [(int(e), int(a or 0), int(n or 0)) for e, a, n in rows]
