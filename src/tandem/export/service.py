"""Export: the legacy per-item JSONL dump, and training-ready datasets with a card.

Dataset formats live in `tandem.export.formats`; each yields bounded record batches that
a writer streams out, so memory stays flat however large the project.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import IO, Any

from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.auth.security import pseudonym
from tandem.export import card, repository
from tandem.export.formats import dpo, label_studio, labels, raw, reward, sft
from tandem.export.formats.common import ExportContext
from tandem.export.schemas import LEGACY_FORMAT, ExportOptions, ExportStats
from tandem.export.writers import BatchWriter, JsonListWriter
from tandem.kit.clock import utcnow
from tandem.kit.errors import ValidationFailed, field_error
from tandem.models import Item, Submission
from tandem.projects.answers import majority_answer
from tandem.projects.forms import Form, parse_form
from tandem.projects.service import project_for_reader
from tandem.quality.stats import METHODS

FORMATS = (LEGACY_FORMAT,)
TABULAR: dict[str, ModuleType] = {
    "sft": sft,
    "dpo": dpo,
    "reward": reward,
    "labels": labels,
    "raw": raw,
}
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: its figures and its dataset card."""

    stats: ExportStats
    card: str


def export_dataset(
    db: Session,
    actor: Actor,
    project_id: int,
    opts: ExportOptions,
    sink: IO[bytes],
    on_progress: Progress | None = None,
) -> ExportResult:
    """Stream one dataset format into `sink`; returns the figures and the card."""
    opts.checked()
    if opts.method not in METHODS:
        raise ValidationFailed(
            f"unknown method {opts.method!r}",
            errors=[field_error(["method"], f"use one of {', '.join(METHODS)}")],
        )
    project = project_for_reader(db, actor, project_id)
    ctx = ExportContext(db, project, parse_form(project.form), opts)
    if opts.format == "label-studio":
        _write_tasks(ctx, sink, on_progress)
        schema = None
    else:
        schema = TABULAR[opts.format].SCHEMA
        _write_batches(ctx, sink, on_progress)
    return ExportResult(ctx.stats, card.render(project, opts, ctx.stats, schema, utcnow()))


def _write_batches(ctx: ExportContext, sink: IO[bytes], on_progress: Progress | None) -> None:
    module = TABULAR[ctx.options.format]
    writer = BatchWriter(sink, module.SCHEMA, ctx.options.file)
    for batch in module.batches(ctx):
        writer.write(batch)
        if on_progress:
            on_progress(ctx.stats.rows)
    writer.close()


def _write_tasks(ctx: ExportContext, sink: IO[bytes], on_progress: Progress | None) -> None:
    writer = JsonListWriter(sink)
    for tasks in label_studio.tasks(ctx):
        writer.write(tasks)
        if on_progress:
            on_progress(ctx.stats.rows)
    writer.close()


def export_to_directory(
    db: Session,
    actor: Actor,
    project_id: int,
    opts: ExportOptions,
    directory: Path,
    on_progress: Progress | None = None,
) -> ExportResult:
    """Write the data file and README.md (the dataset card) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / opts.filename).open("wb") as sink:
        result = export_dataset(db, actor, project_id, opts, sink, on_progress)
    (directory / "README.md").write_text(result.card, encoding="utf-8")
    return result


def bundle(data: IO[bytes], opts: ExportOptions, result: ExportResult, out: IO[bytes]) -> None:
    """Zip the data file (read from `data`) and its card into `out`."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open(opts.filename, "w") as member:
            shutil.copyfileobj(data, member, 1024 * 1024)
        archive.writestr("README.md", result.card)


def export_project(
    db: Session,
    actor: Actor,
    project_id: int,
    fmt: str,
    out: IO[str],
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write the export to `out`; returns the number of items written."""
    if fmt not in FORMATS:
        raise ValidationFailed(
            f"unknown export format {fmt!r}",
            errors=[field_error(["format"], f"use one of {', '.join(FORMATS)}")],
        )
    project = project_for_reader(db, actor, project_id)
    form = parse_form(project.form)
    written = 0
    for chunk in repository.items_with_submissions(db, project.id):
        for item, submissions in chunk:
            out.write(json.dumps(_item_record(form, project.org_id, item, submissions)) + "\n")
        written += len(chunk)
        if on_progress:
            on_progress(written)
    return written


def _item_record(form: Form, org_id: int, item: Item, subs: list[Submission]) -> dict[str, Any]:
    counted = [s for s in subs if s.counted]
    return {
        "item_id": item.id,
        "external_id": item.external_id,
        "payload": item.payload,
        "status": str(item.status),
        "submissions": [_submission_record(org_id, s) for s in subs],
        "majority": _majority(form, counted),
    }


def _submission_record(org_id: int, sub: Submission) -> dict[str, Any]:
    return {
        "submission_id": sub.id,
        "annotator": pseudonym(sub.expert_id, org_id),
        "response": sub.response,
        "status": str(sub.status),
        "counted": sub.counted,
        "late": sub.late,
        "active_seconds": sub.active_seconds,
        "submitted_at": sub.created_at.isoformat(),
    }


def _majority(form: Form, counted: list[Submission]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for question in form.questions:
        values = [
            s.response[question.id] for s in counted if s.response.get(question.id) is not None
        ]
        outcome = majority_answer(question, values) if values else None
        result[question.id] = (
            None
            if outcome is None
            else {
                "answer": outcome[0],
                "agreement": round(outcome[1], 4),
                "votes": len(values),
            }
        )
    return result
