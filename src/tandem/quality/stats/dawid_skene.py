"""Dawid-Skene by EM: full confusion matrices per worker, and the one-coin variant.

Both steps are one sparse matrix product each. `M` is the (worker x observed label) by
item count matrix, so with T the item-by-class posterior:

* M-step: counts[w, l, k] = (M @ T)[w*K + l, k], smoothed with `smoothing` pseudo-counts
  (the same on every cell) and normalised over l;
* E-step: log T = log prior + M.T @ log confusion, normalised with logsumexp.

EM starts from the majority-vote shares and stops when the mean log-likelihood per label
changes by less than `tol`, or after `max_iter` rounds.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.special import logsumexp

from tandem.quality.stats.encoding import FloatArray, Labels, keep_last
from tandem.quality.stats.labels import Aggregation, class_rank, consensus_accuracy, pick


def _vote_shares(data: Labels) -> FloatArray:
    counts = data.counts()
    return counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)


def _normalise(log_post: FloatArray) -> tuple[FloatArray, float]:
    norm = logsumexp(log_post, axis=1, keepdims=True)
    return np.exp(log_post - norm), float(norm.sum())


def _result(data: Labels, post: FloatArray, method: str, it: int, ll: float) -> Aggregation:
    label = pick(post, class_rank(data))
    return Aggregation(
        label=label,
        confidence=post[np.arange(data.n_items), label],
        probs=post,
        worker_accuracy=consensus_accuracy(data, post),
        method=method,
        iterations=it,
        log_likelihood=ll,
    )


def _count_matrix(data: Labels) -> sp.csr_matrix:
    rows = data.worker * data.n_classes + data.label
    shape = (data.n_workers * data.n_classes, data.n_items)
    ones = np.ones(data.size)
    return sp.csr_matrix((ones, (rows, data.item)), shape=shape)


def dawid_skene(
    data: Labels, *, max_iter: int = 100, tol: float = 1e-5, smoothing: float = 0.01
) -> Aggregation:
    """Full Dawid-Skene: a K x K confusion matrix per worker, fit by EM."""
    data = keep_last(data)
    k = data.n_classes
    m = _count_matrix(data)
    mt = m.T.tocsr()
    post = _vote_shares(data)
    ll_prev, ll, it = -np.inf, -np.inf, 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        prior = (post.sum(axis=0) + smoothing) / (data.n_items + k * smoothing)
        counts = np.asarray(m @ post).reshape(data.n_workers, k, k) + smoothing
        confusion = counts / counts.sum(axis=1, keepdims=True)  # normalise over observed
        log_conf = np.log(confusion).reshape(data.n_workers * k, k)
        post, ll = _normalise(np.asarray(mt @ log_conf) + np.log(prior))
        if abs(ll - ll_prev) < tol * max(data.size, 1):
            break
        ll_prev = ll
    return _result(data, post, "ds", it, ll)


def one_coin(
    data: Labels, *, max_iter: int = 100, tol: float = 1e-5, smoothing: float = 0.5
) -> Aggregation:
    """One-coin Dawid-Skene: each worker is right with probability p_w, else uniform."""
    data = keep_last(data)
    k = data.n_classes
    given = np.bincount(data.worker, minlength=data.n_workers).astype(np.float64)
    cell = data.item * k + data.label
    post = _vote_shares(data)
    ll_prev, ll, it = -np.inf, -np.inf, 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        prior = (post.sum(axis=0) + smoothing) / (data.n_items + k * smoothing)
        hits = np.bincount(data.worker, weights=post[data.item, data.label], minlength=len(given))
        # Beta(1 + smoothing, smoothing) keeps p strictly inside (0, 1) but leaning right
        p = (hits + smoothing + 1.0) / (given + 2.0 * smoothing + 1.0)
        log_right, log_wrong = np.log(p), np.log((1.0 - p) / max(k - 1, 1))
        base = np.bincount(data.item, weights=log_wrong[data.worker], minlength=data.n_items)
        lift = np.bincount(
            cell, weights=(log_right - log_wrong)[data.worker], minlength=data.n_items * k
        )
        log_post = base[:, np.newaxis] + lift.reshape(data.n_items, k) + np.log(prior)
        post, ll = _normalise(log_post)
        if abs(ll - ll_prev) < tol * max(data.size, 1):
            break
        ll_prev = ll
    return _result(data, post, "one-coin", it, ll)
