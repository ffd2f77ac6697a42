"""GLAD (Whitehill et al. 2009): worker ability times item easiness.

A worker w labels item i correctly with probability sigmoid(alpha_w * beta_i), beta_i =
exp(b_i) > 0, and otherwise picks one of the K-1 wrong classes uniformly. The marginal
log-likelihood (true class summed out) plus Gaussian priors alpha ~ N(1, 1), b ~ N(0, 1)
and the class prior is maximised directly with L-BFGS. Its gradient is the EM gradient
(Fisher's identity): every evaluation is one E-step of bincounts, no loop over items.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_softmax, logsumexp

from tandem.quality.stats.encoding import FloatArray, Labels, keep_last
from tandem.quality.stats.labels import Aggregation, class_rank, consensus_accuracy, pick


def _posterior(
    data: Labels, alpha: FloatArray, b: FloatArray, logits: FloatArray
) -> tuple[FloatArray, FloatArray, float]:
    k = data.n_classes
    x = alpha[data.worker] * np.exp(b[data.item])
    log_right = -np.logaddexp(0.0, -x)
    log_wrong = -np.logaddexp(0.0, x) - np.log(max(k - 1, 1))
    base = np.bincount(data.item, weights=log_wrong, minlength=data.n_items)
    lift = np.bincount(
        data.item * k + data.label, weights=log_right - log_wrong, minlength=data.n_items * k
    )
    log_post = base[:, np.newaxis] + lift.reshape(data.n_items, k) + log_softmax(logits)
    norm = logsumexp(log_post, axis=1, keepdims=True)
    return np.exp(log_post - norm), x, float(norm.sum())


def _objective(theta: FloatArray, data: Labels) -> tuple[float, FloatArray]:
    w, n = data.n_workers, data.n_items
    alpha, b, logits = theta[:w], theta[w : w + n], theta[w + n :]
    post, x, ll = _posterior(data, alpha, b, logits)
    # d log p(label) / dx = P(label is right) - sigmoid(x)
    resid = post[data.item, data.label] - 1.0 / (1.0 + np.exp(-x))
    grad_alpha = np.bincount(data.worker, weights=resid * np.exp(b[data.item]), minlength=w)
    grad_b = np.bincount(data.item, weights=resid * x, minlength=n)
    grad_logits = post.sum(axis=0) - n * np.exp(log_softmax(logits))
    value = ll - 0.5 * np.sum((alpha - 1.0) ** 2) - 0.5 * np.sum(b**2)
    grad = np.concatenate([grad_alpha - (alpha - 1.0), grad_b - b, grad_logits])
    return -value, -grad


def glad(data: Labels, *, max_iter: int = 200, tol: float = 1e-7) -> Aggregation:
    """GLAD fit by L-BFGS on the marginal likelihood; starts where it equals majority vote."""
    data = keep_last(data)
    shares = data.counts().sum(axis=0) + 1.0
    start = np.concatenate(
        [np.ones(data.n_workers), np.zeros(data.n_items), np.log(shares / shares.sum())]
    )
    fit = minimize(
        _objective,
        start,
        args=(data,),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter, "ftol": tol},
    )
    w, n = data.n_workers, data.n_items
    post, _, ll = _posterior(data, fit.x[:w], fit.x[w : w + n], fit.x[w + n :])
    label = pick(post, class_rank(data))
    return Aggregation(
        label=label,
        confidence=post[np.arange(n), label],
        probs=post,
        worker_accuracy=consensus_accuracy(data, post),
        method="glad",
        iterations=int(fit.nit),
        log_likelihood=ll,
    )
