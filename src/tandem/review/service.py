"""Reviewing: the queue, accept / reject / fix with reasons, and the expert's verdicts.

Never commits. Nobody reviews their own work, and a later stage (final QA) needs a
different reviewer than the earlier one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.auth.security import pseudonym
from tandem.kit.clock import utcnow
from tandem.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, field_error
from tandem.models import Appeal, Item, Project, Review, ReviewTask, Submission
from tandem.models.enums import ReviewVerdict, Role, SubmissionStatus
from tandem.projects import repository as project_repo
from tandem.projects.answers import validate_response
from tandem.projects.forms import parse_form
from tandem.review import audit, repository
from tandem.review.flagging import FINAL_QA, enqueue, policy_of, sampled
from tandem.review.schemas import QueueEntry, Reason, ReviewIn, VerdictOut

REVIEW_ROLES = frozenset({Role.ADMIN, Role.REQUESTER, Role.REVIEWER})
APPEAL_WINDOW = timedelta(days=14)
QUEUE_LIMIT = 50


def _reviewable(db: Session, actor: Actor, project_id: int | None) -> dict[int, int]:
    """{project id: org id} the caller may review in (one project, if asked; 404 if not)."""
    orgs = {p.id: p.org_id for p in project_repo.projects_of_orgs(db, actor.org_ids(REVIEW_ROLES))}
    if project_id is None:
        return orgs
    if project_id not in orgs:
        raise NotFound("project not found")
    return {project_id: orgs[project_id]}


def reviewable_project_ids(actor: Actor, db: Session, project_id: int | None = None) -> list[int]:
    """Projects of the organizations where the caller may review (one, if asked)."""
    return list(_reviewable(db, actor, project_id))


def review_queue(
    db: Session, actor: Actor, project_id: int | None = None, limit: int = QUEUE_LIMIT
) -> list[QueueEntry]:
    """Open review tasks the caller may take: never their own work, never twice."""
    orgs = _reviewable(db, actor, project_id)
    if not orgs:
        return []
    expert_id = actor.expert.id if actor.expert else None
    rows = repository.queue(db, list(orgs), actor.user.id, expert_id, limit)
    return [
        QueueEntry(
            task_id=task.id,
            project_id=task.project_id,
            submission_id=sub.id,
            stage=task.stage,
            flags=list(task.reasons),
            expert=pseudonym(sub.expert_id, orgs[task.project_id]),
            payload=item.payload,
            response=sub.response,
            active_seconds=sub.active_seconds,
            # a reviewer who also works as an expert must not learn gold answers
            gold=item.gold if actor.expert is None else None,
        )
        for task, sub, item in rows
    ]


def check_not_own_work(actor: Actor, submission: Submission) -> None:
    if actor.expert is not None and actor.expert.id == submission.expert_id:
        raise PermissionDenied("nobody reviews their own work")


def _check_reasons(data: ReviewIn) -> None:
    if data.verdict is not ReviewVerdict.ACCEPT and not data.reasons:
        raise ValidationFailed(
            "a rejection or fix needs a reason",
            errors=[field_error(["reasons"], "pick at least one reason")],
        )
    if Reason.OTHER in data.reasons and not data.feedback.strip():
        raise ValidationFailed(
            "reason 'other' needs feedback",
            errors=[field_error(["feedback"], "say what is wrong when the reason is 'other'")],
        )


def _checked_fix(
    db: Session, project: Project, submission: Submission, data: ReviewIn
) -> dict[str, Any]:
    if data.verdict is not ReviewVerdict.FIX:
        return {}
    if data.edited_values is None:
        raise ValidationFailed(
            "a fix needs the corrected response",
            errors=[field_error(["edited_values"], "give the corrected response")],
        )
    item = db.get_one(Item, submission.item_id)
    try:
        return validate_response(parse_form(project.form), data.edited_values, item.payload)
    except ValidationFailed as exc:
        errors = [field_error(["edited_values", *e["loc"][1:]], e["msg"]) for e in exc.errors]
        raise ValidationFailed(
            "the corrected response does not match the form", errors=errors
        ) from None


def _task_for_reviewer(db: Session, actor: Actor, task_id: int) -> tuple[ReviewTask, Project]:
    task = db.get(ReviewTask, task_id)
    if task is None:
        raise NotFound("review task not found")
    project = db.get_one(Project, task.project_id)
    actor.require_org(project.org_id, REVIEW_ROLES, "review task")
    return task, project


def decide(db: Session, actor: Actor, task_id: int, data: ReviewIn) -> Review:
    """Accept, reject or fix a queued submission; the expert sees it with its reasons."""
    task, project = _task_for_reviewer(db, actor, task_id)
    submission = db.get_one(Submission, task.submission_id)
    check_not_own_work(actor, submission)
    if actor.user.id in repository.reviewer_ids(db, submission.id):
        raise PermissionDenied("a later review stage needs a different reviewer")
    _check_reasons(data)
    edited = _checked_fix(db, project, submission, data)
    if not repository.close_task(db, task.id, utcnow()):
        raise Conflict("this task was already reviewed")
    review = Review(
        project_id=project.id,
        submission_id=submission.id,
        reviewer_id=actor.user.id,
        stage=task.stage,
        verdict=data.verdict,
        reasons=[str(r) for r in data.reasons],
        feedback=data.feedback,
        edited_values=edited or None,
        created_at=utcnow(),
    )
    db.add(review)
    _apply_verdict(submission, data.verdict)
    db.flush()
    _log_review(db, actor, review, submission, task)
    if task.stage == 1 and sampled(
        project.id, submission.id, policy_of(project).final_qa_rate, FINAL_QA
    ):
        enqueue(db, submission, [FINAL_QA], stage=2)
    return review


def _apply_verdict(submission: Submission, verdict: ReviewVerdict) -> None:
    target = (
        SubmissionStatus.REJECTED if verdict is ReviewVerdict.REJECT else SubmissionStatus.ACCEPTED
    )
    current = SubmissionStatus(submission.status)
    if current is not target:
        submission.status = current.become(target)  # type: ignore[assignment]


def _log_review(
    db: Session, actor: Actor, review: Review, submission: Submission, task: ReviewTask
) -> None:
    audit.record(
        db,
        actor=actor,
        role="final QA" if task.stage > 1 else "reviewer",
        action=f"review.{review.verdict}",
        subject=("submission", submission.id),
        reason="; ".join([*review.reasons, review.feedback] if review.feedback else review.reasons),
        expert_id=submission.expert_id,
        project_id=submission.project_id,
        details={"review_id": review.id, "stage": task.stage, "flags": list(task.reasons)},
    )


def my_verdicts(db: Session, actor: Actor) -> list[VerdictOut]:
    """Every verdict on the caller's work, newest first, with reasons and appeal state."""
    expert = actor.require_expert()
    seen: set[int] = set()
    result = []
    for review, sub, appeal in repository.verdicts_of_expert(db, expert.id):
        latest = sub.id not in seen  # rows come newest first
        seen.add(sub.id)
        result.append(_verdict_out(review, sub, appeal, latest))
    return result


