"""The SQL of the `raw` export: submissions, their latest reviews and their items' ids.

Batches of Arrow columns, however the rows are read: on PostgreSQL through
`tandem.export.pgarrow` (no Python per row), else through the driver 10,000 at a time.
Where two streams can be open at once, reviews come as their own stream merged onto the
submissions, and items' external ids from one sorted column (`tandem.export.columns`):
both cost the database less than joins would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pyarrow as pa
from sqlalchemy import DateTime, Select, String, cast, select, type_coerce
from sqlalchemy.orm import Session

from tandem.export.columns import ExternalIds, LatestReviews
from tandem.export.pgarrow import ArrowReader
from tandem.export.repository import filtered, latest_review
from tandem.export.schemas import ExportOptions
from tandem.models import Item, Review, Submission

# the columns as the database holds them: enum NAMES, naive UTC, JSON as text
SUBMISSION_COLUMNS = pa.schema(
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
    ]
)
REVIEW_FIELDS = [
    ("verdict", pa.string()),
    ("reasons", pa.string()),
    ("edited_values", pa.string()),
    ("reviewed_at", pa.timestamp("us")),
]
REVIEW_COLUMNS = pa.schema([("submission_id", pa.int64()), *REVIEW_FIELDS])
ROW_COLUMNS = pa.schema([*SUBMISSION_COLUMNS, *REVIEW_FIELDS])
# ... and as raw_columns hands them over, with each item's external id beside its id
RAW_COLUMNS = ROW_COLUMNS.insert(2, pa.field("external_id", pa.string()))
ITEM_COLUMNS = pa.schema([("id", pa.int64()), ("external_id", pa.string())])
Read = Callable[[Select[Any], pa.Schema], Iterator[pa.RecordBatch]]


def raw_columns(
    db: Session,
    project_id: int,
    opts: ExportOptions,
    *,
    by_item: bool,
    copy: bool | None = None,
) -> RawColumns:
    """Every submission with its item's external id and latest review, as RAW_COLUMNS batches.

    PostgreSQL reads into Arrow directly; SQLite, or `copy=False`, fetches driver rows.
    """
    if copy is None:
        copy = db.get_bind().dialect.name == "postgresql"
    return RawColumns(db, project_id, opts, by_item, ArrowReader(db) if copy else None)


class RawColumns:
    """The batches of one raw read (iterate once), and how many items they covered."""

    def __init__(
        self,
        db: Session,
        project_id: int,
        opts: ExportOptions,
        by_item: bool,
        reader: ArrowReader | None,
    ) -> None:
        self._read: Read = partial(_arrow_rows, reader) if reader else partial(_fetched, db)
        self._args = (project_id, opts, by_item)
        # a merge needs submissions in id order and a second stream beside them (a COPY on
        # the session's own connection holds it alone): else the database joins the reviews
        self._merge = not by_item and (reader is None or reader.shared)
        self._external: ExternalIds | None = None

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        # made first: a stream of its own starts reading at once (a COPY on the session's
        # connection waits until it is iterated, after the items)
        rows = _with_reviews(self._read, *self._args, self._merge)
        items = self._read(_items_select(self._args[0]), ITEM_COLUMNS)
        self._external = ExternalIds(pa.Table.from_batches(items, ITEM_COLUMNS), RAW_COLUMNS)
        for batch in rows:
            yield self._external.added_to(batch)

    @property
    def items_seen(self) -> int:
        """Distinct items among the rows read so far."""
        return self._external.seen if self._external else 0


def _with_reviews(
    read: Read, project_id: int, opts: ExportOptions, by_item: bool, merge: bool
) -> Iterator[pa.RecordBatch]:
    """The rows with their latest review; its streams are made (and so started) now."""
    if not merge:
        return read(_raw_select(project_id, opts, by_item, joined=True), ROW_COLUMNS)
    reviews = LatestReviews(read(_reviews_select(project_id), REVIEW_COLUMNS), REVIEW_COLUMNS)
    submissions = read(_raw_select(project_id, opts, by_item, joined=False), SUBMISSION_COLUMNS)
    return reviews.merged(submissions, ROW_COLUMNS)


def _items_select(project_id: int) -> Select[Any]:
    columns: list[Any] = [Item.id, Item.external_id]
    return select(*columns).where(Item.project_id == project_id).order_by(Item.id)


def _review_columns() -> list[Any]:
    return [
        type_coerce(Review.verdict, String()).label("verdict"),
        cast(Review.reasons, String).label("reasons"),
        cast(Review.edited_values, String).label("edited_values"),
        type_coerce(Review.created_at, DateTime()).label("reviewed_at"),
    ]


def _reviews_select(project_id: int) -> Select[Any]:
    """Each reviewed submission's latest review, by submission id."""
    latest = latest_review(project_id)
    return (
        select(latest.c.submission_id, *_review_columns())
        .join(Review, Review.id == latest.c.review_id)
        .order_by(latest.c.submission_id)
    )


def _raw_select(project_id: int, opts: ExportOptions, by_item: bool, joined: bool) -> Select[Any]:
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
    ]
    stmt = select(*columns, *(_review_columns() if joined else []))
    if joined:
        latest = latest_review(project_id)
        stmt = stmt.outerjoin(latest, latest.c.submission_id == Submission.id).outerjoin(
            Review, Review.id == latest.c.review_id
        )
    stmt = stmt.where(Submission.project_id == project_id).order_by(
        # by item only when items are judged whole (agreement); else the primary key, no sort
        *([Submission.item_id] if by_item else []),
        Submission.id,
    )
    return filtered(stmt, opts, training=False)


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
    return reader.batches(sql, schema, {"enable_sort": "off"})


def _fetched(db: Session, stmt: Select[Any], schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    result = db.connection().execute(stmt.execution_options(yield_per=10_000))
    for rows in result.partitions():
        columns = zip(*rows, strict=True)
        arrays = [pa.array(c, t) for c, t in zip(columns, schema.types, strict=True)]
        yield pa.RecordBatch.from_arrays(arrays, schema=schema)
