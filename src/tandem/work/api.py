"""Work API: next item, submit, skip."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from tandem.auth.deps import CurrentActor
from tandem.db.deps import SessionDep
from tandem.dispatch import service as dispatch
from tandem.work import service
from tandem.work.schemas import AssignmentOut, SkipIn, SubmissionOut, SubmitIn

router = APIRouter(prefix="/api/v1", tags=["work"])


@router.post("/projects/{project_id}/next")
def next_item(project_id: int, actor: CurrentActor, db: SessionDep) -> AssignmentOut:
    """Give the calling expert an item of the project (their open one first)."""
    return service.describe(db, dispatch.next_assignment(db, actor, project_id))


@router.get("/assignments/{assignment_id}")
def get_assignment(assignment_id: int, actor: CurrentActor, db: SessionDep) -> AssignmentOut:
    """One of the caller's assignments with its item."""
    return service.describe(db, dispatch.assignment_for_expert(db, actor, assignment_id))


@router.post("/assignments/{assignment_id}/submit", status_code=status.HTTP_201_CREATED)
def submit(
    assignment_id: int,
    body: SubmitIn,
    actor: CurrentActor,
    db: SessionDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> SubmissionOut:
    """Submit a response; a retry with the same Idempotency-Key returns the same submission."""
    submission = service.submit(db, actor, assignment_id, body, idempotency_key)
    response.headers["Idempotency-Key"] = submission.idempotency_key
    return SubmissionOut.model_validate(submission)


@router.post("/assignments/{assignment_id}/skip")
def skip(assignment_id: int, body: SkipIn, actor: CurrentActor, db: SessionDep) -> AssignmentOut:
    """Give an item back with a reason."""
    return service.describe(db, dispatch.skip(db, actor, assignment_id, body.reason))
