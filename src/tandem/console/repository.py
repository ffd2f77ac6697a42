"""All SQL of the console: the few columns the dashboard reads, never whole rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.models import Submission


def submission_times_since(db: Session, project_id: int, since: datetime) -> list[datetime]:
    """When each submission of the project since `since` arrived."""
    rows = db.scalars(
        select(Submission.created_at).where(
            Submission.project_id == project_id, Submission.created_at >= since
        )
    )
    return list(rows)


def counted_responses(db: Session, project_id: int) -> list[dict[str, Any]]:
    """The responses of counted submissions (duplicates and over-overlap left out)."""
    rows = db.scalars(
        select(Submission.response).where(
            Submission.project_id == project_id, Submission.counted.is_(True)
        )
    )
    return list(rows)


def counted_active_seconds(db: Session, project_id: int) -> list[int]:
    """Active seconds of each counted submission."""
    rows = db.scalars(
        select(Submission.active_seconds).where(
            Submission.project_id == project_id, Submission.counted.is_(True)
        )
    )
    return [int(s) for s in rows]
