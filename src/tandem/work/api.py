"""Work API: next item, submit, skip."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.auth.deps import CurrentActor, work_of
from tandem.db.deps import SessionDep
from tandem.dispatch import service as dispatch
from tandem.kit.ids import RowId
from tandem.kit.raw_json import documented, header, json_answer, json_body
from tandem.work import service
from tandem.work.schemas import AssignmentOut, SkipIn, SubmissionOut, SubmitIn

router = APIRouter(prefix="/api/v1", tags=["work"])
IDEMPOTENCY_KEY = "Idempotency-Key"

# claim and submit read their request and write their answer by hand (tandem.kit.raw_json):
# they are most of the API's traffic, and FastAPI's parameter solving and response model
# were about a tenth of the server's CPU per claim → submit cycle


@router.post("/projects/{project_id}/next", response_model=AssignmentOut)
async def next_item(project_id: RowId, request: Request) -> Response:
    """Give the calling expert an item of the project (their open one first)."""
    claimed = await work_of(request).run(
        lambda db, actor: service.describe(db, dispatch.next_assignment(db, actor, project_id))
    )
    return json_answer(claimed)


@router.get("/assignments/{assignment_id}")
def get_assignment(assignment_id: RowId, actor: CurrentActor, db: SessionDep) -> AssignmentOut:
    """One of the caller's assignments with its item."""
    return service.describe(db, dispatch.assignment_for_expert(db, actor, assignment_id))


@router.post(
    "/assignments/{assignment_id}/submit",
    status_code=status.HTTP_201_CREATED,
    response_model=SubmissionOut,
    openapi_extra=documented(SubmitIn, {IDEMPOTENCY_KEY: 200}),
)
async def submit(assignment_id: RowId, request: Request) -> Response:
    """Submit a response; a retry with the same Idempotency-Key returns the same submission."""
    body = await json_body(request, SubmitIn)
    idempotency_key = header(request, IDEMPOTENCY_KEY, 200)

    def store(db: Session, actor: Actor) -> tuple[SubmissionOut, str]:
        stored = service.submit(db, actor, assignment_id, body, idempotency_key)
        return SubmissionOut.model_validate(stored), stored.idempotency_key

    submission, key = await work_of(request).run(store)
    return json_answer(submission, status.HTTP_201_CREATED, {IDEMPOTENCY_KEY: key})


@router.post("/assignments/{assignment_id}/skip")
def skip(assignment_id: RowId, body: SkipIn, actor: CurrentActor, db: SessionDep) -> AssignmentOut:
    """Give an item back with a reason."""
    return service.describe(db, dispatch.skip(db, actor, assignment_id, body.reason))
