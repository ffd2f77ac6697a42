"""`raw`: every submission with the annotator's pseudonym, timings and review outcome.

Rows are in submission order (by item, then submission, when a minimum agreement is set).

Rows come straight from one streamed query into Arrow columns, 10,000 at a time; the
response stays JSON text from the database. Per-item agreement is computed (and the
responses parsed) only when a minimum agreement is asked for.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa
from sqlalchemy.engine import Row

from tandem.export import repository
from tandem.export.formats.common import ExportContext, group_by_item, item_agreement
from tandem.models.enums import ReviewVerdict, SubmissionStatus

UTC_TS = pa.timestamp("us", tz="UTC")
SCHEMA = pa.schema(
    [
        ("submission_id", pa.int64()),
        ("item_id", pa.int64()),
        ("external_id", pa.string()),
        ("annotator", pa.string()),
        ("response", pa.string()),
        ("status", pa.string()),
        ("counted", pa.bool_()),
        ("late", pa.bool_()),
        ("active_seconds", pa.int64()),
        ("submitted_at", UTC_TS),
        ("review_verdict", pa.string()),
        ("review_reasons", pa.list_(pa.string())),
        ("review_edited_values", pa.string()),
        ("reviewed_at", UTC_TS),
    ]
)


def batches(ctx: ExportContext) -> Iterator[pa.RecordBatch]:
    """Record batches of SCHEMA."""
    by_item = ctx.options.min_agreement is not None
    stream = repository.raw_batches(ctx.db, ctx.project.id, ctx.options, by_item=by_item)
    if not by_item:
        ctx.stats.items = repository.count_items(ctx.db, ctx.project.id, ctx.options)
        for rows in stream:
            yield _batch(ctx, rows)
        return
    for groups in group_by_item(stream):
        kept: list[Row[Any]] = []
        for _, rows in groups:
            agreement = item_agreement(ctx.form, (json.loads(r.response) for r in rows))
            if ctx.keeps(agreement):
                ctx.stats.add_agreement(agreement)
                ctx.stats.items += 1
                kept.extend(rows)
        if kept:
            yield _batch(ctx, kept)


STATUS = {m.name: m.value for m in SubmissionStatus}
VERDICT = {m.name: m.value for m in ReviewVerdict}
NAIVE_TS = pa.timestamp("us")


def _names(values: Sequence[str | None], names: dict[str, str]) -> pa.Array:
    # enum columns hold member NAMES; the file carries the values, as the API shows them
    return pa.array([None if v is None else names.get(v, v) for v in values], pa.string())


def _batch(ctx: ExportContext, rows: Sequence[Row[Any]]) -> pa.RecordBatch:
    (sub_id, item_id, ext, expert, response, status, counted, late, secs, at, verdict, reasons,
     edited, reviewed_at) = list(zip(*rows, strict=True))  # fmt: skip
    _count(ctx, item_id, expert)
    arrays = [
        pa.array(sub_id, pa.int64()),
        pa.array(item_id, pa.int64()),
        pa.array(ext, pa.string()),
        pa.array([ctx.annotator(e) for e in expert], pa.string()),
        pa.array(response, pa.string()),
        _names(status, STATUS),
        pa.array(counted, pa.bool_()),
        pa.array(late, pa.bool_()),
        pa.array(secs, pa.int64()),
        # naive UTC from the database: casting only labels the zone, the values stay
        pa.array(at, NAIVE_TS).cast(UTC_TS),
        _names(verdict, VERDICT),
        pa.array(reasons, pa.list_(pa.string())),
        pa.array([None if v is None else json.dumps(v) for v in edited], pa.string()),
        pa.array(reviewed_at, NAIVE_TS).cast(UTC_TS),
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=SCHEMA)


def _count(ctx: ExportContext, item_ids: Sequence[int], experts: Sequence[int]) -> None:
    ctx.stats.rows += len(item_ids)
    ctx.stats.submissions += len(item_ids)
    ctx.stats.annotators.update(experts)
