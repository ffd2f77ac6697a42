"""Paid qualification tests: gold items, a pass mark, a retake cooldown and an expiry.

Answers are validated with the project's form and auto-graded per question type
(`tandem.review.grading`); free text waits for a reviewer. Taking a test is paid at the
test project's rate, pass or fail. `skill_levels` is what dispatch checks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tandem.auth.actor import MANAGE_ROLES, Actor
from tandem.kit.clock import utcnow
from tandem.kit.errors import Conflict, NotFound, ValidationFailed, field_error
from tandem.kit.money import prorate_minor
from tandem.models import Expert, Item, Project, Qualification, QualificationGrant
from tandem.models.enums import AttemptStatus
from tandem.projects.answers import validate_response
from tandem.projects.forms import Form, parse_form
from tandem.projects.pay_terms import PayTerms
from tandem.review import audit, repository
from tandem.review.flagging import policy_of, tolerance_of
from tandem.review.grading import grade_response
from tandem.review.schemas import (
    AttemptIn,
    ExamItem,
    ExamOut,
    GradeTextIn,
    QualificationIn,
    QualificationOut,
)
from tandem.review.service import REVIEW_ROLES


def create_qualification(db: Session, actor: Actor, data: QualificationIn) -> Qualification:
    """A test over the gold items of one of the caller's projects."""
    project = db.get(Project, data.project_id)
    if project is None:
        raise NotFound("project not found")
    actor.require_org(project.org_id, MANAGE_ROLES, "project")
    if not repository.gold_items(db, project.id):
        raise ValidationFailed(
            "a test needs gold items",
            errors=[field_error(["project_id"], "this project has no items with a gold answer")],
        )
    qualification = Qualification(org_id=project.org_id, **data.model_dump())
    db.add(qualification)
    db.flush()
    return qualification


def _test(db: Session, qualification_id: int) -> tuple[Qualification, Project, list[Item]]:
    qualification = db.get(Qualification, qualification_id)
    if qualification is None or qualification.project_id is None:
        raise NotFound("qualification not found")
    project = db.get_one(Project, qualification.project_id)
    return qualification, project, repository.gold_items(db, project.id)


def _retake_after(db: Session, qualification: Qualification, expert_id: int) -> datetime | None:
    last = repository.last_attempt(db, qualification.id, expert_id)
    if last is None:
        return None
    after = last.created_at + timedelta(hours=qualification.retake_cooldown_hours)
    return after if after > utcnow() else None


def attempt_pay(project: Project, items: int, active_seconds: int) -> tuple[int, str]:
    """The test's pay: its items at the project's rate, never below its hourly rate."""
    terms = PayTerms.model_validate(project.pay_terms)
    estimate = project.time_estimate_seconds
    per_items = items * terms.estimated_item_pay_minor(estimate)
    by_time = prorate_minor(terms.effective_hourly_minor(estimate), active_seconds)
    return max(per_items, by_time), terms.currency


def open_test(db: Session, actor: Actor, qualification_id: int) -> ExamOut:
    """The test as the expert sees it (no gold), its pay, and when a retake is possible."""
    expert = actor.require_expert()
    qualification, project, items = _test(db, qualification_id)
    pay, currency = attempt_pay(project, len(items), 0)
    return ExamOut(
        qualification=QualificationOut.model_validate(qualification),
        form=project.form,
        items=[ExamItem(item_id=i.id, payload=i.payload) for i in items],
        pay_minor=pay,
        currency=currency,
        retake_after=_retake_after(db, qualification, expert.id),
    )


def _validated(form: Form, items: list[Item], answers: dict[str, Any]) -> dict[str, Any]:
    errors = [
        field_error(["answers", key], "is not an item of this test")
        for key in answers
        if key not in {str(i.id) for i in items}
    ]
    clean: dict[str, Any] = {}
    for item in items:
        try:
            clean[str(item.id)] = validate_response(
                form, answers.get(str(item.id), {}), item.payload
            )
        except ValidationFailed as exc:
            errors += [
                field_error(["answers", str(item.id), *e["loc"][1:]], e["msg"]) for e in exc.errors
            ]
    if errors:
        raise ValidationFailed("the answers do not match the test", errors=errors)
    return clean


