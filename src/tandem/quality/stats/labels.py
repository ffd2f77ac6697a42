"""Label aggregation (truth inference): majority vote, Wawa, Dawid-Skene, GLAD, MACE, auto.

Every method takes integer-coded `Labels` and returns an `Aggregation`: the inferred
class per item, its confidence, the class probabilities and each worker's consensus
accuracy. Rules that apply to all of them:

* Repeated (item, worker) labels: the last one counts (`keep_last`); earlier ones are
  treated as corrections by the same person, not as extra votes.
* Ties: a tied item takes the tied class that is more common over the whole data set,
  then the class seen first in the input. Codes are numbered by first appearance, so
  renaming the labels never changes an answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tandem.quality.stats.encoding import FloatArray, IntArray, Labels, keep_last

METHODS = ("mv", "wawa", "ds", "one-coin", "glad", "mace", "auto")


@dataclass(frozen=True)
class Aggregation:
    """Inferred answers: one row per item, one skill per worker."""

    label: IntArray
    confidence: FloatArray
    probs: FloatArray
    worker_accuracy: FloatArray
    method: str
    iterations: int = 0
    log_likelihood: float | None = None


def class_rank(data: Labels) -> IntArray:
    """Tie-break rank per class: more labels overall first, then first seen (0 is best)."""
    totals = np.bincount(data.label, minlength=data.n_classes)
    order = np.lexsort((np.arange(data.n_classes), -totals))
    rank = np.empty(data.n_classes, dtype=np.int64)
    rank[order] = np.arange(data.n_classes)
    return rank


def pick(scores: FloatArray, rank: IntArray, rtol: float = 1e-9) -> IntArray:
    """Row-wise argmax of `scores`; classes within `rtol` of the best tie, broken by `rank`."""
    best = scores.max(axis=1, keepdims=True)
    tied = scores >= best - rtol * np.maximum(np.abs(best), 1e-300)
    penalty = np.where(tied, rank[np.newaxis, :], np.iinfo(np.int64).max)
    return np.asarray(penalty.argmin(axis=1), dtype=np.int64)


def consensus_accuracy(data: Labels, probs: FloatArray) -> FloatArray:
    """Per worker: the mean probability that their labels are the true class."""
    hit = probs[data.item, data.label]
    given = np.bincount(data.worker, minlength=data.n_workers).astype(np.float64)
    agreed = np.bincount(data.worker, weights=hit, minlength=data.n_workers)
    return np.divide(agreed, given, out=np.full(data.n_workers, np.nan), where=given > 0)


def _weighted_vote(data: Labels, weights: FloatArray, method: str) -> Aggregation:
    flat = np.bincount(
        data.item * data.n_classes + data.label,
        weights=weights,
        minlength=data.n_items * data.n_classes,
    )
    scores = np.asarray(flat, dtype=np.float64).reshape(data.n_items, data.n_classes)
    totals = scores.sum(axis=1, keepdims=True)
    probs = np.divide(scores, totals, out=np.zeros_like(scores), where=totals > 0)
    label = pick(scores, class_rank(data))
    hard = np.zeros_like(probs)
    hard[np.arange(data.n_items), label] = 1.0
    return Aggregation(
        label=label,
        confidence=probs[np.arange(data.n_items), label],
        probs=probs,
        worker_accuracy=consensus_accuracy(data, hard),
        method=method,
    )


def majority_vote(data: Labels) -> Aggregation:
    """The most common label per item; confidence is its share of the votes."""
    data = keep_last(data)
    return _weighted_vote(data, np.ones(data.size), "mv")


def wawa(data: Labels) -> Aggregation:
    """Worker Agreement With Aggregate: a vote weighted by each worker's agreement with MV."""
    data = keep_last(data)
    mv = _weighted_vote(data, np.ones(data.size), "mv")
    skill = np.nan_to_num(mv.worker_accuracy, nan=0.0)
    # a worker who never agrees with the majority still gets a sliver of weight
    weights = np.maximum(skill[data.worker], 1e-6)
    return _weighted_vote(data, weights, "wawa")


def aggregate(data: Labels, method: str = "auto") -> Aggregation:
    """Run one of METHODS on the labels."""
    from tandem.quality.stats import dawid_skene, glad, mace

    runners: dict[str, Callable[[Labels], Aggregation]] = {
        "mv": majority_vote,
        "wawa": wawa,
        "ds": dawid_skene.dawid_skene,
        "one-coin": dawid_skene.one_coin,
        "glad": glad.glad,
        "mace": mace.mace,
        "auto": auto,
    }
    if method not in runners:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    if method not in ("mv", "wawa") and not _has_overlap(data):
        # reliability is learnt from overlap only; without it a model just drifts
        return majority_vote(data)
    return runners[method](data)


def _has_overlap(data: Labels) -> bool:
    per_item = np.bincount(keep_last(data).item, minlength=data.n_items)
    return bool(per_item.max(initial=0) >= 2)


def choose_method(data: Labels) -> str:
    """The `auto` rule: the admissible model with the best BIC (see selection.py)."""
    from tandem.quality.stats.selection import select

    return select(data).method


def auto(data: Labels) -> Aggregation:
    """Aggregate with the model the `auto` rule picks; the result names that model."""
    from tandem.quality.stats.selection import select

    result = select(data)
    return Aggregation(
        label=result.label,
        confidence=result.confidence,
        probs=result.probs,
        worker_accuracy=result.worker_accuracy,
        method=f"auto:{result.method}",
        iterations=result.iterations,
        log_likelihood=result.log_likelihood,
    )
