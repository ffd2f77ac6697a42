"""Requester console pages: wizard, import, live dashboard and export."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from tandem.auth.deps import WebActor, check_csrf
from tandem.console import service, wizard
from tandem.console.schemas import Dashboard
from tandem.db.deps import SessionDep
from tandem.export.schemas import FORMATS
from tandem.kit.ids import RowId
from tandem.models.enums import ProjectStatus
from tandem.projects import service as projects
from tandem.web.markup import markdown_html
from tandem.web.render import render

router = APIRouter(prefix="/console", include_in_schema=False)
STARTER_FORM = """{
  "questions": [
    {"type": "label", "id": "topic", "prompt": "What is the topic?", "options": ["math", "history"]}
  ]
}"""
NEW_FIELDS: dict[str, Any] = {
    "name": "", "description": "", "guidelines": "", "form_json": STARTER_FORM,
    "overlap": 3, "time_estimate_seconds": 300, "pay_model": "per_item_with_floor",
    "currency": "USD", "hourly_rate": "", "per_item": "1.50", "floor_hourly": "15.00",
    "completion_bonus": "0.00", "gold_rate": 0.05, "review_sample_rate": 0.1, "min_trust": 0.0,
}  # fmt: skip


async def _form(request: Request) -> FormData:
    data = await request.form()
    check_csrf(request, str(data.get("csrf", "")))
    return data


def _wizard(request: Request, actor: Any, fields: Any, **ctx: Any) -> Response:
    ctx.setdefault("errors", {})
    moves = service.status_moves(ctx["project"]) if ctx.get("project") else []
    orgs = service.manageable_orgs(actor)
    return render(request, "console/wizard.html", fields=fields, orgs=orgs, moves=moves, **ctx)


@router.get("")
def home(request: Request, actor: WebActor, db: SessionDep) -> Response:
    """The requester's projects with progress and links to each console page."""
    rows = service.managed_projects(db, actor)
    return render(
        request, "console/home.html", rows=rows, can_create=bool(service.manageable_orgs(actor))
    )


@router.get("/projects/new")
def new_project(request: Request, actor: WebActor) -> Response:
    """The empty wizard."""
    return _wizard(request, actor, NEW_FIELDS, project=None)


@router.post("/projects/new")
async def create_project(request: Request, actor: WebActor, db: SessionDep) -> Response:
    """Create a draft project from the wizard, or show the wizard again with its errors."""
    data = await _form(request)
    try:
        project = wizard.create(db, actor, data)
    except wizard.WizardInvalid as exc:
        return _wizard(request, actor, data, project=None, errors=exc.fields, status_code=422)
    return RedirectResponse(f"/console/projects/{project.id}/edit?saved=1", 303)


@router.get("/projects/{project_id}/edit")
def edit_project(project_id: RowId, request: Request, actor: WebActor, db: SessionDep) -> Response:
    """The wizard filled with a project's settings."""
    project = projects.project_for_manager(db, actor, project_id)
    saved = request.query_params.get("saved") == "1"
    fields = wizard.fields_of(project)
    return _wizard(request, actor, fields, project=project, saved=saved)


@router.post("/projects/{project_id}/edit")
async def save_project(
    project_id: RowId, request: Request, actor: WebActor, db: SessionDep
) -> Response:
    """Save the wizard's changes to a project."""
    data = await _form(request)
    project = projects.project_for_manager(db, actor, project_id)
    try:
        wizard.update(db, actor, project_id, data)
    except wizard.WizardInvalid as exc:
        return _wizard(request, actor, data, project=project, errors=exc.fields, status_code=422)
    return RedirectResponse(f"/console/projects/{project_id}/edit?saved=1", 303)


@router.post("/projects/{project_id}/status")
async def set_status(
    project_id: RowId, request: Request, actor: WebActor, db: SessionDep
) -> Response:
    """Move the project along its lifecycle (go live, pause, complete, archive)."""
    data = await _form(request)
    projects.change_status(db, actor, project_id, ProjectStatus(str(data.get("status"))))
    return RedirectResponse(f"/console/projects/{project_id}/edit?saved=1", 303)


@router.post("/preview/form")
async def preview_form(request: Request, actor: WebActor) -> Response:
    """The form as experts will see it, or the errors naming each question."""
    data = await _form(request)
    _, form, errors = wizard.read_form_json(str(data.get("form_json", "")))
    payload = service.sample_payload(form) if form else {}
    return render(request, "console/_form_preview.html", form=form, errors=errors, payload=payload)


@router.post("/preview/guidelines")
async def preview_guidelines(request: Request, actor: WebActor) -> Response:
    """The guidelines rendered from Markdown, HTML escaped."""
    data = await _form(request)
    html = markdown_html(str(data.get("guidelines", "")))
    return render(request, "console/_guidelines_preview.html", html=html)


@router.post("/preview/pay")
async def preview_pay(request: Request, actor: WebActor) -> Response:
    """Item pay and the effective hourly rate at the time estimate."""
    data = await _form(request)
    rate, errors = wizard.pay_preview(data)
    return render(request, "console/_pay_preview.html", rate=rate, errors=errors)


@router.get("/projects/{project_id}/import")
def import_page(project_id: RowId, request: Request, actor: WebActor, db: SessionDep) -> Response:
    """Upload items with a progress bar; row errors in a table."""
    project = projects.project_for_manager(db, actor, project_id)
    return render(request, "console/import.html", project=project)


@router.get("/projects/{project_id}/dashboard")
def dashboard_page(
    project_id: RowId, request: Request, actor: WebActor, db: SessionDep
) -> Response:
    """The live dashboard: progress, throughput, agreement, distributions, time per item."""
    project = projects.project_for_manager(db, actor, project_id)
    board = service.dashboard(db, actor, project_id)
    return render(request, "console/dashboard.html", project=project, board=board)


@router.get("/projects/{project_id}/dashboard/live")
def dashboard_live(
    project_id: RowId, request: Request, actor: WebActor, db: SessionDep
) -> Response:
    """The dashboard's tables again, swapped in place on every poll; charts redraw from them."""
    board = service.dashboard(db, actor, project_id)
    return render(request, "console/_dashboard_live.html", board=board)


@router.post("/projects/{project_id}/quality/recompute")
async def recompute_quality(
    project_id: RowId, request: Request, actor: WebActor, db: SessionDep
) -> Response:
    """Recompute agreement now; htmx gets the dashboard's parts, a plain form a redirect."""
    await _form(request)
    board = service.recompute_agreement(db, actor, project_id)
    if request.headers.get("HX-Request"):
        return render(request, "console/_dashboard_live.html", board=board)
    return RedirectResponse(f"/console/projects/{project_id}/dashboard", 303)


@router.get("/projects/{project_id}/dashboard.json")
def dashboard_json(project_id: RowId, actor: WebActor, db: SessionDep) -> Dashboard:
    """The dashboard's numbers; the page polls this every few seconds."""
    return service.dashboard(db, actor, project_id)


@router.get("/projects/{project_id}/export")
def export_page(project_id: RowId, request: Request, actor: WebActor, db: SessionDep) -> Response:
    """Download links for every export format."""
    project = projects.project_for_manager(db, actor, project_id)
    return render(request, "console/export.html", project=project, formats=FORMATS)
