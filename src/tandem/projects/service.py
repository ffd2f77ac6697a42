"""Project rules: who may see and change a project, its lifecycle. Never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tandem.auth.actor import MANAGE_ROLES, Actor
from tandem.dispatch.allocator import allocate
from tandem.kit.clock import utcnow
from tandem.kit.errors import NotFound
from tandem.models import Project
from tandem.models.enums import ProjectStatus, Role
from tandem.projects import repository
from tandem.projects.forms import parse_form
from tandem.projects.schemas import ProjectCreate, ProjectProgress, ProjectUpdate

READ_ROLES = frozenset({Role.ADMIN, Role.REQUESTER, Role.REVIEWER})


def create_project(db: Session, actor: Actor, data: ProjectCreate) -> Project:
    """A draft project in one of the caller's organizations."""
    actor.require_org(data.org_id, MANAGE_ROLES, "organization")
    values = data.model_dump(mode="json")
    values["form"] = parse_form(data.form).model_dump(mode="json")
    project = Project(**values, created_by=actor.user.id, status=ProjectStatus.DRAFT)
    db.add(project)
    db.flush()
    return project


def get_project(db: Session, project_id: int) -> Project:
    project = db.get(Project, project_id)
    if project is None:
        raise NotFound("project not found")
    return project


def project_for_reader(db: Session, actor: Actor, project_id: int) -> Project:
    """A project the caller's organization owns (404 otherwise)."""
    project = get_project(db, project_id)
    actor.require_org(project.org_id, READ_ROLES, "project")
    return project


def project_for_manager(db: Session, actor: Actor, project_id: int) -> Project:
    """A project the caller may change: admin or requester of its organization."""
    project = get_project(db, project_id)
    actor.require_org(project.org_id, MANAGE_ROLES, "project")
    return project


def list_projects(db: Session, actor: Actor) -> list[Project]:
    """Projects of every organization where the caller has a requester-side role."""
    return repository.projects_of_orgs(db, actor.org_ids(READ_ROLES))


def update_project(db: Session, actor: Actor, project_id: int, data: ProjectUpdate) -> Project:
    """Change form, guidelines, pay terms, overlap or estimate."""
    project = project_for_manager(db, actor, project_id)
    changes: dict[str, Any] = data.model_dump(mode="json", exclude_unset=True)
    if "form" in changes:
        changes["form"] = parse_form(changes["form"]).model_dump(mode="json")
    for name, value in changes.items():
        setattr(project, name, value)
    db.flush()
    return project


def change_status(db: Session, actor: Actor, project_id: int, target: ProjectStatus) -> Project:
    """Move a project along draft -> live -> paused -> completed -> archived."""
    project = project_for_manager(db, actor, project_id)
    project.status = ProjectStatus(project.status).become(target)  # type: ignore[assignment]
    if target is ProjectStatus.LIVE and project.went_live_at is None:
        project.went_live_at = utcnow()
    db.flush()
    if target is ProjectStatus.LIVE:
        allocate(db, project, utcnow())  # reserve work for experts' own hours at go-live
    return project


def progress(db: Session, actor: Actor, project_id: int) -> ProjectProgress:
    project = project_for_reader(db, actor, project_id)
    items, complete, submissions = repository.progress(db, project.id)
    return ProjectProgress(items=items, complete=complete, submissions=submissions)
