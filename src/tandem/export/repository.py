"""All SQL of export: items and submissions in bounded chunks, latest review per submission."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any

import numpy as np
import pyarrow as pa
from sqlalchemy import DateTime, Select, String, Subquery, cast, func, select, type_coerce
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from tandem.export.pgarrow import ArrowReader
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


# the raw query's columns as the database holds them: enum NAMES, naive UTC, JSON as text
ROW_COLUMNS = pa.schema(
    [
        ("id", pa.int64()),
        ("item_id", pa.int64()),
        ("expert_id", pa.int64()),
        ("response", pa.string()),
        ("status", pa.string()),
        ("counted", pa.bool_()),
        ("late", pa.bool_()),
        ("active_seconds", pa.int64()),
        ("created_at", pa.timestamp("us")),
        ("verdict", pa.string()),
        ("reasons", pa.string()),
        ("edited_values", pa.string()),
        ("reviewed_at", pa.timestamp("us")),
    ]
)
# ... and as raw_columns hands them over, with each item's external id beside its id
RAW_COLUMNS = ROW_COLUMNS.insert(2, pa.field("external_id", pa.string()))
ITEM_COLUMNS = pa.schema([("id", pa.int64()), ("external_id", pa.string())])


def raw_columns(
    db: Session,
    project_id: int,
    opts: ExportOptions,
    *,
    by_item: bool,
    copy: bool | None = None,
) -> Iterator[pa.RecordBatch]:
    """Every submission with its item's external id and latest review, as RAW_COLUMNS batches.

    PostgreSQL streams the query into Arrow (tandem.export.pgarrow: no Python per row);
    SQLite, or `copy=False`, fetches rows through the driver, 10,000 at a time.
    """
    if copy is None:
        copy = db.get_bind().dialect.name == "postgresql"
    read = partial(_arrow_rows, ArrowReader(db)) if copy else partial(_fetched, db)
    # joining items in the database costs an index probe per submission; an item's
    # external id is looked up here instead, in one sorted column held for the export
    items = pa.Table.from_batches(read(_items_select(project_id), ITEM_COLUMNS), ITEM_COLUMNS)
    external = ExternalIds(items)
    for batch in read(_raw_select(project_id, opts, by_item), ROW_COLUMNS):
        yield external.added_to(batch)


class ExternalIds:
    """Items' external ids by item id, looked up a batch at a time (binary search)."""

    def __init__(self, items: pa.Table) -> None:
        self._ids = items.column("id").to_numpy()
        self._names = items.column("external_id").combine_chunks()

    def added_to(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """`batch` with the column external_id after item_id."""
        wanted = batch.column("item_id").to_numpy()
        where = np.searchsorted(self._ids, wanted)
        found = where < len(self._ids)
        if not (found.all() and (self._ids[where] == wanted).all()):
            # both queries read one snapshot, so this is a bug, never a race: say so
            raise LookupError("a submission's item is missing from its project's items")
        names = self._names.take(pa.array(where))
        return pa.RecordBatch.from_arrays(
            [*batch.columns[:2], names, *batch.columns[2:]], schema=RAW_COLUMNS
        )


def _items_select(project_id: int) -> Select[Any]:
    columns: list[Any] = [Item.id, Item.external_id]
    return select(*columns).where(Item.project_id == project_id).order_by(Item.id)


def _raw_select(project_id: int, opts: ExportOptions, by_item: bool) -> Select[Any]:
    latest = _latest_review(project_id)
    columns: list[Any] = [
        Submission.id,
        Submission.item_id,
        Submission.expert_id,
        cast(Submission.response, String).label("response"),
        type_coerce(Submission.status, String()).label("status"),
        Submission.counted,
        Submission.late,
        Submission.active_seconds,
        type_coerce(Submission.created_at, DateTime()).label("created_at"),
        type_coerce(Review.verdict, String()).label("verdict"),
        cast(Review.reasons, String).label("reasons"),
        cast(Review.edited_values, String).label("edited_values"),
        type_coerce(Review.created_at, DateTime()).label("reviewed_at"),
    ]
    stmt = (
        select(*columns)
        .outerjoin(latest, latest.c.submission_id == Submission.id)
        .outerjoin(Review, Review.id == latest.c.review_id)
        .where(Submission.project_id == project_id)
        # by item only when items are judged whole (agreement); else the primary key, no sort
        .order_by(*([Submission.item_id] if by_item else []), Submission.id)
    )
    return _filtered(stmt, opts, training=False)


def _arrow_rows(
    reader: ArrowReader, stmt: Select[Any], schema: pa.Schema
) -> Iterator[pa.RecordBatch]:
    sql = str(stmt.compile(dialect=reader.dialect, compile_kwargs={"literal_binds": True}))
    # values are inlined (ids, enum names, instants): a COPY takes no parameters; the
    # psycopg dialect doubles every % for a parameter pass that does not happen here
    sql = sql.replace("%%", "%")
    # A sort (an external one, on disk, for millions of wide rows) would hold every row
    # back until it ends; walking the primary key instead streams from the first row, so
    # the client parses and writes while the server reads. Only for this statement.
    yield from reader.batches(sql, schema, {"enable_sort": "off"})


def _fetched(db: Session, stmt: Select[Any], schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    result = db.connection().execute(stmt.execution_options(yield_per=10_000))
    for rows in result.partitions():
        columns = zip(*rows, strict=True)
        arrays = [pa.array(c, t) for c, t in zip(columns, schema.types, strict=True)]
        yield pa.RecordBatch.from_arrays(arrays, schema=schema)


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
