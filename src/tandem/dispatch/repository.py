"""All SQL of dispatch. The claim is one UPDATE … RETURNING plus one INSERT."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import Session

from tandem.models import Assignment, Item
from tandem.models.enums import AssignmentStatus, ItemStatus


def open_assignment(
    db: Session, project_id: int, expert_id: int, now: datetime
) -> Assignment | None:
    """The expert's unexpired active assignment in the project, if any."""
    return db.scalar(
        select(Assignment)
        .where(
            Assignment.project_id == project_id,
            Assignment.expert_id == expert_id,
            Assignment.status == AssignmentStatus.ACTIVE,
            Assignment.lease_expires_at > now,
        )
        .order_by(Assignment.id)
        .limit(1)
    )


def claim_item(db: Session, project_id: int, expert_id: int, overlap: int) -> int | None:
    """Take one free slot of an open item the expert never had; returns the item id.

    PostgreSQL: the subquery locks one candidate with SKIP LOCKED so concurrent claims spread
    over different items, and the outer `taken < overlap` is re-checked on the locked row.
    SQLite: the transaction is BEGIN IMMEDIATE, so claims are serialized.
    """
    already = exists().where(Assignment.item_id == Item.id, Assignment.expert_id == expert_id)
    candidate = (
        select(Item.id)
        .where(
            Item.project_id == project_id,
            Item.status == ItemStatus.OPEN,
            Item.taken < overlap,
            ~already,
        )
        .order_by(Item.taken.desc(), Item.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    stmt = (
        update(Item)
        .where(and_(Item.id == candidate, Item.taken < overlap))
        .values(taken=Item.taken + 1)
        .returning(Item.id)
        .execution_options(synchronize_session="fetch")
    )
    return db.scalar(stmt)


def expire_leases(db: Session, project_id: int, now: datetime) -> int:
    """Mark lapsed leases expired and free their slots; returns how many."""
    lapsed = list(
        db.execute(
            update(Assignment)
            .where(
                Assignment.project_id == project_id,
                Assignment.status == AssignmentStatus.ACTIVE,
                Assignment.lease_expires_at <= now,
            )
            .values(status=AssignmentStatus.EXPIRED, closed_at=now)
            .returning(Assignment.item_id)
            .execution_options(synchronize_session="fetch")
        ).scalars()
    )
    for item_id in lapsed:
        release_slot(db, item_id)
    return len(lapsed)


def release_slot(db: Session, item_id: int) -> None:
    db.execute(
        update(Item)
        .where(Item.id == item_id, Item.taken > 0)
        .values(taken=Item.taken - 1)
        .execution_options(synchronize_session="fetch")
    )


def take_free_slot(db: Session, item_id: int, overlap: int) -> bool:
    """Atomically take a slot of an item if one is free (late submissions)."""
    result = db.execute(
        update(Item)
        .where(Item.id == item_id, Item.taken < overlap)
        .values(taken=Item.taken + 1)
        .returning(Item.id)
        .execution_options(synchronize_session="fetch")
    )
    return result.scalar() is not None
