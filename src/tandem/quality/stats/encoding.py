"""Integer coding of crowd labels: (item, worker, label) rows as three int64 arrays.

Every method in `tandem.quality.stats` works on a `Labels` value: codes are dense
(0..n-1), so per-item and per-worker sums are single `np.bincount` calls.

Codes are given in order of *first appearance* in the input, never by sorting names,
so every tie rule that prefers "the lower code" prefers the value seen first, and a
result never depends on what the labels happen to be called.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Labels:
    """Integer-coded labels: row r says worker[r] gave item[r] the label[r]."""

    item: IntArray
    worker: IntArray
    label: IntArray
    n_items: int
    n_workers: int
    n_classes: int

    def __post_init__(self) -> None:
        sizes = {len(self.item), len(self.worker), len(self.label)}
        if len(sizes) != 1:
            raise ValueError("item, worker and label must have the same length")
        for name, codes, bound in (
            ("item", self.item, self.n_items),
            ("worker", self.worker, self.n_workers),
            ("label", self.label, self.n_classes),
        ):
            if len(codes) and (codes.min() < 0 or codes.max() >= bound):
                raise ValueError(f"{name} codes must lie in 0..{bound - 1}")

    @property
    def size(self) -> int:
        """Number of labels."""
        return len(self.item)

    def counts(self) -> FloatArray:
        """Votes per item and class, shape (n_items, n_classes)."""
        flat = np.bincount(
            self.item * self.n_classes + self.label, minlength=self.n_items * self.n_classes
        )
        return flat.reshape(self.n_items, self.n_classes).astype(np.float64)


def first_seen_codes(values: Sequence[Any] | npt.NDArray[Any]) -> tuple[IntArray, list[Any]]:
    """Dense codes for `values`, numbered in order of first appearance, and the names."""
    array = np.asarray(values)
    if array.size == 0:
        return np.zeros(0, dtype=np.int64), []
    uniques, first, inverse = np.unique(array, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[inverse.reshape(-1)], [uniques[i].item() for i in order]


def encode(
    items: Sequence[Any] | npt.NDArray[Any],
    workers: Sequence[Any] | npt.NDArray[Any],
    labels: Sequence[Any] | npt.NDArray[Any],
) -> tuple[Labels, list[Any], list[Any], list[Any]]:
    """Code raw rows; returns the Labels and the item, worker and label names per code."""
    item, item_names = first_seen_codes(items)
    worker, worker_names = first_seen_codes(workers)
    label, label_names = first_seen_codes(labels)
    coded = Labels(item, worker, label, len(item_names), len(worker_names), len(label_names))
    return coded, item_names, worker_names, label_names


def keep_last(data: Labels) -> Labels:
    """Drop repeated (item, worker) rows: the last label a worker gave an item counts."""
    if data.size < 2:
        return data
    span = data.n_items * data.n_workers
    key = data.item * data.n_workers + data.worker
    if span < 2**31:  # half the memory for the sort on all but enormous inputs
        key = key.astype(np.int32)
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    # within a run of equal keys the stable sort keeps input order: the run's end is last
    last = np.empty(data.size, dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=last[:-1])
    last[-1] = True
    if last.all():
        return data
    keep = np.sort(order[last])
    return Labels(
        data.item[keep],
        data.worker[keep],
        data.label[keep],
        data.n_items,
        data.n_workers,
        data.n_classes,
    )
