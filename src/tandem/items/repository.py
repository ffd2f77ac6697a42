"""All SQL of the items domain."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tandem.models import Item


def existing_external_ids(db: Session, project_id: int, ids: Sequence[str]) -> set[str]:
    if not ids:
        return set()
    rows = db.scalars(
        select(Item.external_id).where(Item.project_id == project_id, Item.external_id.in_(ids))
    )
    return {row for row in rows if row is not None}


def insert_items(db: Session, rows: list[dict[str, Any]]) -> None:
    """One multi-row INSERT for a batch of items."""
    if rows:
        db.execute(insert(Item), rows)
