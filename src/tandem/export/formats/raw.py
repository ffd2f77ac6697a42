"""`raw`: every submission with the annotator's pseudonym, timings and review outcome.

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
    """Record batches of SCHEMA, in item then submission order."""
    stream = repository.submission_batches(
        ctx.db, ctx.project.id, ctx.options, training=False, response_as_text=True
    )
    if ctx.options.min_agreement is None:
        for rows in stream:
            yield _batch(ctx, rows)
        return
    for groups in group_by_item(stream):
        kept: list[Row[Any]] = []
        for _, rows in groups:
            agreement = item_agreement(ctx.form, (json.loads(r.response) for r in rows))
            if ctx.keeps(agreement):
                ctx.stats.add_agreement(agreement)
                kept.extend(rows)
        if kept:
            yield _batch(ctx, kept)


def _batch(ctx: ExportContext, rows: Sequence[Row[Any]]) -> pa.RecordBatch:
    (sub_id, item_id, ext, expert, response, status, counted, late, secs, at) = list(
        zip(*(r[:10] for r in rows), strict=True)
    )
    verdict, reasons, edited, reviewed_at = list(zip(*(r[10:] for r in rows), strict=True))
    _count(ctx, item_id, expert)
    columns: list[Sequence[Any]] = [
        sub_id,
        item_id,
        ext,
        [ctx.annotator(e) for e in expert],
        response,
        [str(s) for s in status],
        counted,
        late,
        secs,
        at,
        [None if v is None else str(v) for v in verdict],
        reasons,
        [None if v is None else json.dumps(v, ensure_ascii=False) for v in edited],
        reviewed_at,
    ]
    arrays = [pa.array(c, type=f.type) for c, f in zip(columns, SCHEMA, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=SCHEMA)


def _count(ctx: ExportContext, item_ids: Sequence[int], experts: Sequence[int]) -> None:
    ctx.stats.rows += len(item_ids)
    ctx.stats.submissions += len(item_ids)
    ctx.stats.annotators.update(experts)
    ctx.stats.count_items(item_ids)
