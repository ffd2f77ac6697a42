"""Ratings and rubric scores with per-annotator bias correction.

Model: rating[i, w] = mean[i] + bias[w] + noise. Alternating least squares, with each
bias shrunk towards 0 by `shrinkage` pseudo-ratings (so a worker with few ratings keeps
a small bias) and biases centred so the item means stay on the rating scale. A rubric is
one such fit per criterion. Repeated (item, worker) ratings: the last one counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tandem.quality.stats.encoding import FloatArray, IntArray


@dataclass(frozen=True)
class RatingFit:
    """Bias-corrected item means, their standard errors, and each worker's bias."""

    mean: FloatArray
    stderr: FloatArray
    bias: FloatArray
    count: IntArray


def _last_only(item: IntArray, worker: IntArray, n_workers: int) -> IntArray:
    key = item * n_workers + worker
    _, from_end = np.unique(key[::-1], return_index=True)
    return np.sort(len(key) - 1 - from_end)


def aggregate_ratings(
    item: IntArray,
    worker: IntArray,
    rating: FloatArray,
    n_items: int,
    n_workers: int,
    *,
    shrinkage: float = 2.0,
    max_iter: int = 100,
    tol: float = 1e-8,
) -> RatingFit:
    """Bias-corrected mean rating per item (NaN for items without ratings)."""
    keep = _last_only(np.asarray(item), np.asarray(worker), n_workers)
    item, worker = np.asarray(item)[keep], np.asarray(worker)[keep]
    rating = np.asarray(rating, dtype=np.float64)[keep]
    n_i = np.bincount(item, minlength=n_items).astype(np.float64)
    n_w = np.bincount(worker, minlength=n_workers).astype(np.float64)
    bias = np.zeros(n_workers)
    mean = np.zeros(n_items)
    for _ in range(max_iter):
        resid = rating - bias[worker]
        mean = np.divide(
            np.bincount(item, resid, n_items), n_i, out=np.full(n_items, np.nan), where=n_i > 0
        )
        new_bias = np.bincount(worker, rating - mean[item], n_workers) / (n_w + shrinkage)
        new_bias -= np.average(new_bias, weights=n_w) if n_w.sum() else 0.0
        done = np.abs(new_bias - bias).max(initial=0.0) < tol
        bias = new_bias
        if done:
            break
    resid = rating - mean[item] - bias[worker]
    dof = max(len(rating) - int(np.count_nonzero(n_i)) - int(np.count_nonzero(n_w)), 1)
    sigma2 = float(resid @ resid) / dof
    stderr = np.sqrt(np.divide(sigma2, n_i, out=np.full(n_items, np.nan), where=n_i > 0))
    return RatingFit(mean, stderr, bias, n_i.astype(np.int64))
