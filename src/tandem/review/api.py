"""Review API: the queue, verdicts, appeals, removals, qualification tests, the audit log."""

from __future__ import annotations

from fastapi import APIRouter, status

from tandem.auth.deps import CurrentActor
from tandem.db.deps import SessionDep
from tandem.kit.ids import RowId
from tandem.review import appeals, audit, qualifications, removals, service
from tandem.review.schemas import (
    AppealIn,
    AppealOut,
    AppealResolveIn,
    AttemptIn,
    AttemptOut,
    AuditOut,
    ExamOut,
    GradeTextIn,
    QualificationIn,
    QualificationOut,
    QueueEntry,
    RemovalAppealIn,
    RemovalDecisionIn,
    RemovalOut,
    RemovalResolveIn,
    RemovalWarnIn,
    ReviewIn,
    ReviewOut,
    VerdictOut,
)

router = APIRouter(prefix="/api/v1", tags=["review"])
CREATED = status.HTTP_201_CREATED


@router.get("/review/queue")
def queue(actor: CurrentActor, db: SessionDep, project_id: RowId | None = None) -> list[QueueEntry]:
    """Open review tasks the caller may take (never their own work)."""
    return service.review_queue(db, actor, project_id)


@router.post("/review/tasks/{task_id}/decision", status_code=CREATED)
def decide(task_id: RowId, body: ReviewIn, actor: CurrentActor, db: SessionDep) -> ReviewOut:
    """Accept, reject or fix a queued submission with reasons and feedback."""
    return ReviewOut.model_validate(service.decide(db, actor, task_id, body))


@router.get("/me/verdicts")
def my_verdicts(actor: CurrentActor, db: SessionDep) -> list[VerdictOut]:
    """Every verdict on the caller's work, with reasons and appeal deadlines."""
    return service.my_verdicts(db, actor)


@router.get("/me/audit")
def my_audit(actor: CurrentActor, db: SessionDep) -> list[AuditOut]:
    """Every decision that concerns the calling expert: who, when, what, why."""
    return audit.my_events(db, actor)


@router.post("/reviews/{review_id}/appeal", status_code=CREATED)
def open_appeal(review_id: RowId, body: AppealIn, actor: CurrentActor, db: SessionDep) -> AppealOut:
    """Appeal a rejection of one's own work within 14 days."""
    return AppealOut.model_validate(appeals.open_appeal(db, actor, review_id, body))


@router.get("/appeals/queue")
def appeal_queue(
    actor: CurrentActor, db: SessionDep, project_id: RowId | None = None
) -> list[AppealOut]:
    """Open appeals the caller may decide (not on work they reviewed)."""
    return [AppealOut.model_validate(a) for a in appeals.appeal_queue(db, actor, project_id)]


@router.post("/appeals/{appeal_id}/resolve")
def resolve_appeal(
    appeal_id: RowId, body: AppealResolveIn, actor: CurrentActor, db: SessionDep
) -> AppealOut:
    """Decide an appeal, finally."""
    return AppealOut.model_validate(appeals.resolve_appeal(db, actor, appeal_id, body))


@router.post("/projects/{project_id}/removals", status_code=CREATED)
def warn(project_id: RowId, body: RemovalWarnIn, actor: CurrentActor, db: SessionDep) -> RemovalOut:
    """Warn a low-trust expert (by pseudonym) with a documented reason."""
    return RemovalOut.model_validate(removals.warn(db, actor, project_id, body))


@router.post("/removals/{removal_id}/remove")
def remove(
    removal_id: RowId, body: RemovalDecisionIn, actor: CurrentActor, db: SessionDep
) -> RemovalOut:
    """Remove a warned expert after the grace period."""
    return RemovalOut.model_validate(removals.remove(db, actor, removal_id, body))


@router.post("/removals/{removal_id}/withdraw")
def withdraw(
    removal_id: RowId, body: RemovalDecisionIn, actor: CurrentActor, db: SessionDep
) -> RemovalOut:
    """Lift a warning."""
    return RemovalOut.model_validate(removals.withdraw(db, actor, removal_id, body))


@router.post("/removals/{removal_id}/appeal")
def appeal_removal(
    removal_id: RowId, body: RemovalAppealIn, actor: CurrentActor, db: SessionDep
) -> RemovalOut:
    """The expert appeals their removal."""
    return RemovalOut.model_validate(removals.appeal(db, actor, removal_id, body))


@router.post("/removals/{removal_id}/resolve")
def resolve_removal(
    removal_id: RowId, body: RemovalResolveIn, actor: CurrentActor, db: SessionDep
) -> RemovalOut:
    """Decide a removal appeal, finally."""
    return RemovalOut.model_validate(removals.resolve(db, actor, removal_id, body))


@router.get("/me/removals")
def my_removals(actor: CurrentActor, db: SessionDep) -> list[RemovalOut]:
    """Warnings and removals concerning the caller."""
    return [RemovalOut.model_validate(r) for r in removals.my_removals(db, actor)]


@router.post("/qualifications", status_code=CREATED)
def create_qualification(
    body: QualificationIn, actor: CurrentActor, db: SessionDep
) -> QualificationOut:
    """A paid test over a project's gold items."""
    return QualificationOut.model_validate(qualifications.create_qualification(db, actor, body))


@router.get("/qualifications/{qualification_id}/test")
def open_test(qualification_id: RowId, actor: CurrentActor, db: SessionDep) -> ExamOut:
    """The test's items (no gold), its pay, and when a retake is possible."""
    return qualifications.open_test(db, actor, qualification_id)


@router.post("/qualifications/{qualification_id}/attempts", status_code=CREATED)
def submit_attempt(
    qualification_id: RowId, body: AttemptIn, actor: CurrentActor, db: SessionDep
) -> AttemptOut:
    """Answer the test; graded at once unless free text waits for a reviewer."""
    attempt = qualifications.submit_attempt(db, actor, qualification_id, body)
    return AttemptOut.model_validate(attempt)


@router.post("/qualification-attempts/{attempt_id}/grade")
def grade_attempt(
    attempt_id: RowId, body: GradeTextIn, actor: CurrentActor, db: SessionDep
) -> AttemptOut:
    """A reviewer marks the free-text answers of an attempt."""
    return AttemptOut.model_validate(qualifications.grade_text(db, actor, attempt_id, body))


@router.get("/me/qualifications")
def my_attempts(actor: CurrentActor, db: SessionDep) -> list[AttemptOut]:
    """The caller's test attempts with scores, pay and expiry."""
    return [AttemptOut.model_validate(a) for a in qualifications.my_attempts(db, actor)]
