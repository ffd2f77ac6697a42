"""Dispatch rules: eligibility, leases and the claim. Never commits."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.dispatch import repository
from tandem.kit.clock import utcnow
from tandem.kit.errors import Conflict, NotFound, NoWorkAvailable, PermissionDenied
from tandem.models import Assignment, Expert, Project
from tandem.models.enums import AssignmentStatus, ExpertStatus, ProjectStatus

MIN_LEASE = timedelta(minutes=10)


def lease_length(project: Project) -> timedelta:
    """3 × the time estimate, at least 10 minutes."""
    return max(MIN_LEASE, timedelta(seconds=3 * project.time_estimate_seconds))


def check_eligible(expert: Expert, project: Project) -> None:
    """Raise unless the expert's status, skills and languages fit the project."""
    if expert.status != ExpertStatus.ADMITTED:
        raise PermissionDenied("your expert profile is not admitted yet")
    missing = [s for s, level in project.required_skills.items() if expert.skills.get(s, 0) < level]
    if missing:
        raise PermissionDenied(f"this project needs skill levels you lack: {', '.join(missing)}")
    langs = [lang for lang in project.required_languages if lang not in expert.languages]
    if langs:
        raise PermissionDenied(f"this project needs languages: {', '.join(langs)}")


def eligible_projects(projects: list[Project], expert: Expert) -> list[Project]:
    """The live projects an expert may work on."""
    result = []
    for project in projects:
        try:
            check_eligible(expert, project)
        except PermissionDenied:
            continue
        result.append(project)
    return result


def visible_project(db: Session, expert: Expert, project_id: int) -> Project:
    """A live project the expert is eligible for (404 otherwise)."""
    project = db.get(Project, project_id)
    if project is None or project.status not in (ProjectStatus.LIVE, ProjectStatus.PAUSED):
        raise NotFound("project not found")
    check_eligible(expert, project)
    return project


def next_assignment(db: Session, actor: Actor, project_id: int) -> Assignment:
    """The expert's open assignment in the project, or a newly claimed one."""
    expert = actor.require_expert()
    project = visible_project(db, expert, project_id)
    if project.status != ProjectStatus.LIVE:
        raise Conflict("this project is paused; no new work is handed out")
    now = utcnow()
    repository.expire_leases(db, project.id, now)
    current = repository.open_assignment(db, project.id, expert.id, now)
    if current is not None:
        return current
    item_id = repository.claim_item(db, project.id, expert.id, project.overlap)
    if item_id is None:
        raise NoWorkAvailable("no work available in this project right now")
    assignment = Assignment(
        project_id=project.id,
        item_id=item_id,
        expert_id=expert.id,
        status=AssignmentStatus.ACTIVE,
        opened_at=now,
        lease_expires_at=now + lease_length(project),
    )
    db.add(assignment)
    db.flush()
    return assignment


def assignment_for_expert(db: Session, actor: Actor, assignment_id: int) -> Assignment:
    """One of the caller's own assignments (404 for anybody else's)."""
    expert = actor.require_expert()
    assignment = db.get(Assignment, assignment_id)
    if assignment is None or assignment.expert_id != expert.id:
        raise NotFound("assignment not found")
    return assignment


def skip(db: Session, actor: Actor, assignment_id: int, reason: str) -> Assignment:
    """Give an active item back, with a reason; the slot is freed."""
    assignment = assignment_for_expert(db, actor, assignment_id)
    current = AssignmentStatus(assignment.status)
    assignment.status = current.become(AssignmentStatus.SKIPPED)  # type: ignore[assignment]
    assignment.skip_reason = reason
    assignment.closed_at = utcnow()
    repository.release_slot(db, assignment.item_id)
    db.flush()
    return assignment
