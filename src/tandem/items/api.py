"""Item import API: one request, a JSONL or CSV upload."""

from __future__ import annotations

import io

from fastapi import APIRouter, UploadFile

from tandem.auth.deps import CurrentActor
from tandem.db.deps import SessionDep
from tandem.items import service
from tandem.items.parsing import detect_format
from tandem.kit.ids import RowId
from tandem.projects.schemas import ImportResult

router = APIRouter(prefix="/api/v1/projects", tags=["items"])


@router.post("/{project_id}/items")
def import_items(
    project_id: RowId,
    file: UploadFile,
    actor: CurrentActor,
    db: SessionDep,
    format: str | None = None,
) -> ImportResult:
    """Import items from a .jsonl or .csv upload, all or nothing."""
    fmt = format or detect_format(file.filename or "")
    # the upload is spooled to disk by Starlette; we read it as a text stream
    stream = io.TextIOWrapper(file.file, encoding="utf-8-sig", newline="")
    count = service.import_items(db, actor, project_id, stream, fmt)
    return ImportResult(project_id=project_id, imported=count)
