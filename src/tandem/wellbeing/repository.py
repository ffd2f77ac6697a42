"""All SQL of well-being: active time read from work sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.orm import Session

from tandem.db.base import BigId, UTCDateTime
from tandem.models import Organization, Project, Submission, WorkSession
from tandem.models.enums import SubmissionStatus

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
