"""All SQL of the review domain: queue, verdicts, appeals, removals, tests, audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, and_, exists, func, select, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.selectable import Exists, ScalarSelect

from tandem.db.inserts import attach_loaded, insert_once_statements
from tandem.kit.clock import utcnow
from tandem.models import (
    Appeal,
    AuditEvent,
    Item,
    ProjectRemoval,
    Qualification,
    QualificationGrant,
    Review,
    ReviewTask,
    Submission,
    Trust,
)
from tandem.models.enums import (
    AppealStatus,
    AttemptStatus,
    RemovalStatus,
    ReviewTaskStatus,
    SubmissionStatus,
)

QueueRow = Row[ReviewTask, Submission, Item]
VerdictRow = Row[Review, Submission, Appeal | None]
AppealRow = Row[Appeal, Review, Submission, Item]


# --- queue -------------------------------------------------------------------------------


_TASK_COLUMNS = ["project_id", "submission_id", "stage", "reasons", "status", "done_at"]
_TASK_COLUMNS += ["created_at"]
_QUEUE_TASK_ONCE = insert_once_statements(cast(Table, ReviewTask.__table__), _TASK_COLUMNS)


def queue_task_once(
    db: Session, project_id: int, submission_id: int, stage: int, reasons: list[str]
) -> ReviewTask | None:
    """A new open task, or None when (submission, stage) is queued already: no savepoint."""
    row: dict[str, Any] = {
        "project_id": project_id,
        "submission_id": submission_id,
        "stage": stage,
        "reasons": reasons,
        "status": ReviewTaskStatus.OPEN,
        "done_at": None,
        "created_at": utcnow(),
    }
    new_id = db.scalar(_QUEUE_TASK_ONCE[db.get_bind().dialect.name], row)
    return attach_loaded(db, ReviewTask, new_id, row)


def task_for(db: Session, submission_id: int, stage: int) -> ReviewTask | None:
    return db.scalar(
        select(ReviewTask).where(
            ReviewTask.submission_id == submission_id, ReviewTask.stage == stage
        )
    )


def close_task(db: Session, task_id: int, now: datetime) -> bool:
    """Take an open task off the queue; False if another reviewer got there first."""
    result = db.execute(
        update(ReviewTask)
        .where(ReviewTask.id == task_id, ReviewTask.status == ReviewTaskStatus.OPEN)
        .values(status=ReviewTaskStatus.DONE, done_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _reviewed_by(user_id: int) -> Exists:
    earlier = aliased(Review)  # the outer query may join Review itself
    return exists().where(earlier.submission_id == Submission.id, earlier.reviewer_id == user_id)


def queue(
    db: Session, project_ids: list[int], user_id: int, expert_id: int | None, limit: int
) -> list[QueueRow]:
    """Open tasks of these projects, minus the caller's own work and what they reviewed."""
    stmt = (
        select(ReviewTask, Submission, Item)
        .join(Submission, Submission.id == ReviewTask.submission_id)
        .join(Item, Item.id == Submission.item_id)
        .where(
            ReviewTask.project_id.in_(project_ids),
            ReviewTask.status == ReviewTaskStatus.OPEN,
            ~_reviewed_by(user_id),
        )
        .order_by(ReviewTask.id)  # oldest first, read straight off ix_review_task_queue
        .limit(limit)
    )
    if expert_id is not None:
        stmt = stmt.where(Submission.expert_id != expert_id)
    return list(db.execute(stmt).all())


def reviewer_ids(db: Session, submission_id: int) -> set[int]:
    return set(db.scalars(select(Review.reviewer_id).where(Review.submission_id == submission_id)))


def latest_review(db: Session, submission_id: int) -> Review | None:
    return db.scalar(
        select(Review)
        .where(Review.submission_id == submission_id)
        .order_by(Review.id.desc())
        .limit(1)
    )


def open_task_count(db: Session, project_ids: list[int]) -> int:
    return int(
        db.scalar(
            select(func.count(ReviewTask.id)).where(
                ReviewTask.project_id.in_(project_ids),
                ReviewTask.status == ReviewTaskStatus.OPEN,
            )
        )
        or 0
    )