def _verdict_out(
    review: Review, sub: Submission, appeal: Appeal | None, latest: bool
) -> VerdictOut:
    rejected = review.verdict == ReviewVerdict.REJECT
    deadline = review.created_at + APPEAL_WINDOW if rejected and latest else None
    open_for_appeal = sub.status == SubmissionStatus.REJECTED and appeal is None
    return VerdictOut(
        review_id=review.id,
        submission_id=sub.id,
        project_id=sub.project_id,
        item_id=sub.item_id,
        stage=review.stage,
        verdict=str(review.verdict),
        reasons=list(review.reasons),
        feedback=review.feedback,
        edited_values=review.edited_values,
        decided_at=review.created_at,
        submission_status=str(sub.status),
        appeal_deadline=deadline,
        can_appeal=bool(deadline and utcnow() < deadline and open_for_appeal),
        appeal_status=str(appeal.status) if appeal else None,
        appeal_resolution=appeal.resolution if appeal else None,
    )


def corrected_versions(db: Session, submission_ids: list[int]) -> dict[int, dict[str, Any]]:
    """{submission id: corrected response} where the latest verdict is a fix (for export)."""
    latest = repository.latest_reviews(db, submission_ids)
    return {
        sid: dict(review.edited_values)
        for sid, review in latest.items()
        if review.verdict == ReviewVerdict.FIX and review.edited_values is not None
    }
