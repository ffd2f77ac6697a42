"""Removing an expert from a project for low trust, with due process. Never commits.

A removal needs a documented reason, a warning first (at least the policy's grace days
earlier, and trust still below the project's minimum at removal), and can be appealed
within 14 days to somebody other than the people who warned and removed. Dispatch asks
`is_removed` / `removed_project_ids`; nothing is ever deactivated silently.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from tandem.auth.actor import MANAGE_ROLES, Actor
from tandem.auth.security import pseudonym
from tandem.kit.clock import utcnow
from tandem.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, field_error
from tandem.models import Project, ProjectRemoval, Trust
from tandem.models.enums import RemovalStatus, Role
from tandem.review import audit, repository
from tandem.review.flagging import policy_of
from tandem.review.schemas import (
    RemovalAppealIn,
    RemovalDecisionIn,
    RemovalResolveIn,
    RemovalWarnIn,
)
from tandem.review.service import APPEAL_WINDOW, REVIEW_ROLES


def _low_trust(db: Session, project: Project, expert_id: int) -> Trust:
    trust = repository.trust_of(db, project.id, expert_id)
    minimum = policy_of(project).min_trust
    if trust is None or trust.score >= minimum:
        raise Conflict(f"removal is only for trust below the project's minimum of {minimum:.2f}")
    return trust


def _expert_by_pseudonym(db: Session, project: Project, name: str) -> int:
    for trust in repository.trusts_of_project(db, project.id):
        if pseudonym(trust.expert_id, project.org_id) == name:
            return trust.expert_id
    raise ValidationFailed(
        "unknown expert", errors=[field_error(["expert"], "no expert with this pseudonym here")]
    )


def warn(db: Session, actor: Actor, project_id: int, data: RemovalWarnIn) -> ProjectRemoval:
    """The first step: a documented warning the expert sees at once."""
    project = db.get(Project, project_id)
    if project is None:
        raise NotFound("project not found")
    actor.require_org(project.org_id, MANAGE_ROLES, "project")
    expert_id = _expert_by_pseudonym(db, project, data.expert)
    trust = _low_trust(db, project, expert_id)
    if repository.live_removal(db, project.id, expert_id) is not None:
        raise Conflict("this expert already has a warning or removal in this project")
    removal = ProjectRemoval(
        project_id=project.id,
        expert_id=expert_id,
        reason=data.reason,
        trust_score=trust.score,
        warned_by=actor.user.id,
        status=RemovalStatus.WARNED,
        created_at=utcnow(),
    )
    db.add(removal)
    db.flush()
    _log(db, actor, "removal.warn", removal, data.reason)
    return removal


def _managed(db: Session, actor: Actor, removal_id: int, roles: frozenset[Role]) -> ProjectRemoval:
    removal = db.get(ProjectRemoval, removal_id)
    if removal is None:
        raise NotFound("removal not found")
    actor.require_org(db.get_one(Project, removal.project_id).org_id, roles, "removal")
    return removal


def _move(removal: ProjectRemoval, target: RemovalStatus) -> None:
    removal.status = RemovalStatus(removal.status).become(target)  # type: ignore[assignment]


def remove(db: Session, actor: Actor, removal_id: int, data: RemovalDecisionIn) -> ProjectRemoval:
    """Remove after the warning's grace period, if trust is still too low."""
    removal = _managed(db, actor, removal_id, MANAGE_ROLES)
    project = db.get_one(Project, removal.project_id)
    grace = timedelta(days=policy_of(project).removal_grace_days)
    if utcnow() < removal.created_at + grace:
        raise Conflict(f"the expert has until {removal.created_at + grace:%Y-%m-%d %H:%M} UTC")
    _low_trust(db, project, removal.expert_id)
    _move(removal, RemovalStatus.REMOVED)
    removal.removed_by, removal.removed_at = actor.user.id, utcnow()
    db.flush()
    _log(db, actor, "removal.remove", removal, data.reason)
    return removal


def withdraw(db: Session, actor: Actor, removal_id: int, data: RemovalDecisionIn) -> ProjectRemoval:
    """Lift a warning (trust recovered, or it was a mistake)."""
    removal = _managed(db, actor, removal_id, MANAGE_ROLES)
    _move(removal, RemovalStatus.WITHDRAWN)
    db.flush()
    _log(db, actor, "removal.withdraw", removal, data.reason)
    return removal


def appeal(db: Session, actor: Actor, removal_id: int, data: RemovalAppealIn) -> ProjectRemoval:
    """The expert appeals their removal within 14 days."""
    expert = actor.require_expert()
    removal = db.get(ProjectRemoval, removal_id)
    if removal is None or removal.expert_id != expert.id:
        raise NotFound("removal not found")
    if removal.removed_at is not None and utcnow() >= removal.removed_at + APPEAL_WINDOW:
        raise Conflict("the 14-day appeal window has closed")
    _move(removal, RemovalStatus.APPEALED)
    removal.appeal_statement, removal.appealed_at = data.statement, utcnow()
    db.flush()
    _log(db, actor, "removal.appeal", removal, data.statement, role="expert")
    return removal


def resolve(db: Session, actor: Actor, removal_id: int, data: RemovalResolveIn) -> ProjectRemoval:
    """Somebody who neither warned nor removed decides the appeal, finally."""
    removal = _managed(db, actor, removal_id, REVIEW_ROLES | MANAGE_ROLES)
    if actor.user.id in (removal.warned_by, removal.removed_by):
        raise PermissionDenied("a removal appeal goes to somebody who did not decide it")
    _move(removal, RemovalStatus.REINSTATED if data.reinstate else RemovalStatus.UPHELD)
    removal.resolver_id, removal.resolution, removal.resolved_at = (
        actor.user.id,
        data.resolution,
        utcnow(),
    )
    db.flush()
    _log(db, actor, f"removal.{removal.status}", removal, data.resolution)
    return removal


def _log(
    db: Session,
    actor: Actor,
    action: str,
    removal: ProjectRemoval,
    why: str,
    role: str = "requester",
) -> None:
    audit.record(
        db,
        actor=actor,
        role=role,
        action=action,
        subject=("removal", removal.id),
        reason=why,
        expert_id=removal.expert_id,
        project_id=removal.project_id,
        details={"trust_score": removal.trust_score},
    )


def my_removals(db: Session, actor: Actor) -> list[ProjectRemoval]:
    """Warnings and removals concerning the calling expert."""
    return repository.removals_of_expert(db, actor.require_expert().id)


def removed_project_ids(db: Session, expert_id: int) -> set[int]:
    """Projects the expert is removed from (removed, under appeal, or upheld)."""
    return repository.removed_project_ids(db, expert_id)


def is_removed(db: Session, expert_id: int, project_id: int) -> bool:
    """Whether dispatch must give this expert no more work in this project."""
    return project_id in repository.removed_project_ids(db, expert_id)