def trust_of(db: Session, project_id: int, expert_id: int) -> Trust | None:
    return db.scalar(
        select(Trust).where(Trust.project_id == project_id, Trust.expert_id == expert_id)
    )


# --- verdicts and appeals ----------------------------------------------------------------


def verdicts_of_expert(db: Session, expert_id: int) -> list[VerdictRow]:
    """Every review of the expert's work with its appeal, newest first."""
    stmt = (
        select(Review, Submission, Appeal)
        .join(Submission, Submission.id == Review.submission_id)
        .outerjoin(Appeal, Appeal.review_id == Review.id)
        .where(Submission.expert_id == expert_id)
        .order_by(Review.id.desc())
    )
    return list(db.execute(stmt).all())


def appeal_of_submission(db: Session, submission_id: int) -> Appeal | None:
    return db.scalar(
        select(Appeal)
        .join(Review, Review.id == Appeal.review_id)
        .where(Review.submission_id == submission_id)
    )


def appeal_queue(db: Session, project_ids: list[int], user_id: int) -> list[AppealRow]:
    """Open appeals of these projects that the caller did not review themselves."""
    stmt = (
        select(Appeal, Review, Submission, Item)
        .join(Review, Review.id == Appeal.review_id)
        .join(Submission, Submission.id == Review.submission_id)
        .join(Item, Item.id == Submission.item_id)
        .where(
            Appeal.project_id.in_(project_ids),
            Appeal.status == AppealStatus.OPEN,
            ~_reviewed_by(user_id),
        )
        .order_by(Appeal.id)
    )
    return list(db.execute(stmt).all())


def _last_verdict_at() -> ScalarSelect[datetime]:
    return (
        select(func.max(Review.created_at))
        .where(Review.submission_id == Submission.id)
        .scalar_subquery()
    )


def lapsed_rejections(db: Session, cutoff: datetime) -> list[Submission]:
    """Rejected, unappealed submissions whose last verdict is older than the cutoff."""
    stmt = select(Submission).where(
        Submission.status == SubmissionStatus.REJECTED,
        _last_verdict_at() <= cutoff,
    )
    return list(db.scalars(stmt))


def final_rejections(
    db: Session, expert_id: int, cutoff: datetime
) -> list[Row[Submission, datetime]]:
    """Final rejections, and rejections whose last verdict is older than the cutoff."""
    last = _last_verdict_at()
    stmt = (
        select(Submission, last.label("decided_at"))
        .where(
            Submission.expert_id == expert_id,
            (Submission.status == SubmissionStatus.FINAL_REJECTED)
            | and_(Submission.status == SubmissionStatus.REJECTED, last <= cutoff),
        )
        .order_by(Submission.id)
    )
    return list(db.execute(stmt).all())


# --- removals ----------------------------------------------------------------------------

# the removal states in which dispatch gives the expert no work in the project
BARRING_REMOVALS = (RemovalStatus.REMOVED, RemovalStatus.APPEALED, RemovalStatus.UPHELD)


def live_removal(db: Session, project_id: int, expert_id: int) -> ProjectRemoval | None:
    """The warning or removal in force for this expert and project, if any."""
    return db.scalar(
        select(ProjectRemoval).where(
            ProjectRemoval.project_id == project_id,
            ProjectRemoval.expert_id == expert_id,
            ProjectRemoval.status.in_(
                [
                    RemovalStatus.WARNED,
                    RemovalStatus.REMOVED,
                    RemovalStatus.APPEALED,
                    RemovalStatus.UPHELD,
                ]
            ),
        )
    )


def removals_of_expert(db: Session, expert_id: int) -> list[ProjectRemoval]:
    return list(
        db.scalars(
            select(ProjectRemoval)
            .where(ProjectRemoval.expert_id == expert_id)
            .order_by(ProjectRemoval.id.desc())
        )
    )


def removed_project_ids(db: Session, expert_id: int) -> set[int]:
    return set(
        db.scalars(
            select(ProjectRemoval.project_id).where(
                ProjectRemoval.expert_id == expert_id,
                ProjectRemoval.status.in_(BARRING_REMOVALS),
            )
        )
    )


def trusts_of_project(db: Session, project_id: int) -> list[Trust]:
    return list(db.scalars(select(Trust).where(Trust.project_id == project_id)))


