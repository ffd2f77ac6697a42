"""Projects API: create, read, update, go live, pause."""

from __future__ import annotations

from fastapi import APIRouter, status

from tandem.auth.deps import CurrentActor
from tandem.db.deps import SessionDep
from tandem.kit.ids import RowId
from tandem.models.enums import ProjectStatus
from tandem.projects import service
from tandem.projects.schemas import ProjectCreate, ProjectOut, ProjectProgress, ProjectUpdate

router = APIRouter(prefix="/api/v1/projects", tags=["projects"])


@router.post("", status_code=status.HTTP_201_CREATED)
def create_project(body: ProjectCreate, actor: CurrentActor, db: SessionDep) -> ProjectOut:
    """Create a draft project in one of the caller's organizations."""
    return ProjectOut.model_validate(service.create_project(db, actor, body))


@router.get("")
def list_projects(actor: CurrentActor, db: SessionDep) -> list[ProjectOut]:
    """Projects of the caller's organizations."""
    return [ProjectOut.model_validate(p) for p in service.list_projects(db, actor)]


@router.get("/{project_id}")
def get_project(project_id: RowId, actor: CurrentActor, db: SessionDep) -> ProjectOut:
    """One project of the caller's organization."""
    return ProjectOut.model_validate(service.project_for_reader(db, actor, project_id))


@router.patch("/{project_id}")
def update_project(
    project_id: RowId, body: ProjectUpdate, actor: CurrentActor, db: SessionDep
) -> ProjectOut:
    """Change the form, guidelines, pay terms, overlap or time estimate."""
    return ProjectOut.model_validate(service.update_project(db, actor, project_id, body))


@router.post("/{project_id}/live")
def go_live(project_id: RowId, actor: CurrentActor, db: SessionDep) -> ProjectOut:
    """Start handing out work."""
    return ProjectOut.model_validate(
        service.change_status(db, actor, project_id, ProjectStatus.LIVE)
    )


@router.post("/{project_id}/pause")
def pause(project_id: RowId, actor: CurrentActor, db: SessionDep) -> ProjectOut:
    """Stop handing out new work; open items can still be finished."""
    return ProjectOut.model_validate(
        service.change_status(db, actor, project_id, ProjectStatus.PAUSED)
    )


@router.get("/{project_id}/progress")
def progress(project_id: RowId, actor: CurrentActor, db: SessionDep) -> ProjectProgress:
    """Items, completed items and submissions so far."""
    return service.progress(db, actor, project_id)
