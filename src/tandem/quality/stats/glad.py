"""GLAD (Whitehill et al. 2009): worker ability times item easiness.

A worker w labels item i correctly with probability sigmoid(alpha_w * beta_i), beta_i =
exp(b_i) > 0, and otherwise picks one of the K-1 wrong classes uniformly, with priors
alpha ~ N(1, 1) and b ~ N(0, 1). Fit by generalised EM: the E-step is the posterior over
true classes; the M-step takes one Fisher-scoring step for all alphas, then one for all
b's, on the expected complete log-likelihood. True classes are uniform a priori (a
learnt class prior lets symmetric-error models collapse onto a frequent class: on
`relevance` it halves the accuracy). Both are bincounts, so an iteration costs
a few passes over the labels and no dense optimiser state.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tandem.quality.stats.encoding import FloatArray, Labels, keep_last
from tandem.quality.stats.labels import Aggregation, class_rank, consensus_accuracy, pick

STEP = 2.0  # largest change of one parameter per iteration, for stability


def _posterior(data: Labels, x: FloatArray, log_prior: FloatArray) -> tuple[FloatArray, float]:
    k = data.n_classes
    log_right = -np.logaddexp(0.0, -x)
    log_wrong = -np.logaddexp(0.0, x) - np.log(max(k - 1, 1))
    base = np.bincount(data.item, weights=log_wrong, minlength=data.n_items)
    lift = np.bincount(
        data.item * k + data.label, weights=log_right - log_wrong, minlength=data.n_items * k
    )
    log_post = base[:, np.newaxis] + lift.reshape(data.n_items, k) + log_prior
    top = log_post.max(axis=1, keepdims=True)
    post = np.exp(log_post - top)
    total = post.sum(axis=1, keepdims=True)
    return post / total, float(np.log(total).sum() + top.sum())


def _scoring_step(grad: FloatArray, info: npt.ArrayLike) -> FloatArray:
    return np.asarray(np.clip(grad / np.asarray(info), -STEP, STEP), dtype=np.float64)


def glad(data: Labels, *, max_iter: int = 100, tol: float = 1e-5) -> Aggregation:
    """GLAD by generalised EM; starts at alpha = 1, b = 0 (a vote with equal weights)."""
    data = keep_last(data)
    w, n = data.n_workers, data.n_items
    alpha, b = np.ones(w), np.zeros(n)
    log_prior = np.full(data.n_classes, -np.log(data.n_classes))
    ll_prev, ll, it = -np.inf, -np.inf, 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        beta = np.exp(b[data.item])
        x = alpha[data.worker] * beta
        post, ll = _posterior(data, x, log_prior)
        ll -= 0.5 * float(np.sum((alpha - 1.0) ** 2) + np.sum(b**2))
        if abs(ll - ll_prev) < tol * max(data.size, 1):
            break
        ll_prev = ll
        right = post[data.item, data.label]
        sig = 1.0 / (1.0 + np.exp(-x))
        resid, curve = right - sig, sig * (1.0 - sig)
        grad_a = np.bincount(data.worker, resid * beta, w) - (alpha - 1.0)
        alpha = alpha + _scoring_step(grad_a, np.bincount(data.worker, curve * beta**2, w) + 1.0)
        x = alpha[data.worker] * beta
        sig = 1.0 / (1.0 + np.exp(-x))
        resid, curve = right - sig, sig * (1.0 - sig)
        grad_b = np.bincount(data.item, resid * x, n) - b
        b = b + _scoring_step(grad_b, np.bincount(data.item, curve * x**2, n) + 1.0)
    label = pick(post, class_rank(data))
    return Aggregation(
        label=label,
        confidence=post[np.arange(n), label],
        probs=post,
        worker_accuracy=consensus_accuracy(data, post),
        method="glad",
        iterations=it,
        log_likelihood=ll,
    )