# --- qualifications ----------------------------------------------------------------------


def gold_items(db: Session, project_id: int) -> list[Item]:
    return list(
        db.scalars(
            select(Item)
            .where(Item.project_id == project_id, Item.gold.is_not(None))
            .order_by(Item.id)
        )
    )


def last_attempt(db: Session, qualification_id: int, expert_id: int) -> QualificationGrant | None:
    return db.scalar(
        select(QualificationGrant)
        .where(
            QualificationGrant.qualification_id == qualification_id,
            QualificationGrant.expert_id == expert_id,
        )
        .order_by(QualificationGrant.id.desc())
        .limit(1)
    )


def attempts_of_expert(db: Session, expert_id: int) -> list[Row[QualificationGrant, Qualification]]:
    stmt = (
        select(QualificationGrant, Qualification)
        .join(Qualification, Qualification.id == QualificationGrant.qualification_id)
        .where(QualificationGrant.expert_id == expert_id)
        .order_by(QualificationGrant.id.desc())
    )
    return list(db.execute(stmt).all())


def granted_levels(db: Session, expert_id: int, now: datetime) -> list[Row[str, int]]:
    """(skill, best level) of the expert's passed, unexpired attempts."""
    stmt = (
        select(Qualification.skill, func.max(Qualification.level))
        .join(QualificationGrant, QualificationGrant.qualification_id == Qualification.id)
        .where(
            QualificationGrant.expert_id == expert_id,
            QualificationGrant.passed.is_(True),
            (QualificationGrant.expires_at.is_(None)) | (QualificationGrant.expires_at > now),
        )
        .group_by(Qualification.skill)
    )
    return list(db.execute(stmt).all())


def pending_attempts(db: Session, org_ids: list[int]) -> list[QualificationGrant]:
    stmt = (
        select(QualificationGrant)
        .join(Qualification, Qualification.id == QualificationGrant.qualification_id)
        .where(
            Qualification.org_id.in_(org_ids),
            QualificationGrant.status == AttemptStatus.PENDING_REVIEW,
        )
        .order_by(QualificationGrant.id)
    )
    return list(db.scalars(stmt))


def paid_attempts(
    db: Session, expert_id: int, start: datetime, end: datetime
) -> list[QualificationGrant]:
    return list(
        db.scalars(
            select(QualificationGrant)
            .where(
                QualificationGrant.expert_id == expert_id,
                QualificationGrant.created_at >= start,
                QualificationGrant.created_at < end,
            )
            .order_by(QualificationGrant.id)
        )
    )


# --- audit -------------------------------------------------------------------------------


def events_of_expert(db: Session, expert_id: int, limit: int) -> list[AuditEvent]:
    return list(
        db.scalars(
            select(AuditEvent)
            .where(AuditEvent.expert_id == expert_id)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def events_of_project(db: Session, project_id: int, limit: int) -> list[AuditEvent]:
    return list(
        db.scalars(
            select(AuditEvent)
            .where(AuditEvent.project_id == project_id)
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        )
    )


def close_open_tasks(db: Session, submission_id: int, now: datetime) -> None:
    """An appeal supersedes any review stage still pending for the submission."""
    db.execute(
        update(ReviewTask)
        .where(
            ReviewTask.submission_id == submission_id, ReviewTask.status == ReviewTaskStatus.OPEN
        )
        .values(status=ReviewTaskStatus.DONE, done_at=now)
        .execution_options(synchronize_session="fetch")
    )


def latest_reviews(db: Session, submission_ids: list[int]) -> dict[int, Review]:
    """The last review of each submission."""
    if not submission_ids:
        return {}
    rows = db.scalars(
        select(Review).where(Review.submission_id.in_(submission_ids)).order_by(Review.id)
    )
    return {review.submission_id: review for review in rows}


def appeals_of_submissions(db: Session, submission_ids: list[int]) -> dict[int, Appeal]:
    """The appeal (at most one) of each submission that has one."""
    if not submission_ids:
        return {}
    rows = db.execute(
        select(Review.submission_id, Appeal)
        .join(Appeal, Appeal.review_id == Review.id)
        .where(Review.submission_id.in_(submission_ids))
    )
    return {submission_id: appeal for submission_id, appeal in rows}
