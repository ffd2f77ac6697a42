"""Review web pages: the reviewer queue, the expert's verdicts, the appeal form."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from tandem.auth.deps import WebActor, check_csrf
from tandem.db.deps import SessionDep
from tandem.kit.errors import ValidationFailed, field_error
from tandem.kit.ids import RowId
from tandem.review import appeals, audit, removals, service
from tandem.review.schemas import AppealIn, AppealResolveIn, Reason, RemovalAppealIn, ReviewIn
from tandem.web.render import render

router = APIRouter(include_in_schema=False)


def pretty(value: Any) -> str:
    """JSON for people: indented, unescaped text (the template still HTML-escapes it)."""
    return json.dumps(value, indent=2, ensure_ascii=False)


@router.get("/review")
def queue_page(request: Request, actor: WebActor, db: SessionDep) -> Response:
    """The reviewer queue, one task at a time, with keyboard shortcuts."""
    return render(
        request,
        "review_queue.html",
        entries=service.review_queue(db, actor),
        appeals=appeals.appeal_queue(db, actor),
        reasons=list(Reason),
        notice=request.query_params.get("notice"),
        pretty=pretty,
    )


def _review_body(data: Any) -> ReviewIn:
    raw = str(data.get("edited_values") or "").strip()
    try:
        edited = json.loads(raw) if raw else None
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            "the corrected response is not JSON",
            errors=[field_error(["edited_values"], exc.msg)],
        ) from None
    try:
        return ReviewIn(
            verdict=str(data.get("verdict", "")),
            reasons=list(data.getlist("reasons")),
            feedback=str(data.get("feedback", "")),
            edited_values=edited,
        )
    except ValidationError as exc:
        errors = [field_error([str(p) for p in e["loc"]], e["msg"]) for e in exc.errors()]
        raise ValidationFailed("the review form is not valid", errors=errors) from None


@router.post("/review/tasks/{task_id}")
async def decide(task_id: RowId, request: Request, actor: WebActor, db: SessionDep) -> Response:
    """Record the reviewer's verdict, then show the next task."""
    data = await request.form()
    check_csrf(request, str(data.get("csrf", "")))
    review = service.decide(db, actor, task_id, _review_body(data))
    return RedirectResponse(f"/review?notice=Saved:+{review.verdict}", 303)


@router.post("/review/appeals/{appeal_id}")
async def resolve(appeal_id: RowId, request: Request, actor: WebActor, db: SessionDep) -> Response:
    """Decide an appeal from the queue page."""
    data = await request.form()
    check_csrf(request, str(data.get("csrf", "")))
    body = AppealResolveIn(
        overturn=data.get("outcome") == "overturn", resolution=str(data.get("resolution", ""))
    )
    appeals.resolve_appeal(db, actor, appeal_id, body)
    return RedirectResponse("/review?notice=Appeal+decided", 303)


@router.get("/verdicts")
def verdicts_page(request: Request, actor: WebActor, db: SessionDep) -> Response:
    """The expert's verdicts with reasons, appeals, removals and the audit log."""
    return render(
        request,
        "verdicts.html",
        verdicts=service.my_verdicts(db, actor),
        removals=removals.my_removals(db, actor),
        events=audit.my_events(db, actor),
        notice=request.query_params.get("notice"),
        pretty=pretty,
    )


@router.get("/verdicts/{review_id}/appeal")
def appeal_form(review_id: RowId, request: Request, actor: WebActor, db: SessionDep) -> Response:
    """The appeal form for one rejection."""
    verdict = next((v for v in service.my_verdicts(db, actor) if v.review_id == review_id), None)
    return render(request, "appeal_form.html", verdict=verdict, errors=[], statement="")


@router.post("/verdicts/{review_id}/appeal")
async def appeal(review_id: RowId, request: Request, actor: WebActor, db: SessionDep) -> Response:
    """File the appeal; it goes to a different reviewer."""
    data = await request.form()
    check_csrf(request, str(data.get("csrf", "")))
    statement = str(data.get("statement", ""))
    if len(statement.strip()) < 10:
        verdict = next(
            (v for v in service.my_verdicts(db, actor) if v.review_id == review_id), None
        )
        errors = [field_error(["statement"], "explain in at least 10 characters")]
        return render(
            request,
            "appeal_form.html",
            status_code=422,
            verdict=verdict,
            errors=errors,
            statement=statement,
        )
    appeals.open_appeal(db, actor, review_id, AppealIn(statement=statement))
    return RedirectResponse("/verdicts?notice=Appeal+filed", 303)


@router.post("/verdicts/removals/{removal_id}/appeal")
async def appeal_removal(
    removal_id: RowId, request: Request, actor: WebActor, db: SessionDep
) -> Response:
    """The expert appeals a removal from a project."""
    data = await request.form()
    check_csrf(request, str(data.get("csrf", "")))
    statement = str(data.get("statement", "")).strip()
    if len(statement) < 10:
        raise ValidationFailed(
            "explain your appeal",
            errors=[field_error(["statement"], "explain in at least 10 characters")],
        )
    removals.appeal(db, actor, removal_id, RemovalAppealIn(statement=statement))
    return RedirectResponse("/verdicts?notice=Removal+appeal+filed", 303)
