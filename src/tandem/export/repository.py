"""All SQL of export: items and submissions in bounded chunks, latest review per submission."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import DateTime, Select, String, Subquery, cast, func, select, type_coerce
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from tandem.export.schemas import ExportOptions
from tandem.models import Item, Review, Submission
from tandem.models.enums import ReviewVerdict, SubmissionStatus

CHUNK = 500
ACCEPTED = (SubmissionStatus.ACCEPTED, SubmissionStatus.FINAL_ACCEPTED)
REJECTED = (SubmissionStatus.REJECTED, SubmissionStatus.FINAL_REJECTED)


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


def _filtered(stmt: Select[Any], opts: ExportOptions, training: bool) -> Select[Any]:
    if opts.accepted_only:
        stmt = stmt.where(Submission.status.in_(ACCEPTED))
    if training:
        # duplicates are kept for pay, not for data; rejected work is not training data
        stmt = stmt.where(Submission.counted.is_(True), Submission.status.not_in(REJECTED))
    if opts.since is not None:
        stmt = stmt.where(Submission.created_at >= opts.since)
    if opts.until is not None:
        stmt = stmt.where(Submission.created_at < opts.until)
    return stmt


def submission_batches(
    db: Session,
    project_id: int,
    opts: ExportOptions,
    *,
    training: bool,
    size: int = 5_000,
) -> Iterator[Sequence[Row[Any]]]:
    """Submissions with their item's external id and latest review, by item then id, streamed."""
    latest = _latest_review(project_id)
    stmt = (
        select(
            Submission.id,
            Submission.item_id,
            Item.external_id,
            Submission.expert_id,
            Submission.response,
            Submission.status,
            Submission.counted,
            Submission.late,
            Submission.active_seconds,
            Submission.created_at,
            Review.verdict,
            Review.reasons,
            Review.edited_values,
            Review.created_at.label("reviewed_at"),
        )
        .join(Item, Item.id == Submission.item_id)
        .outerjoin(latest, latest.c.submission_id == Submission.id)
        .outerjoin(Review, Review.id == latest.c.review_id)
        .where(Submission.project_id == project_id)
        .order_by(Submission.item_id, Submission.id)
    )
    result = db.execute(_filtered(stmt, opts, training).execution_options(yield_per=size))
    yield from result.partitions()


def raw_batches(
    db: Session, project_id: int, opts: ExportOptions, *, by_item: bool, size: int = 10_000
) -> Iterator[Sequence[Row[Any]]]:
    """The same rows as `submission_batches`, as the database holds them, for bulk export.

    Hot path for exports of millions of rows: Core, not ORM; the response stays JSON text;
    enums come as their stored NAMES and times as naive UTC, so no per-value conversion runs
    in Python (the caller maps names and marks times as UTC column-wise).
    """
    latest = _latest_review(project_id)
    columns: list[Any] = [
        Submission.id,
        Submission.item_id,
        Item.external_id,
        Submission.expert_id,
        cast(Submission.response, String).label("response"),
        type_coerce(Submission.status, String()).label("status"),
        Submission.counted,
        Submission.late,
        Submission.active_seconds,
        type_coerce(Submission.created_at, DateTime()).label("created_at"),
        type_coerce(Review.verdict, String()).label("verdict"),
        Review.reasons,
        Review.edited_values,
        type_coerce(Review.created_at, DateTime()).label("reviewed_at"),
    ]
    stmt = (
        select(*columns)
        .join(Item, Item.id == Submission.item_id)
        .outerjoin(latest, latest.c.submission_id == Submission.id)
        .outerjoin(Review, Review.id == latest.c.review_id)
        .where(Submission.project_id == project_id)
        # by item only when items are judged whole (agreement); else the primary key, no sort
        .order_by(*([Submission.item_id] if by_item else []), Submission.id)
    )
    stmt = _filtered(stmt, opts, training=False)
    result = db.connection().execute(stmt.execution_options(yield_per=size))
    yield from result.partitions()


def _latest_review(project_id: int) -> Subquery:
    return (
        select(Review.submission_id, func.max(Review.id).label("review_id"))
        .where(Review.project_id == project_id)
        .group_by(Review.submission_id)
        .subquery()
    )


def answers(db: Session, project_id: int, opts: ExportOptions) -> list[tuple[int, int, Any]]:
    """(item id, expert id, response) training data is built from; a reviewer's fix wins."""
    latest = _latest_review(project_id)
    stmt = (
        select(
            Submission.item_id,
            Submission.expert_id,
            Submission.response,
            Review.verdict,
            Review.edited_values,
        )
        .outerjoin(latest, latest.c.submission_id == Submission.id)
        .outerjoin(Review, Review.id == latest.c.review_id)
        .where(Submission.project_id == project_id)
    )
    rows = db.execute(_filtered(stmt, opts, training=True).order_by(Submission.id))
    return [(r[0], r[1], r[4] if r[3] == ReviewVerdict.FIX and r[4] else r[2]) for r in rows]


def payloads(
    db: Session, project_id: int, item_ids: list[int]
) -> dict[int, tuple[str | None, Any]]:
    """(external id, payload) of these items, one query."""
    rows = db.execute(
        select(Item.id, Item.external_id, Item.payload).where(
            Item.project_id == project_id, Item.id.in_(item_ids)
        )
    )
    return {r[0]: (r[1], r[2]) for r in rows}


def count_items(db: Session, project_id: int, opts: ExportOptions) -> int:
    """Distinct items among the submissions `raw` exports (filters applied)."""
    stmt = select(func.count(func.distinct(Submission.item_id))).where(
        Submission.project_id == project_id
    )
    return int(db.scalar(_filtered(stmt, opts, training=False)) or 0)
