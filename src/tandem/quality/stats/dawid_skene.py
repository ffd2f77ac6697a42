"""Dawid-Skene by EM: full confusion matrices per worker, and the one-coin variant.

Both steps are one sparse matrix product each. `M` is the (worker x observed label) by
item count matrix, so with T the item-by-class posterior:

* M-step: counts[w, l, k] = (M @ T)[w*K + l, k], plus `smoothing` pseudo-counts on every
  cell and `diagonal` more on l = k (a Dirichlet prior saying a worker is more often right
  than wrong, which keeps EM from swapping classes on sparse data), normalised over l;
* E-step: log T = log prior + M.T @ log confusion, normalised row by row.

EM starts from the majority-vote shares and stops when the mean log-likelihood per label
changes by less than `tol`, or after `max_iter` rounds.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from tandem.quality.stats.encoding import FloatArray, Labels, keep_last
from tandem.quality.stats.labels import Aggregation, class_rank, consensus_accuracy, pick


def _vote_shares(data: Labels) -> FloatArray:
    counts = data.counts()
    return counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)


def _normalise(log_post: FloatArray) -> tuple[FloatArray, float]:
    """Row-wise softmax in place and the summed log-normaliser (a lean logsumexp)."""
    top = log_post.max(axis=1, keepdims=True)
    log_post -= top
    np.exp(log_post, out=log_post)
    total = log_post.sum(axis=1, keepdims=True)
    log_post /= total
    return log_post, float(np.log(total).sum() + top.sum())


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
    """Items x (worker*K + label) counts, built straight into CSR arrays (M is its .T)."""
    cols = (data.worker * data.n_classes + data.label).astype(np.int32)
    if np.any(data.item[1:] < data.item[:-1]):
        order = np.argsort(data.item, kind="stable")
        cols = cols[order]
    indptr = np.zeros(data.n_items + 1, dtype=np.int64)
    np.cumsum(np.bincount(data.item, minlength=data.n_items), out=indptr[1:])
    shape = (data.n_items, data.n_workers * data.n_classes)
    return sp.csr_matrix((np.ones(data.size), cols, indptr), shape=shape)


def dawid_skene(
    data: Labels,
    *,
    max_iter: int = 100,
    tol: float = 1e-5,
    smoothing: float = 0.001,
    diagonal: float = 1.0,
) -> Aggregation:
    """Full Dawid-Skene: a K x K confusion matrix per worker, fit by EM."""
    data = keep_last(data)
    k = data.n_classes
    mt = _count_matrix(data)
    m = mt.T  # CSC: the M-step scatters items into a small (worker*K, K) block
    post = _vote_shares(data)
    ll_prev, ll, it = -np.inf, -np.inf, 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        prior = (post.sum(axis=0) + smoothing) / (data.n_items + k * smoothing)
        counts = np.asarray(m @ post).reshape(data.n_workers, k, k) + smoothing
        counts += diagonal * np.eye(k)  # a priori a worker is better than chance
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
    prior = np.full(k, 1.0 / k)  # uniform, as for GLAD and MACE (see docs/quality.md)
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
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
