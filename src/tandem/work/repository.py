"""All SQL of the work domain: what a submit reads, the insert, and the item's count.

The submit hot path runs statements built once at import, and keeps the ORM objects it
returns in step itself instead of re-reading rows it has just written.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, case, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from tandem.db.base import BigId, UTCDateTime
from tandem.models import Assignment, Item, Project, Submission, Trust
from tandem.models.enums import AssignmentStatus, ItemStatus, SubmissionStatus

SubmitContext = tuple[Assignment, Item, Project, Trust | None]
_S = cast(Table, Submission.__table__)
_A = cast(Table, Assignment.__table__)
_I = cast(Table, Item.__table__)


def by_idempotency_key(db: Session, expert_id: int, key: str) -> Submission | None:
    return db.scalar(
        select(Submission).where(
            Submission.expert_id == expert_id, Submission.idempotency_key == key
        )
    )


_CONTEXT = (
    select(Assignment, Item, Project, Trust)
    .join(Item, Item.id == Assignment.item_id)
    .join(Project, Project.id == Assignment.project_id)
    .outerjoin(
        Trust,
        and_(Trust.project_id == Assignment.project_id, Trust.expert_id == Assignment.expert_id),
    )
    .where(
        Assignment.id == bindparam("a", type_=BigId),
        Assignment.expert_id == bindparam("e", type_=BigId),
    )
)


_ITEM_AND_PROJECT = (
    select(Item, Project)
    .join(Project, Project.id == Item.project_id)
    .where(Item.id == bindparam("i", type_=BigId))
)


def item_and_project(db: Session, item_id: int) -> tuple[Item, Project]:
    """An item with its project, in one read."""
    row = db.execute(_ITEM_AND_PROJECT, {"i": item_id}).one()
    return row[0], row[1]


def submit_context(db: Session, assignment_id: int, expert_id: int) -> SubmitContext | None:
    """The expert's assignment with its item, project and trust row, in one read."""
    row = db.execute(_CONTEXT, {"a": assignment_id, "e": expert_id}).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


def _insert_once_statement(dialect: Any) -> Any:
    return (
        dialect.insert(_S)
        .values({c: bindparam(c, type_=_S.c[c].type) for c in _INSERTED})
        .on_conflict_do_nothing()
        .returning(_S.c.id)
    )


_INSERTED = ["project_id", "assignment_id", "item_id", "expert_id", "response"]
_INSERTED += ["active_seconds", "telemetry", "idempotency_key", "status", "counted", "late"]
_INSERTED += ["created_at"]
_INSERT_ONCE = {
    name: _insert_once_statement(d) for name, d in (("postgresql", postgresql), ("sqlite", sqlite))
}


def insert_once(db: Session, values: dict[str, Any]) -> Submission | None:
    """Insert a submission unless a unique key (idempotency, counted slot) has it already."""
    row = {**values, "status": SubmissionStatus.SUBMITTED}
    new_id = db.scalar(_INSERT_ONCE[db.get_bind().dialect.name], row)
    if new_id is None:
        return None
    # every column is known: attach the row as loaded instead of reading it back
    submission = Submission(id=new_id, **row)
    make_transient_to_detached(submission)
    db.add(submission)
    return submission


_CLOSE = (
    update(_A)
    .where(_A.c.id == bindparam("a", type_=BigId))
    .values(status=AssignmentStatus.SUBMITTED, closed_at=bindparam("now", type_=UTCDateTime()))
)


def close_assignment(db: Session, assignment: Assignment, values: dict[str, Any]) -> None:
    """Write the assignment's new status and closing time, and keep the object in step."""
    db.execute(_CLOSE, {"a": assignment.id, "now": values["closed_at"]})
    for key, value in values.items():
        set_committed_value(assignment, key, value)


def _count_done_statement() -> Any:
    done = _I.c.done + 1
    complete = literal(ItemStatus.COMPLETE, _I.c.status.type)
    return (
        update(_I)
        .where(_I.c.id == bindparam("i", type_=BigId))
        .values(done=done, status=case((done >= bindparam("k"), complete), else_=_I.c.status))
    )


_COUNT_DONE = _count_done_statement()


def count_done(db: Session, item: Item, overlap: int) -> None:
    """One more counted submission; the item completes when it has `overlap` of them."""
    db.execute(_COUNT_DONE, {"i": item.id, "k": overlap})
    db.expire(item, ["done", "status"])  # changed behind the ORM's back
