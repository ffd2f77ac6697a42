"""All SQL of the work domain: what a submit reads, the insert, and the item's count.

The submit hot path runs statements built once at import, and keeps the ORM objects it
returns in step itself instead of re-reading rows it has just written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Integer, Table, and_, bindparam, case, exists, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from tandem.db.base import BigId, UTCDateTime
from tandem.db.direct import Direct, Loaded
from tandem.db.inserts import attach_loaded, insert_once_statement, insert_once_statements
from tandem.models import Assignment, Item, Project, Submission, Trust
from tandem.models.enums import AssignmentStatus, ItemStatus, SubmissionStatus
from tandem.projects.repository import SUBMITTING_KEYS

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


# the assignment, its item, its project (what judging needs) and the expert's trust there
_ASSIGNMENT, _ITEM = Loaded.whole(Assignment), Loaded.whole(Item)
_PROJECT, _TRUST = Loaded(Project, *SUBMITTING_KEYS), Loaded.whole(Trust)
_ITEM_AT = _ASSIGNMENT.width
_PROJECT_AT = _ITEM_AT + _ITEM.width
_TRUST_AT = _PROJECT_AT + _PROJECT.width
_CONTEXT = Direct(
    select(*_ASSIGNMENT.columns, *_ITEM.columns, *_PROJECT.columns, *_TRUST.columns)
    .join_from(Assignment, Item, Item.id == Assignment.item_id)
    .join(Project, Project.id == Assignment.project_id)
    .outerjoin(
        Trust,
        and_(Trust.project_id == Assignment.project_id, Trust.expert_id == Assignment.expert_id),
    )
    # by the key alone, the expert checked on the row: with `expert_id = …` beside it, a
    # plan made while the table looked empty read the expert's whole history by that index
    .where(Assignment.id == bindparam("a", type_=BigId))
)
_EXPERT_AT = _ASSIGNMENT.keys.index("expert_id")


_ITEM_AND_PROJECT = (
    select(Item, Project)
    .join(Project, Project.id == Item.project_id)
    .where(Item.id == bindparam("i", type_=BigId))
)


def item_and_project(db: Session, item_id: int, project_id: int) -> tuple[Item, Project]:
    """An item with its project, in one read (the item alone when the session has the project).

    A claim has just loaded the project: reading it again would build the same entity twice.
    """
    project = db.identity_map.get(identity_key(Project, project_id))
    if isinstance(project, Project):
        return db.get_one(Item, item_id), project
    row = db.execute(_ITEM_AND_PROJECT, {"i": item_id}).one()
    return row[0], row[1]


def submit_context(db: Session, assignment_id: int, expert_id: int) -> SubmitContext | None:
    """The expert's assignment with its item, project and trust row, in one read."""
    row = _CONTEXT.first(db, {"a": assignment_id})
    if row is None or row[_EXPERT_AT] != expert_id:
        return None
    return (
        _ASSIGNMENT.load_joined(db, row, 0),
        _ITEM.load_joined(db, row, _ITEM_AT),
        _PROJECT.load_joined(db, row, _PROJECT_AT),
        _TRUST.load(db, row, _TRUST_AT),
    )


_INSERTED = ["project_id", "assignment_id", "item_id", "expert_id", "response"]
_INSERTED += ["active_seconds", "telemetry", "idempotency_key", "status", "counted", "late"]
_INSERTED += ["created_at"]
_INSERT_ONCE = insert_once_statements(_S, _INSERTED)


def insert_once(db: Session, values: dict[str, Any]) -> Submission | None:
    """Insert a submission unless a unique key (idempotency, counted slot) has it already."""
    row = {**values, "status": SubmissionStatus.SUBMITTED}
    new_id = db.scalar(_INSERT_ONCE[db.get_bind().dialect.name], row)
    return attach_loaded(db, Submission, new_id, row)


# every parameter of these two is named: they also run as CTEs of one submit statement
# (tandem.work.repository._SUBMIT_COUNTED), where the statement cache loses anonymous ones
_CLOSE = (
    update(_A)
    .where(_A.c.id == bindparam("a", type_=BigId))
    .values(
        status=bindparam("submitted", type_=_A.c.status.type),
        closed_at=bindparam("now", type_=UTCDateTime()),
    )
)
_CLOSE_CONSTANTS = {"submitted": AssignmentStatus.SUBMITTED}


def close_assignment(db: Session, assignment: Assignment, now: datetime) -> None:
    """Write the assignment's submitted status and closing time; keep the object in step."""
    db.execute(_CLOSE, {"a": assignment.id, "now": now, **_CLOSE_CONSTANTS})
    _closed_in_step(assignment, now)


def _closed_in_step(assignment: Assignment, now: datetime) -> None:
    current = AssignmentStatus(assignment.status)
    set_committed_value(assignment, "status", current.become(AssignmentStatus.SUBMITTED))
    set_committed_value(assignment, "closed_at", now)


def _count_done_statement() -> Any:
    done = _I.c.done + bindparam("one", type_=Integer)
    complete = bindparam("complete", type_=_I.c.status.type)
    return (
        update(_I)
        .where(_I.c.id == bindparam("i", type_=BigId))
        .values(done=done, status=case((done >= bindparam("k"), complete), else_=_I.c.status))
    )


_COUNT_DONE = _count_done_statement()
_COUNT_CONSTANTS = {"one": 1, "complete": ItemStatus.COMPLETE}


def count_done(db: Session, item: Item, overlap: int) -> None:
    """One more counted submission; the item completes when it has `overlap` of them."""
    db.execute(_COUNT_DONE, {"i": item.id, "k": overlap, **_COUNT_CONSTANTS})
    db.expire(item, ["done", "status"])  # changed behind the ORM's back


def _submit_counted_statement() -> Any:
    """PostgreSQL: insert, close the lease and count the item in one statement."""
    # the insert's parameters are prefixed: an UPDATE would SET a column from a parameter
    # named after it
    new = insert_once_statement(postgresql, _S, _INSERTED, _SUBMITTED_PREFIX).cte("new")
    stored = exists(select(new.c.id))
    closed = _CLOSE.where(stored).cte("closed")
    counted = _COUNT_DONE.where(stored).cte("counted")
    return select(new.c.id).add_cte(closed, counted)


_SUBMITTED_PREFIX = "s_"
_SUBMIT_COUNTED = Direct(_submit_counted_statement())


def submit_counted(
    db: Session, values: dict[str, Any], assignment: Assignment, item: Item, overlap: int
) -> Submission | None:
    """A counted submission into its held slot: stored, lease closed, item counted; or None
    (and nothing written) when a unique key has it already. One statement on PostgreSQL."""
    if db.get_bind().dialect.name != "postgresql":
        submission = insert_once(db, values)
        if submission is not None:
            close_assignment(db, assignment, values["created_at"])
            count_done(db, item, overlap)
        return submission
    row = {**values, "status": SubmissionStatus.SUBMITTED}
    params = {_SUBMITTED_PREFIX + key: value for key, value in row.items()}
    params |= {"a": assignment.id, "now": values["created_at"], "i": item.id, "k": overlap}
    params |= _CLOSE_CONSTANTS | _COUNT_CONSTANTS
    stored = _SUBMIT_COUNTED.first(db, params)
    submission = attach_loaded(db, Submission, None if stored is None else stored[0], row)
    if submission is not None:
        _closed_in_step(assignment, values["created_at"])
        db.expire(item, ["done", "status"])  # changed behind the ORM's back
    return submission
