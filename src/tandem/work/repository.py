"""All SQL of the work domain."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tandem.models import Item, Submission
from tandem.models.enums import ItemStatus


def by_idempotency_key(db: Session, expert_id: int, key: str) -> Submission | None:
    return db.scalar(
        select(Submission).where(
            Submission.expert_id == expert_id, Submission.idempotency_key == key
        )
    )


def count_done(db: Session, item_id: int, overlap: int) -> None:
    """One more counted submission; the item completes when it has `overlap` of them."""
    db.execute(
        update(Item)
        .where(Item.id == item_id)
        .values(done=Item.done + 1)
        .execution_options(synchronize_session="fetch")
    )
    db.execute(
        update(Item)
        .where(Item.id == item_id, Item.done >= overlap)
        .values(status=ItemStatus.COMPLETE)
        .execution_options(synchronize_session="fetch")
    )
