"""Submitting work: validated, idempotent, late work kept and paid. Never commits."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.dispatch import repository as dispatch_repo
from tandem.kit.clock import utcnow
from tandem.kit.errors import Conflict, NotFound
from tandem.models import Assignment, Item, Project, Submission
from tandem.models.enums import AssignmentStatus
from tandem.projects.answers import validate_response
from tandem.projects.forms import parse_form
from tandem.projects.pay_terms import PayTerms
from tandem.review.flagging import LOOK_UP, KnownTrust, flag_and_enqueue
from tandem.work import repository
from tandem.work.schemas import AssignmentOut, SubmitIn


def describe(db: Session, assignment: Assignment) -> AssignmentOut:
    """The assignment with its item, form, guidelines and pay as the expert sees them."""
    item, project = repository.item_and_project(db, assignment.item_id, assignment.project_id)
    terms = PayTerms.model_validate(project.pay_terms)
    return AssignmentOut(
        id=assignment.id,
        project_id=project.id,
        item_id=item.id,
        status=str(assignment.status),
        lease_expires_at=assignment.lease_expires_at,
        payload=item.payload,
        form=project.form,
        guidelines=project.guidelines,
        time_estimate_seconds=project.time_estimate_seconds,
        pay_minor=terms.estimated_item_pay_minor(project.time_estimate_seconds),
        currency=terms.currency,
        effective_hourly_minor=terms.effective_hourly_minor(project.time_estimate_seconds),
    )


def submit(
    db: Session, actor: Actor, assignment_id: int, data: SubmitIn, idempotency_key: str | None
) -> Submission:
    """Store a submission once per idempotency key; count it only if its slot is held."""
    found = repository.submit_context(db, assignment_id, actor.require_expert().id)
    if found is None:
        raise NotFound("assignment not found")
    assignment, item, project, trust = found
    key = idempotency_key or f"auto-{uuid.uuid4()}"
    now = utcnow()
    response = None
    if _holds_live_lease(assignment, now):
        response = validate_response(parse_form(project.form), data.response, item.payload)
        # the common case at once: a clash on a unique key means a retry or a race
        values = _values(assignment, data, response, key, True)
        submission = repository.submit_counted(db, values, assignment, item, project.overlap)
        if submission is not None:
            # gold failures, too-fast work, low agreement and the policy's sample
            flag_and_enqueue(db, submission, project, trust)
            return submission
        db.expire(assignment)  # whoever won changed it; read it again
    return _submit_otherwise(db, assignment, item, project, data, key, response)


def _holds_live_lease(assignment: Assignment, now: datetime) -> bool:
    expires = assignment.lease_expires_at
    return assignment.status == AssignmentStatus.ACTIVE and expires is not None and expires > now


def _values(
    assignment: Assignment, data: SubmitIn, response: dict[str, Any], key: str, counted: bool
) -> dict[str, Any]:
    return {
        "project_id": assignment.project_id,
        "assignment_id": assignment.id,
        "item_id": assignment.item_id,
        "expert_id": assignment.expert_id,
        "response": response,
        "active_seconds": data.active_seconds,
        "telemetry": data.telemetry,
        "idempotency_key": key,
        "counted": counted,
        "late": False,
        "created_at": utcnow(),
    }


def _count(
    db: Session, submission: Submission, item: Item, project: Project, trust: KnownTrust
) -> None:
    # gold failures, too-fast work, low agreement and the policy's sample go to review
    flag_and_enqueue(db, submission, project, trust)
    repository.count_done(db, item, project.overlap)


def _submit_otherwise(
    db: Session,
    assignment: Assignment,
    item: Item,
    project: Project,
    data: SubmitIn,
    key: str,
    response: dict[str, Any] | None,
) -> Submission:
    """Retries, late work and second answers: kept and paid, counted only into a free slot.

    `response`: the validated answer, when the caller has already validated it.
    """
    previous = repository.by_idempotency_key(db, assignment.expert_id, key)
    if previous is not None:
        return _replay(previous, assignment)
    if response is None:
        response = validate_response(parse_form(project.form), data.response, item.payload)
    counted, late = _claim_count(db, assignment, project)
    submission = Submission(**{**_values(assignment, data, response, key, counted), "late": late})
    try:
        with db.begin_nested():
            db.add(submission)
    except IntegrityError:
        # a concurrent retry with the same key won the race: return its result
        winner = repository.by_idempotency_key(db, assignment.expert_id, key)
        if winner is None:
            raise
        return _replay(winner, assignment)
    if counted:
        _count(db, submission, item, project, LOOK_UP)
    return submission


def _replay(previous: Submission, assignment: Assignment) -> Submission:
    if previous.assignment_id != assignment.id:
        raise Conflict("this Idempotency-Key was already used for another assignment")
    return previous


def _claim_count(db: Session, assignment: Assignment, project: Project) -> tuple[bool, bool]:
    """(counted, late). An active lease counts; late work counts only if a slot is free."""
    now = utcnow()
    status = AssignmentStatus(assignment.status)
    if status is AssignmentStatus.SUBMITTED:
        return False, False  # a second answer to the same assignment: kept, not counted
    lapsed = (
        status is AssignmentStatus.ACTIVE
        and assignment.lease_expires_at is not None
        and (assignment.lease_expires_at <= now)
    )
    if status is AssignmentStatus.ACTIVE and not lapsed:
        assignment.status = AssignmentStatus.SUBMITTED
        assignment.closed_at = now
        return True, False
    if status is AssignmentStatus.ACTIVE:
        # the lease lapsed but no claim has reclaimed it yet: the slot is still ours
        assignment.status = AssignmentStatus.SUBMITTED
        assignment.closed_at = now
        return True, True
    counted = dispatch_repo.take_free_slot(db, assignment.item_id, project.overlap)
    assignment.status = AssignmentStatus.SUBMITTED
    assignment.closed_at = now
    return counted, True
