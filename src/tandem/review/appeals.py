"""Appeals and what pay needs from verdicts. Never commits.

An expert may appeal the latest rejection of their work within 14 days; a different
reviewer decides and the outcome is final. A rejection becomes unpaid only once final:
after an upheld appeal, or once the window closed without an appeal. Hourly time is
always paid; `is_payable` and `final_rejections` concern per-item pay only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.kit.clock import utcnow
from tandem.kit.errors import Conflict, NotFound, PermissionDenied
from tandem.models import Appeal, Project, Review, Submission
from tandem.models.enums import AppealStatus, ReviewVerdict, SubmissionStatus
from tandem.review import audit, repository
from tandem.review.schemas import AppealIn, AppealResolveIn
from tandem.review.service import (
    APPEAL_WINDOW,
    REVIEW_ROLES,
    check_not_own_work,
    reviewable_project_ids,
)


@dataclass(frozen=True)
class FinalRejection:
    """A per-item rejection that is final, so the item is not paid: with its reason."""

    submission_id: int
    project_id: int
    item_id: int
    reasons: list[str]
    feedback: str
    final_at: datetime


def open_appeal(db: Session, actor: Actor, review_id: int, data: AppealIn) -> Appeal:
    """Appeal the latest rejection of one's own work, within the window."""
    expert = actor.require_expert()
    review = db.get(Review, review_id)
    submission = db.get(Submission, review.submission_id) if review else None
    if review is None or submission is None or submission.expert_id != expert.id:
        raise NotFound("review not found")
    latest = repository.latest_review(db, submission.id)
    if review.verdict != ReviewVerdict.REJECT or latest is None or latest.id != review.id:
        raise Conflict("only the latest rejection of a submission can be appealed")
    now = utcnow()
    if now >= review.created_at + APPEAL_WINDOW:
        raise Conflict("the 14-day appeal window has closed")
    submission.status = SubmissionStatus(submission.status).become(SubmissionStatus.APPEALED)  # type: ignore[assignment]
    repository.close_open_tasks(db, submission.id, now)
    appeal = Appeal(
        project_id=submission.project_id,
        review_id=review.id,
        expert_id=expert.id,
        statement=data.statement,
        created_at=now,
    )
    db.add(appeal)
    db.flush()
    _log(db, actor, "expert", "appeal.open", appeal, submission, data.statement)
    return appeal


def resolve_appeal(db: Session, actor: Actor, appeal_id: int, data: AppealResolveIn) -> Appeal:
    """A reviewer who did not review the work decides; the outcome is final."""
    appeal = db.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound("appeal not found")
    actor.require_org(db.get_one(Project, appeal.project_id).org_id, REVIEW_ROLES, "appeal")
    review = db.get_one(Review, appeal.review_id)
    submission = db.get_one(Submission, review.submission_id)
    check_not_own_work(actor, submission)
    if actor.user.id in repository.reviewer_ids(db, submission.id):
        raise PermissionDenied("an appeal goes to a different reviewer than the original one")
    target = AppealStatus.OVERTURNED if data.overturn else AppealStatus.UPHELD
    appeal.status = AppealStatus(appeal.status).become(target)  # type: ignore[assignment]
    final = SubmissionStatus.FINAL_ACCEPTED if data.overturn else SubmissionStatus.FINAL_REJECTED
    submission.status = SubmissionStatus(submission.status).become(final)  # type: ignore[assignment]
    appeal.resolver_id = actor.user.id
    appeal.resolution = data.resolution
    appeal.resolved_at = utcnow()
    db.flush()
    _log(db, actor, "appeal reviewer", f"appeal.{target}", appeal, submission, data.resolution)
    return appeal


def _log(
    db: Session, actor: Actor, role: str, action: str, appeal: Appeal, sub: Submission, why: str
) -> None:
    audit.record(
        db,
        actor=actor,
        role=role,
        action=action,
        subject=("appeal", appeal.id),
        reason=why,
        expert_id=sub.expert_id,
        project_id=sub.project_id,
        details={"submission_id": sub.id, "review_id": appeal.review_id},
    )


def appeal_queue(db: Session, actor: Actor, project_id: int | None = None) -> list[Appeal]:
    """Open appeals the caller may decide (never on work they reviewed)."""
    project_ids = reviewable_project_ids(actor, db, project_id)
    rows = repository.appeal_queue(db, project_ids, actor.user.id) if project_ids else []
    own = actor.expert.id if actor.expert else None
    return [appeal for appeal, _r, sub, _i in rows if sub.expert_id != own]


def close_appeal_windows(db: Session, now: datetime | None = None) -> int:
    """Make unappealed rejections final once their window closed (idempotent job)."""
    now = now or utcnow()
    lapsed = repository.lapsed_rejections(db, now - APPEAL_WINDOW)
    for submission in lapsed:
        submission.status = SubmissionStatus(submission.status).become(
            SubmissionStatus.FINAL_REJECTED
        )  # type: ignore[assignment]
        audit.record(
            db,
            actor=None,
            role="system",
            action="rejection.final",
            subject=("submission", submission.id),
            reason="the 14-day appeal window closed without an appeal",
            expert_id=submission.expert_id,
            project_id=submission.project_id,
        )
    db.flush()
    return len(lapsed)


def is_payable(db: Session, submission: Submission, now: datetime | None = None) -> bool:
    """Whether the submission earns its per-item pay (False only for a final rejection)."""
    status = SubmissionStatus(submission.status)
    if status is SubmissionStatus.FINAL_REJECTED:
        return False
    if status is not SubmissionStatus.REJECTED:
        return True
    latest = repository.latest_review(db, submission.id)
    return latest is None or (now or utcnow()) < latest.created_at + APPEAL_WINDOW


def final_rejections(db: Session, expert_id: int, until: datetime) -> list[FinalRejection]:
    """The expert's rejections that are final by `until`, each with its reason."""
    rows = repository.final_rejections(db, expert_id, until - APPEAL_WINDOW)
    ids = [sub.id for sub, _ in rows]
    reviews = repository.latest_reviews(db, ids)
    appeals = repository.appeals_of_submissions(db, ids)
    result = []
    for sub, decided_at in rows:
        review, appeal = reviews[sub.id], appeals.get(sub.id)
        final_at = appeal.resolved_at if appeal and appeal.resolved_at else None
        result.append(
            FinalRejection(
                submission_id=sub.id,
                project_id=sub.project_id,
                item_id=sub.item_id,
                reasons=list(review.reasons),
                feedback=review.feedback,
                final_at=final_at or decided_at + APPEAL_WINDOW,
            )
        )
    return result