def submit_attempt(
    db: Session, actor: Actor, qualification_id: int, data: AttemptIn
) -> QualificationGrant:
    """Grade an attempt (paid, pass or fail); free text waits for a reviewer."""
    expert = actor.require_expert()
    qualification, project, items = _test(db, qualification_id)
    after = _retake_after(db, qualification, expert.id)
    if after is not None:
        raise Conflict(f"you can retake this test after {after:%Y-%m-%d %H:%M} UTC")
    form = parse_form(project.form)
    answers = _validated(form, items, data.answers)
    tol = tolerance_of(policy_of(project))
    results = {
        f"{item.id}.{qid}": ok
        for item in items
        for qid, ok in grade_response(form, answers[str(item.id)], item.gold or {}, tol).items()
    }
    pay, currency = attempt_pay(project, len(items), data.active_seconds)
    attempt = QualificationGrant(
        qualification_id=qualification.id,
        expert_id=expert.id,
        score=0.0,
        passed=False,
        status=AttemptStatus.PENDING_REVIEW,
        answers=answers,
        results=results,
        active_seconds=data.active_seconds,
        pay_minor=pay,
        currency=currency,
        created_at=utcnow(),
    )
    db.add(attempt)
    db.flush()
    _log(db, actor, "qualification.attempt", attempt, qualification, "submitted")
    if None not in results.values():
        _finish(db, None, attempt, qualification)
    return attempt


def _finish(
    db: Session, grader: Actor | None, attempt: QualificationGrant, qualification: Qualification
) -> None:
    marks = list(attempt.results.values())
    attempt.score = sum(bool(m) for m in marks) / len(marks) if marks else 0.0
    attempt.passed = attempt.score >= qualification.pass_mark
    now = utcnow()
    attempt.status = AttemptStatus(attempt.status).become(AttemptStatus.GRADED)  # type: ignore[assignment]
    attempt.graded_at = now
    attempt.grader_id = grader.user.id if grader else None
    attempt.expires_at = now + timedelta(days=qualification.valid_days) if attempt.passed else None
    db.flush()
    verdict = "passed" if attempt.passed else "failed"
    why = f"score {attempt.score:.2f} against a pass mark of {qualification.pass_mark:.2f}"
    _log(db, grader, f"qualification.{verdict}", attempt, qualification, why)


def grade_text(db: Session, actor: Actor, attempt_id: int, data: GradeTextIn) -> QualificationGrant:
    """A reviewer marks the free-text answers of a pending attempt; then it is graded."""
    attempt = db.get(QualificationGrant, attempt_id)
    qualification = db.get(Qualification, attempt.qualification_id) if attempt else None
    if attempt is None or qualification is None or qualification.org_id is None:
        raise NotFound("attempt not found")
    actor.require_org(qualification.org_id, REVIEW_ROLES, "attempt")
    if actor.expert is not None and actor.expert.id == attempt.expert_id:
        raise NotFound("attempt not found")  # nobody grades their own test
    if attempt.status != AttemptStatus.PENDING_REVIEW:
        raise Conflict("this attempt is already graded")
    pending = {key for key, ok in attempt.results.items() if ok is None}
    if set(data.marks) != pending:
        raise ValidationFailed(
            "mark every free-text answer, and only those",
            errors=[field_error(["marks"], f"expected exactly {sorted(pending)}")],
        )
    attempt.results = {**attempt.results, **data.marks}
    _finish(db, actor, attempt, qualification)
    return attempt


def _log(
    db: Session,
    actor: Actor | None,
    action: str,
    attempt: QualificationGrant,
    qualification: Qualification,
    why: str,
) -> None:
    audit.record(
        db,
        actor=actor,
        role="expert" if action.endswith("attempt") else "grader",
        action=action,
        subject=("qualification_attempt", attempt.id),
        reason=why,
        expert_id=attempt.expert_id,
        details={"qualification_id": qualification.id, "skill": qualification.skill},
    )


def pending_attempts(db: Session, actor: Actor) -> list[QualificationGrant]:
    """Attempts with free text waiting for the caller's organizations (not their own)."""
    own = actor.expert.id if actor.expert else None
    rows = repository.pending_attempts(db, actor.org_ids(REVIEW_ROLES))
    return [a for a in rows if a.expert_id != own]


def my_attempts(db: Session, actor: Actor) -> list[QualificationGrant]:
    return [grant for grant, _q in repository.attempts_of_expert(db, actor.require_expert().id)]


def skill_levels(db: Session, expert_id: int, now: datetime | None = None) -> dict[str, int]:
    """{skill: level} granted by passed, unexpired tests (the best level per skill)."""
    return {
        skill: int(level)
        for skill, level in repository.granted_levels(db, expert_id, now or utcnow())
    }


def effective_skills(db: Session, expert: Expert, now: datetime | None = None) -> dict[str, int]:
    """The profile's skills raised by granted levels: what dispatch should compare."""
    merged = dict(expert.skills)
    for skill, level in skill_levels(db, expert.id, now).items():
        merged[skill] = max(level, merged.get(skill, 0))
    return merged


def paid_attempts(
    db: Session, expert_id: int, start: datetime, end: datetime
) -> list[QualificationGrant]:
    """Attempts in [start, end): each carries pay_minor and currency, pass or fail."""
    return repository.paid_attempts(db, expert_id, start, end)
