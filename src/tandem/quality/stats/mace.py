"""MACE (Hovy et al. 2013): each worker either knows the answer or spams.

Worker w knows with probability theta_w and then gives the true class; otherwise they
draw from their own spamming strategy xi_w over the K classes. So
P(label l | truth k) = theta_w [l = k] + (1 - theta_w) xi_w[l]. True classes are uniform a
priori, as in MACE. Fit by EM with Beta(0.5, 0.5) and Dirichlet(1) pseudo-counts,
starting from theta = 0.5 and uniform strategies (the first E-step is a majority vote).
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from tandem.quality.stats.encoding import FloatArray, Labels, keep_last
from tandem.quality.stats.labels import Aggregation, class_rank, consensus_accuracy, pick


def _e_step(
    data: Labels, theta: FloatArray, xi: FloatArray
) -> tuple[FloatArray, FloatArray, float]:
    k = data.n_classes
    spam = (1.0 - theta[data.worker]) * xi[data.worker, data.label]
    knows = theta[data.worker] + spam
    base = np.bincount(data.item, weights=np.log(spam), minlength=data.n_items)
    lift = np.bincount(
        data.item * k + data.label,
        weights=np.log(knows) - np.log(spam),
        minlength=data.n_items * k,
    )
    log_post = base[:, np.newaxis] + lift.reshape(data.n_items, k) - np.log(k)
    norm = logsumexp(log_post, axis=1, keepdims=True)
    post = np.exp(log_post - norm)
    # P(the worker knew | their label, the item's posterior)
    knew = post[data.item, data.label] * theta[data.worker] / knows
    return post, knew, float(norm.sum())


def mace(data: Labels, *, max_iter: int = 100, tol: float = 1e-5) -> Aggregation:
    """MACE by EM; worker accuracy is reported against the posterior, as for every method."""
    data = keep_last(data)
    k, w = data.n_classes, data.n_workers
    given = np.bincount(data.worker, minlength=w).astype(np.float64)
    theta = np.full(w, 0.5)
    xi = np.full((w, k), 1.0 / k)
    ll_prev, ll, it = -np.inf, -np.inf, 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        post, knew, ll = _e_step(data, theta, xi)
        if abs(ll - ll_prev) < tol * max(data.size, 1):
            break
        ll_prev = ll
        theta = (np.bincount(data.worker, weights=knew, minlength=w) + 0.5) / (given + 1.0)
        spam = np.bincount(data.worker * k + data.label, weights=1.0 - knew, minlength=w * k)
        strategy = spam.reshape(w, k) + 1.0
        xi = strategy / strategy.sum(axis=1, keepdims=True)
    label = pick(post, class_rank(data))
    return Aggregation(
        label=label,
        confidence=post[np.arange(data.n_items), label],
        probs=post,
        worker_accuracy=consensus_accuracy(data, post),
        method="mace",
        iterations=it,
        log_likelihood=ll,
    )
