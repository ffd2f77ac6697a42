"""Export API: the project's data as a file download."""

from __future__ import annotations

import tempfile

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from tandem.auth.deps import CurrentActor
from tandem.db.deps import SessionDep
from tandem.export import service

router = APIRouter(prefix="/api/v1/projects", tags=["export"])


@router.get("/{project_id}/export")
def export(
    project_id: int, actor: CurrentActor, db: SessionDep, format: str = "jsonl"
) -> StreamingResponse:
    """Every submission per item plus the majority answer per question, as JSONL."""
    # spooled: small exports stay in memory, big ones go to disk, never all in RAM
    # closed by the background task once the response has been streamed
    spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115
        max_size=8 * 1024 * 1024, mode="w+", encoding="utf-8"
    )
    service.export_project(db, actor, project_id, format, spool)
    spool.seek(0)
    filename = f"project-{project_id}.{format}"
    return StreamingResponse(
        iter(lambda: spool.read(64 * 1024), ""),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        background=BackgroundTask(spool.close),
    )
