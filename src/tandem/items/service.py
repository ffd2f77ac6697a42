"""Item import: validated all-or-nothing, errors name the row and field, memory stays flat."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, Any

from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.items import repository
from tandem.items.parsing import RowError, read_rows
from tandem.kit.clock import utcnow
from tandem.kit.errors import ValidationFailed, field_error
from tandem.models.enums import ItemStatus
from tandem.projects.answers import validate_response
from tandem.projects.forms import Form, parse_form, validate_payload_for_form
from tandem.projects.service import project_for_manager

BATCH = 1000
MAX_ERRORS = 50

Progress = Callable[[int], None]


class _Batcher:
    """Collects valid rows, checks external ids per batch and inserts them."""

    def __init__(self, db: Session, project_id: int) -> None:
        self.db, self.project_id = db, project_id
        self.rows: list[tuple[int, dict[str, Any]]] = []
        self.errors: list[dict[str, Any]] = []
        self.count = 0

    def add(self, number: int, row: dict[str, Any]) -> None:
        self.rows.append((number, row))
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        ids = [r["external_id"] for _, r in self.rows if r["external_id"] is not None]
        taken = repository.existing_external_ids(self.db, self.project_id, ids)
        seen: set[str] = set()
        batch = []
        for number, row in self.rows:
            ext = row["external_id"]
            if ext is not None and (ext in taken or ext in seen):
                self.errors.append(
                    _row_error(number, "external_id", f"duplicate external_id {ext!r}")
                )
                continue
            if ext is not None:
                seen.add(ext)
            batch.append(row)
        if not self.errors:
            repository.insert_items(self.db, batch)
        self.count += len(batch)
        self.rows = []


def _row_error(number: int, field: str, msg: str) -> dict[str, Any]:
    return field_error([f"row {number}", field], msg)


def import_items(
    db: Session,
    actor: Actor,
    project_id: int,
    stream: IO[str],
    fmt: str,
    on_progress: Progress | None = None,
) -> int:
    """Import every row or none; raise ValidationFailed listing rows and fields at fault."""
    project = project_for_manager(db, actor, project_id)
    form = parse_form(project.form)
    # batches are inserted as the file streams by; a savepoint takes them back on failure
    with db.begin_nested():
        return _import_rows(db, project.id, form, stream, fmt, on_progress)


def _import_rows(
    db: Session,
    project_id: int,
    form: Form,
    stream: IO[str],
    fmt: str,
    on_progress: Progress | None,
) -> int:
    batcher = _Batcher(db, project_id)
    now = utcnow()
    for number, record in read_rows(stream, fmt):
        problems = list(_check_record(form, number, record))
        batcher.errors.extend(problems)
        if len(batcher.errors) >= MAX_ERRORS:
            break
        if not problems and isinstance(record, dict):
            batcher.add(number, _item_row(project_id, record, now))
        if on_progress and number % BATCH == 0:
            on_progress(number)
    if batcher.rows and len(batcher.errors) < MAX_ERRORS:
        batcher.flush()
    if batcher.errors:
        shown = batcher.errors[:MAX_ERRORS]
        raise ValidationFailed(
            f"import rejected, nothing was written: {len(shown)} problem(s), first at "
            f"{shown[0]['loc'][0]}: {shown[0]['msg']}",
            errors=shown,
        )
    if batcher.count == 0:
        raise ValidationFailed("the file has no rows", errors=[field_error(["file"], "empty")])
    return batcher.count


def _item_row(project_id: int, record: dict[str, Any], now: Any) -> dict[str, Any]:
    ext = record["external_id"]
    return {
        "project_id": project_id,
        "payload": record["payload"],
        "gold": record["gold"],
        "is_gold": record["gold"] is not None,
        "external_id": None if ext is None else str(ext),
        "status": ItemStatus.OPEN,
        "taken": 0,
        "done": 0,
        "created_at": now,
    }


def _check_record(
    form: Form, number: int, record: dict[str, Any] | RowError
) -> Iterator[dict[str, Any]]:
    if isinstance(record, RowError):
        yield _row_error(number, record.field, record.msg)
        return
    if not isinstance(record["payload"], dict) or not record["payload"]:
        yield _row_error(number, "payload", "must be a non-empty object")
        return
    for msg in validate_payload_for_form(form, record["payload"]):
        yield _row_error(number, "payload", msg)
    if record["gold"] is not None:
        yield from _check_gold(form, number, record)


def _check_gold(form: Form, number: int, record: dict[str, Any]) -> Iterator[dict[str, Any]]:
    gold = record["gold"]
    if not isinstance(gold, dict):
        yield _row_error(number, "gold", "must be an object of question id -> answer")
        return
    # gold may cover only some questions: validate against just those
    subset = Form.model_validate(
        {
            "questions": [q.model_dump() for q in form.questions if q.id in gold]
            or [form.questions[0].model_dump()]
        }
    )
    try:
        validate_response(subset, gold, record["payload"])
    except ValidationFailed as exc:
        for err in exc.errors:
            yield _row_error(number, "gold." + ".".join(str(p) for p in err["loc"][1:]), err["msg"])
