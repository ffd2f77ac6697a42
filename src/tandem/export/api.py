"""Export API: datasets as file downloads, and Label Studio imports."""

from __future__ import annotations

import io
import tempfile
from datetime import datetime
from typing import IO, Annotated, Any

from fastapi import APIRouter, Depends, Query, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from starlette.background import BackgroundTask

from tandem.auth.deps import CurrentActor
from tandem.db.deps import SessionDep
from tandem.export import service
from tandem.export.label_studio_import import import_label_studio
from tandem.export.schemas import LEGACY_FORMAT, ExportOptions
from tandem.kit.ids import RowId

router = APIRouter(prefix="/api/v1/projects", tags=["export"])
SPOOL = 8 * 1024 * 1024
MEDIA = {
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
    "json": "application/json",
    "zip": "application/zip",
}


class LabelStudioImportOut(BaseModel):
    """What a Label Studio import wrote."""

    project_id: int
    imported: int
    gold: int
    annotations_skipped: int


def export_options(
    format: str = "jsonl",
    file: Annotated[
        str | None, Query(description="jsonl or parquet; json for label-studio")
    ] = None,
    accepted_only: bool = False,
    min_agreement: float | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    keep_ties: bool = False,
    prompt_field: str = "prompt",
    response_field: str = "response",
    method: str = "auto",
    license: str = "other",
) -> ExportOptions:
    """Export options from the query string."""
    default_file = "json" if format == "label-studio" else "jsonl"
    return ExportOptions(
        format, file or default_file, accepted_only, min_agreement, since, until,
        keep_ties, prompt_field, response_field, method, license,
    )  # fmt: skip


def _download(spool: IO[Any], filename: str, media: str) -> StreamingResponse:
    # closed by the background task once the response has been streamed
    return StreamingResponse(
        iter(lambda: spool.read(64 * 1024), b"" if "b" in spool.mode else ""),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        background=BackgroundTask(spool.close),
    )


@router.get("/{project_id}/export")
def export(
    project_id: RowId,
    actor: CurrentActor,
    db: SessionDep,
    opts: Annotated[ExportOptions, Depends(export_options)],
    bundle: bool = False,
) -> StreamingResponse:
    """A dataset of the project (`format`, `file`, filters); `bundle=true` zips its card along."""
    if opts.format == LEGACY_FORMAT:
        # the original per-item dump: spooled, so big exports go to disk, never all in RAM
        text = tempfile.SpooledTemporaryFile(max_size=SPOOL, mode="w+", encoding="utf-8")  # noqa: SIM115
        service.export_project(db, actor, project_id, opts.format, text)
        text.seek(0)
        return _download(text, f"project-{project_id}.jsonl", MEDIA["jsonl"])
    # the caller's bookkeeping (a token's last use) is its own unit of work: committed, it
    # holds no row lock through a long read, and the export can share a clean snapshot
    db.commit()
    data = tempfile.SpooledTemporaryFile(max_size=SPOOL, mode="w+b")  # noqa: SIM115
    result = service.export_dataset(db, actor, project_id, opts, data)
    data.seek(0)
    if not bundle:
        return _download(data, f"project-{project_id}-{opts.filename}", MEDIA[opts.file])
    zipped = tempfile.SpooledTemporaryFile(max_size=SPOOL, mode="w+b")  # noqa: SIM115
    with data:
        service.bundle(data, opts, result, zipped)
    zipped.seek(0)
    return _download(zipped, f"project-{project_id}-{opts.format}.zip", MEDIA["zip"])


@router.post("/{project_id}/label-studio-import")
def label_studio_import(
    project_id: RowId,
    file: UploadFile,
    actor: CurrentActor,
    db: SessionDep,
    gold_from: str = "ground_truth",
) -> LabelStudioImportOut:
    """Import a Label Studio JSON export: tasks become items, an annotation may become gold."""
    stream = io.TextIOWrapper(file.file, encoding="utf-8-sig")
    result = import_label_studio(db, actor, project_id, stream, gold_from)
    return LabelStudioImportOut(
        project_id=project_id,
        imported=result.items,
        gold=result.gold,
        annotations_skipped=result.annotations_skipped,
    )
