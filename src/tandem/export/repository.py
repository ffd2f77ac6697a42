"""All SQL of export: items and submissions in bounded chunks, latest review per submission."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Select, Subquery, func, select
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


def filtered(stmt: Select[Any], opts: ExportOptions, training: bool) -> Select[Any]:
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
    latest = latest_review(project_id)
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
    result = db.execute(filtered(stmt, opts, training).execution_options(yield_per=size))
    yield from result.partitions()


def latest_review(project_id: int) -> Subquery:
    return (
        select(Review.submission_id, func.max(Review.id).label("review_id"))
        .where(Review.project_id == project_id)
        .group_by(Review.submission_id)
        .subquery()
    )


def answers(db: Session, project_id: int, opts: ExportOptions) -> list[tuple[int, int, Any]]:
    """(item id, expert id, response) training data is built from; a reviewer's fix wins."""
    latest = latest_review(project_id)
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
    rows = db.execute(filtered(stmt, opts, training=True).order_by(Submission.id))
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
