"""All SQL of the work domain: what a submit reads, the insert, and the item's count."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, case, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tandem.db.base import BigId
from tandem.models import Assignment, Item, Project, Submission, Trust
from tandem.models.enums import ItemStatus

SubmitContext = tuple[Assignment, Item, Project, Trust | None]


def by_idempotency_key(db: Session, expert_id: int, key: str) -> Submission | None:
    return db.scalar(
        select(Submission).where(
            Submission.expert_id == expert_id, Submission.idempotency_key == key
        )
    )


def submit_context(db: Session, assignment_id: int, expert_id: int) -> SubmitContext | None:
    """The expert's assignment with its item, project and trust row, in one read."""
    trust_of_expert = and_(
        Trust.project_id == Assignment.project_id, Trust.expert_id == Assignment.expert_id
    )
    row = db.execute(
        select(Assignment, Item, Project, Trust)
        .join(Item, Item.id == Assignment.item_id)
        .join(Project, Project.id == Assignment.project_id)
        .outerjoin(Trust, trust_of_expert)
        .where(Assignment.id == assignment_id, Assignment.expert_id == expert_id)
    ).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


def insert_once(db: Session, values: dict[str, Any]) -> Submission | None:
    """Insert a submission unless a unique key (idempotency, counted slot) has it already."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(Submission).values(**values).on_conflict_do_nothing()
    return db.scalars(stmt.returning(Submission)).first()


def _count_done_statement() -> Any:
    table = cast(Table, Item.__table__)
    done = table.c.done + 1
    complete = literal(ItemStatus.COMPLETE, table.c.status.type)
    return (
        update(table)
        .where(table.c.id == bindparam("i", type_=BigId))
        .values(done=done, status=case((done >= bindparam("k"), complete), else_=table.c.status))
    )


_COUNT_DONE = _count_done_statement()


def count_done(db: Session, item: Item, overlap: int) -> None:
    """One more counted submission; the item completes when it has `overlap` of them."""
    db.execute(_COUNT_DONE, {"i": item.id, "k": overlap})
    db.expire(item, ["done", "status"])  # changed behind the ORM's back
