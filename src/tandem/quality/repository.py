"""All SQL of quality: counted answers, gold, and the stored aggregates and trust."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.models import Aggregate, Item, Submission, Trust


def counted_answers(db: Session, project_id: int) -> list[tuple[int, int, dict[str, Any]]]:
    """(item id, expert id, response) of every counted submission, oldest first."""
    rows = db.execute(
        select(Submission.item_id, Submission.expert_id, Submission.response)
        .where(Submission.project_id == project_id, Submission.counted.is_(True))
        .order_by(Submission.id)
    )
    return [(r[0], r[1], r[2]) for r in rows]


def gold_answers(db: Session, project_id: int) -> dict[int, dict[str, Any]]:
    """Gold answers per item id, for items that have them."""
    rows = db.execute(
        select(Item.id, Item.gold).where(Item.project_id == project_id, Item.gold.is_not(None))
    )
    return {r[0]: r[1] for r in rows if r[1]}


def aggregates(db: Session, project_id: int) -> Sequence[Aggregate]:
    """Stored aggregates of a project."""
    return db.scalars(select(Aggregate).where(Aggregate.project_id == project_id)).all()


def trust_rows(db: Session, project_id: int) -> Sequence[Trust]:
    """Stored trust rows of a project, by expert id."""
    return db.scalars(
        select(Trust).where(Trust.project_id == project_id).order_by(Trust.expert_id)
    ).all()


def upsert_aggregates(db: Session, project_id: int, rows: list[dict[str, Any]]) -> None:
    """Insert or update one aggregate per (item, question); one read, then batched writes."""
    existing = {(a.item_id, a.question_id): a for a in aggregates(db, project_id)}
    for row in rows:
        found = existing.get((row["item_id"], row["question_id"]))
        if found is None:
            db.add(Aggregate(project_id=project_id, **row))
            continue
        for key, value in row.items():
            setattr(found, key, value)
    db.flush()


def upsert_trust(db: Session, project_id: int, rows: list[dict[str, Any]]) -> None:
    """Insert or update one trust row per expert of the project."""
    existing = {t.expert_id: t for t in trust_rows(db, project_id)}
    for row in rows:
        found = existing.get(row["expert_id"])
        if found is None:
            db.add(Trust(project_id=project_id, **row))
            continue
        for key, value in row.items():
            setattr(found, key, value)
    db.flush()
