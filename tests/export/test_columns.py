"""Joins beside the database: the latest review merged onto submissions, external ids."""

from __future__ import annotations

from itertools import pairwise

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.export.columns import ExternalIds, LatestReviews

SUBMISSIONS = pa.schema([("id", pa.int64()), ("item_id", pa.int64())])
REVIEWS = pa.schema([("submission_id", pa.int64()), ("verdict", pa.string())])
MERGED = pa.schema([("id", pa.int64()), ("item_id", pa.int64()), ("verdict", pa.string())])


def _batches(
    ids: list[int], cuts: list[int], schema: pa.Schema, value: str
) -> list[pa.RecordBatch]:
    """`ids` cut into batches at `cuts`; the second column derived from each id."""
    bounds = [0, *sorted({c for c in cuts if 0 < c < len(ids)}), len(ids)]
    out = []
    for lo, hi in pairwise(bounds):
        part = ids[lo:hi]
        second = [n * 10 for n in part] if value == "item" else [f"v{n}" for n in part]
        out.append(
            pa.RecordBatch.from_arrays(
                [pa.array(part, pa.int64()), pa.array(second)], schema=schema
            )
        )
    return out


@settings(deadline=None)  # the first example pays for importing pyarrow.compute
@given(
    ids=st.lists(st.integers(1, 500), unique=True).map(sorted),
    reviewed=st.sets(st.integers(1, 600)),
    submission_cuts=st.lists(st.integers(0, 100), max_size=6),
    review_cuts=st.lists(st.integers(0, 100), max_size=6),
)
def test_each_submission_gets_its_review_however_the_batches_fall(
    ids: list[int], reviewed: set[int], submission_cuts: list[int], review_cuts: list[int]
) -> None:
    # reviews may belong to submissions that are filtered out, or come after the last one
    review_ids = sorted(reviewed)
    reviews = LatestReviews(_batches(review_ids, review_cuts, REVIEWS, "verdict"), REVIEWS)
    subs = _batches(ids, submission_cuts, SUBMISSIONS, "item")
    rows = [r for b in reviews.merged(subs, MERGED) for r in b.to_pylist()]
    assert rows == [
        {"id": n, "item_id": n * 10, "verdict": f"v{n}" if n in reviewed else None} for n in ids
    ]


def test_an_empty_batch_passes_through_with_empty_review_columns() -> None:
    reviews = LatestReviews(_batches([1, 2], [], REVIEWS, "verdict"), REVIEWS)
    empty = SUBMISSIONS.empty_table().to_batches() or [pa.RecordBatch.from_pylist([], SUBMISSIONS)]
    (batch,) = list(reviews.merged(empty, MERGED))
    assert batch.num_rows == 0 and batch.schema == MERGED


def test_external_ids_sit_beside_item_ids() -> None:
    items = pa.table({"id": pa.array([3, 7, 9], pa.int64()), "external_id": ["c", None, "i"]})
    schema = pa.schema([("id", pa.int64()), ("item_id", pa.int64()), ("external_id", pa.string())])
    batch = pa.RecordBatch.from_pylist(
        [{"id": 1, "item_id": 9}, {"id": 2, "item_id": 7}], SUBMISSIONS
    )
    assert ExternalIds(items, schema).added_to(batch).to_pylist() == [
        {"id": 1, "item_id": 9, "external_id": "i"},
        {"id": 2, "item_id": 7, "external_id": None},
    ]


def test_an_item_missing_from_the_items_is_an_error_not_a_wrong_name() -> None:
    items = pa.table({"id": pa.array([3], pa.int64()), "external_id": ["c"]})
    schema = pa.schema([("id", pa.int64()), ("item_id", pa.int64()), ("external_id", pa.string())])
    batch = pa.RecordBatch.from_pylist([{"id": 1, "item_id": 4}], SUBMISSIONS)
    with pytest.raises(LookupError, match="item is missing"):
        ExternalIds(items, schema).added_to(batch)
