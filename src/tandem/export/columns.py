"""Joins done beside the database, on Arrow batches: cheaper there than in SQL for exports.

A join in the query costs the database a probe (or a merge step) per submission; the
columns it would add are few and small, so they are looked up here, a batch at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import pyarrow as pa


def _positions(keys: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of `wanted` sits in the sorted `keys`, and whether it is there at all."""
    where = np.searchsorted(keys, wanted)
    if not len(keys):
        return where, np.zeros(len(wanted), dtype=bool)
    found = keys[np.minimum(where, len(keys) - 1)] == wanted
    return where, found


class ExternalIds:
    """Items' external ids by item id (sorted), put beside each batch's item_id."""

    def __init__(self, items: pa.Table, schema: pa.Schema) -> None:
        self._ids = items.column("id").to_numpy()
        self._names = items.column("external_id").combine_chunks()
        self._schema = schema
        self._seen = np.zeros(len(self._ids), dtype=bool)

    @property
    def seen(self) -> int:
        """How many distinct items the batches so far belonged to."""
        return int(self._seen.sum())

    def added_to(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """`batch` with the column external_id after item_id, as `schema` orders them."""
        where, found = _positions(self._ids, batch.column("item_id").to_numpy())
        if not found.all():
            # items and submissions are read under one snapshot: a bug, never a race
            raise LookupError("a submission's item is missing from its project's items")
        self._seen[where] = True
        names = self._names.take(pa.array(where))
        columns = [*batch.columns[:2], names, *batch.columns[2:]]
        return pa.RecordBatch.from_arrays(columns, schema=self._schema)


class LatestReviews:
    """Each submission's latest review, merged onto submissions that come in id order.

    Reviews come as their own stream, ordered by submission id; only the reviews up to the
    current batch's last submission are held, so memory stays one batch deep.
    """

    def __init__(self, reviews: Iterable[pa.RecordBatch], schema: pa.Schema) -> None:
        self._stream = iter(reviews)
        self._schema = schema  # submission_id first, then the review's columns
        self._held = schema.empty_table()
        self._ended = False

    def merged(
        self, submissions: Iterable[pa.RecordBatch], schema: pa.Schema
    ) -> Iterator[pa.RecordBatch]:
        """Batches of `schema`: each submissions batch with its review columns after it."""
        for batch in submissions:
            reviews = self._upto(batch.column("id")[-1].as_py()) if batch.num_rows else None
            columns = [*batch.columns, *self._beside(batch, reviews)]
            yield pa.RecordBatch.from_arrays(columns, schema=schema)

    def _upto(self, last: int) -> pa.Table:
        """The held reviews of submissions up to `last`, reading on as far as needed."""
        while not self._ended and (not self._held.num_rows or self._last_held() < last):
            batch = next(self._stream, None)
            if batch is None:
                self._ended = True
            else:
                self._held = pa.concat_tables([self._held, pa.Table.from_batches([batch])])
        ids = self._held.column("submission_id").to_numpy()
        cut = int(np.searchsorted(ids, last, side="right"))
        mine, self._held = self._held.slice(0, cut), self._held.slice(cut)
        return mine.combine_chunks()

    def _last_held(self) -> int:
        return int(self._held.column("submission_id")[-1].as_py())

    def _beside(self, batch: pa.RecordBatch, reviews: pa.Table | None) -> list[pa.Array]:
        fields = self._schema.names[1:]
        if reviews is None or not reviews.num_rows:
            return [pa.nulls(batch.num_rows, self._schema.field(n).type) for n in fields]
        keys = reviews.column("submission_id").to_numpy()
        where, found = _positions(keys, batch.column("id").to_numpy())
        index = pa.array(np.minimum(where, len(keys) - 1), mask=~found)
        return [reviews.column(name).combine_chunks().take(index) for name in fields]
