"""Expert and requester web pages: my work, the workbench, my projects."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.auth.deps import WebActor, check_csrf
from tandem.db.deps import SessionDep
from tandem.dispatch import service as dispatch
from tandem.dispatch.reservations import my_reservations
from tandem.kit.clock import utcnow
from tandem.kit.errors import NoWorkAvailable, ValidationFailed
from tandem.kit.ids import RowId
from tandem.pay.documents import payslip
from tandem.pay.periods import week_of
from tandem.pay.service import earnings
from tandem.projects import service as projects
from tandem.projects.forms import parse_form
from tandem.review.service import my_verdicts
from tandem.web.markup import markdown_html, word_diff_html
from tandem.web.render import render
from tandem.wellbeing.service import my_wellbeing
from tandem.work import service, web_forms
from tandem.work.schemas import SubmitIn
from tandem.work.web_home import expert_home_rows

router = APIRouter(include_in_schema=False)


INBOX_SIZE = 5


def _expert_desk(db: Session, actor: Actor) -> dict[str, Any]:
    """Reserved work, the week against the caps, earnings and the latest verdicts."""
    if actor.expert is None:
        return {"rows": [], "held": [], "care": None}
    expert = actor.expert
    period = week_of(utcnow().date())
    verdicts = my_verdicts(db, actor)
    return {
        "rows": expert_home_rows(db, actor),
        "held": my_reservations(db, actor),
        "care": my_wellbeing(db, actor),
        "earnings": earnings(db, expert, recent=0),
        "period": period,
        "this_period": payslip(db, expert, period),
        "verdicts": verdicts[:INBOX_SIZE],
        "appealable": sum(v.can_appeal for v in verdicts),
    }


@router.get("/work")
def work_home(request: Request, actor: WebActor, db: SessionDep) -> Response:
    """The expert's desk: reserved work, hours, earnings, verdicts, projects with pay."""
    notice = request.query_params.get("notice")
    return render(request, "work_home.html", actor=actor, notice=notice, **_expert_desk(db, actor))


@router.post("/work/{project_id}/start")
async def start(project_id: RowId, request: Request, actor: WebActor, db: SessionDep) -> Response:
    """Claim the next item and open it in the workbench."""
    check_csrf(request, str((await request.form()).get("csrf", "")))
    try:
        assignment = dispatch.next_assignment(db, actor, project_id)
    except NoWorkAvailable:
        return RedirectResponse("/work?notice=No+work+available+in+that+project+right+now", 303)
    return RedirectResponse(f"/work/assignments/{assignment.id}", 303)


@router.get("/work/assignments/{assignment_id}")
def workbench(assignment_id: RowId, request: Request, actor: WebActor, db: SessionDep) -> Response:
    """The item, its form, guidelines and pay."""
    assignment = dispatch.assignment_for_expert(db, actor, assignment_id)
    view = service.describe(db, assignment)
    return render(
        request,
        "workbench.html",
        a=view,
        form=parse_form(view.form),
        key=str(uuid.uuid4()),
        errors=[],
        values={},
    )


@router.post("/work/assignments/{assignment_id}/submit")
async def submit(
    assignment_id: RowId, request: Request, actor: WebActor, db: SessionDep
) -> Response:
    """Submit the workbench form, then go on to the next item."""
    data = await request.form()
    check_csrf(request, str(data.get("csrf", "")))
    assignment = dispatch.assignment_for_expert(db, actor, assignment_id)
    view = service.describe(db, assignment)
    form = parse_form(view.form)
    body = SubmitIn(response=web_forms.response_from_form(form, data))
    try:
        service.submit(db, actor, assignment_id, body, str(data.get("idempotency_key") or ""))
    except ValidationFailed as exc:
        return render(
            request,
            "workbench.html",
            status_code=422,
            a=view,
            form=form,
            key=str(data.get("idempotency_key")),
            errors=exc.errors,
            values=body.response,
        )
    return RedirectResponse(
        f"/work?notice=Submitted.+Thank+you!&next={view.project_id}&done={assignment_id}", 303
    )


@router.post("/work/preview")
async def preview(request: Request, actor: WebActor) -> Response:
    """Markdown preview of a free-text answer, and its diff against the model's original."""
    data = await request.form()
    check_csrf(request, str(data.get("csrf", "")))
    text, original = str(data.get("text", "")), data.get("original")
    diff = word_diff_html(str(original), text) if original is not None else None
    return render(request, "_preview.html", rendered=markdown_html(text), diff=diff)


@router.post("/work/assignments/{assignment_id}/skip")
async def skip(assignment_id: RowId, request: Request, actor: WebActor, db: SessionDep) -> Response:
    """Give the item back with a reason."""
    data = await request.form()
    check_csrf(request, str(data.get("csrf", "")))
    reason = str(data.get("reason", "")).strip() or "no reason given"
    note = str(data.get("note", "")).strip()
    reason = f"{reason}: {note}" if note else reason
    assignment = dispatch.skip(db, actor, assignment_id, reason[:500])
    return RedirectResponse(
        f"/work?notice=Skipped.+The+item+went+back+to+the+pool.&done={assignment.id}", 303
    )


@router.get("/projects")
def my_projects(request: Request, actor: WebActor, db: SessionDep) -> Response:
    """The requester's projects with their progress."""
    rows = [(p, projects.progress(db, actor, p.id)) for p in projects.list_projects(db, actor)]
    return render(request, "projects.html", rows=rows)
