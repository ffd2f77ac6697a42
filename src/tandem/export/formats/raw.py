"""`raw`: every submission with the annotator's pseudonym, timings and review outcome.

Rows are in submission order (by item, then submission, when a minimum agreement is set).

Columns come from `raw_repository` as Arrow batches (PostgreSQL: read by ADBC or COPY)
and are converted column-wise with pyarrow.compute, one batch (about 10,000 rows) at a time; the
response stays JSON text from the database. Per-item agreement is computed (and the
responses parsed) only when a minimum agreement is asked for.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from tandem.export import raw_repository
from tandem.export.formats.common import ExportContext, item_agreement
from tandem.models.enums import ReviewVerdict, SubmissionStatus

UTC_TS = pa.timestamp("us", tz="UTC")
REASONS = pa.list_(pa.string())
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
        ("review_reasons", REASONS),
        ("review_edited_values", pa.string()),
        ("reviewed_at", UTC_TS),
    ]
)


def batches(ctx: ExportContext) -> Iterator[pa.RecordBatch]:
    """Record batches of SCHEMA."""
    by_item = ctx.options.min_agreement is not None
    stream = raw_repository.raw_columns(ctx.db, ctx.project.id, ctx.options, by_item=by_item)
    if by_item:
        yield from (_batch(ctx, batch) for batch in _agreed(ctx, stream))
        return
    yield from (_batch(ctx, batch) for batch in stream)
    ctx.stats.items = stream.items_seen  # counted as they passed


def _one_batch(table: pa.Table) -> pa.RecordBatch:
    return table.combine_chunks().to_batches()[0]


def _agreed(ctx: ExportContext, stream: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Rows of the items that reach min_agreement; an item is judged once all its rows are in."""
    tail = pa.Table.from_batches([], raw_repository.RAW_COLUMNS)
    for batch in stream:
        rows = pa.concat_tables([tail, pa.Table.from_batches([batch])])
        # rows come by item: the last item may continue in the next batch
        items = rows.column("item_id")
        cut = pc.index(items, items[-1]).as_py()
        if cut:
            yield _judged(ctx, _one_batch(rows.slice(0, cut)))
        tail = rows.slice(cut)
    if tail.num_rows:
        yield _judged(ctx, _one_batch(tail))


def _judged(ctx: ExportContext, batch: pa.RecordBatch) -> pa.RecordBatch:
    """The rows of whole items in `batch` whose agreement passes; kept items are counted."""
    items, texts = batch.column("item_id").to_pylist(), batch.column("response").to_pylist()
    pairs = zip(items, texts, strict=True)
    keep: list[bool] = []
    for _, group in groupby(pairs, key=itemgetter(0)):
        responses = [json.loads(text) for _, text in group]
        agreement = item_agreement(ctx.form, responses)
        kept = ctx.keeps(agreement)
        if kept:
            ctx.stats.add_agreement(agreement)
            ctx.stats.items += 1
        keep.extend([kept] * len(responses))
    return batch.filter(pa.array(keep, pa.bool_()))


STATUS = {m.name: m.value for m in SubmissionStatus}
VERDICT = {m.name: m.value for m in ReviewVerdict}


def _batch(ctx: ExportContext, db: pa.RecordBatch) -> pa.RecordBatch:
    ctx.stats.rows += db.num_rows
    ctx.stats.submissions += db.num_rows
    column = db.column
    arrays = [
        column("id"),
        column("item_id"),
        column("external_id"),
        _annotators(ctx, column("expert_id")),
        column("response"),
        _names(column("status"), STATUS),
        column("counted"),
        column("late"),
        column("active_seconds"),
        # naive UTC from the database: casting only labels the zone, the values stay
        column("created_at").cast(UTC_TS),
        _names(column("verdict"), VERDICT),
        _json_lists(column("reasons")),
        _json_texts(column("edited_values")),
        column("reviewed_at").cast(UTC_TS),
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=SCHEMA)


def _annotators(ctx: ExportContext, experts: pa.Array) -> pa.Array:
    """Pseudonyms: one HMAC per distinct expert of the batch, then a vectorised lookup."""
    distinct = pc.unique(experts)
    ids = distinct.to_pylist()
    ctx.stats.annotators.update(ids)
    names = pa.array([ctx.annotator(e) for e in ids], pa.string())
    return pc.take(names, pc.index_in(experts, value_set=distinct))


def _names(values: pa.Array, names: dict[str, str]) -> pa.Array:
    """Enum member NAMES (as stored) to their values, as the API shows them; others kept."""
    keys = pa.array(list(names), pa.string())
    labels = pa.array(list(names.values()), pa.string())
    return pc.coalesce(pc.take(labels, pc.index_in(values, value_set=keys)), values)


def _json_lists(texts: pa.Array) -> pa.Array:
    """JSON arrays of strings (text) to list<string>, parsed by pyarrow's JSON reader."""
    present = pc.drop_null(texts)
    if not len(present):
        return pa.nulls(len(texts), REASONS)
    lines = pc.binary_join_element_wise('{"v":', present, "}\n", "")
    whole = pa.ListArray.from_arrays(pa.array([0, len(lines)], pa.int32()), lines)
    document = pc.binary_join(whole, "")[0].as_buffer()
    schema = pa.schema([("v", REASONS)])
    options = pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error")
    read = pajson.ReadOptions(use_threads=False)  # a few hundred lines: no thread pool
    parsed = pajson.read_json(pa.BufferReader(document), read_options=read, parse_options=options)
    return _spread(parsed.column("v").combine_chunks(), pc.is_valid(texts))


def _json_texts(texts: pa.Array) -> pa.Array:
    """JSON text as Python's json.dumps spells it (numbers, non-ASCII); JSON null is null.

    Only fixes carry edited values (a review sample at most), so the few present are
    re-encoded in Python: the database's own JSON spelling differs from json.dumps.
    """
    texts = pc.if_else(pc.equal(texts, "null"), pa.scalar(None, pa.string()), texts)
    present = pc.drop_null(texts).to_pylist()
    encoded = pa.array([json.dumps(json.loads(text)) for text in present], pa.string())
    return _spread(encoded, pc.is_valid(texts))


def _spread(values: pa.Array, valid: pa.Array) -> pa.Array:
    """`values` placed at the true positions of `valid`, nulls elsewhere."""
    position = pc.subtract(pc.cumulative_sum(valid.cast(pa.int64())), 1)
    return pc.take(values, pc.if_else(valid, position, pa.scalar(None, pa.int64())))
