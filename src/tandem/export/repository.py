"""All SQL of export: items in id-ordered chunks, and their submissions per chunk."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.models import Item, Submission

CHUNK = 500


def items_with_submissions(
    db: Session, project_id: int
) -> Iterator[list[tuple[Item, list[Submission]]]]:
    """Chunks of (item, its submissions) for items that have any; two queries per chunk."""
    last_id = 0
    while True:
        items = list(
            db.scalars(
                select(Item)
                .where(Item.project_id == project_id, Item.id > last_id, Item.taken > 0)
                .order_by(Item.id)
                .limit(CHUNK)
            )
        )
        if not items:
            return
        last_id = items[-1].id
        by_item: dict[int, list[Submission]] = defaultdict(list)
        for sub in db.scalars(
            select(Submission)
            .where(
                Submission.project_id == project_id, Submission.item_id.in_([i.id for i in items])
            )
            .order_by(Submission.id)
        ):
            by_item[sub.item_id].append(sub)
        chunk = [(item, by_item[item.id]) for item in items if by_item[item.id]]
        yield chunk
        # drop the chunk from the identity map so memory stays flat on big projects
        for item in items:
            db.expunge(item)
        for subs in by_item.values():
            for sub in subs:
                db.expunge(sub)
