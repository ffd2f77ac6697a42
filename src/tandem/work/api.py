"""Work API: next item, submit, skip."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status
from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.auth.deps import ApiWorkDep, CurrentActor
from tandem.db.deps import SessionDep
from tandem.dispatch import service as dispatch
from tandem.work import service
from tandem.work.schemas import AssignmentOut, SkipIn, SubmissionOut, SubmitIn

router = APIRouter(prefix="/api/v1", tags=["work"])


@router.post("/projects/{project_id}/next")
async def next_item(project_id: int, work: ApiWorkDep) -> AssignmentOut:
    """Give the calling expert an item of the project (their open one first)."""
    return await work.run(
        lambda db, actor: service.describe(db, dispatch.next_assignment(db, actor, project_id))
    )


@router.get("/assignments/{assignment_id}")
def get_assignment(assignment_id: int, actor: CurrentActor, db: SessionDep) -> AssignmentOut:
    """One of the caller's assignments with its item."""
    return service.describe(db, dispatch.assignment_for_expert(db, actor, assignment_id))


@router.post("/assignments/{assignment_id}/submit", status_code=status.HTTP_201_CREATED)
async def submit(
    assignment_id: int,
    body: SubmitIn,
    work: ApiWorkDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> SubmissionOut:
    """Submit a response; a retry with the same Idempotency-Key returns the same submission."""

    def store(db: Session, actor: Actor) -> tuple[SubmissionOut, str]:
        stored = service.submit(db, actor, assignment_id, body, idempotency_key)
        return SubmissionOut.model_validate(stored), stored.idempotency_key

    submission, key = await work.run(store)
    response.headers["Idempotency-Key"] = key
    return submission


@router.post("/assignments/{assignment_id}/skip")
def skip(assignment_id: int, body: SkipIn, actor: CurrentActor, db: SessionDep) -> AssignmentOut:
    """Give an item back with a reason."""
    return service.describe(db, dispatch.skip(db, actor, assignment_id, body.reason))
