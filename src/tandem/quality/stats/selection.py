"""The `auto` method: pick a fitted model by BIC among the fits that still mean "truth".

Candidates are the models with a fixed number of parameters per worker, so that an
information criterion is meaningful (GLAD has one parameter per item and is left out):

| model | free parameters |
|---|---|
| one-coin | W (one accuracy per worker; uniform class prior) |
| mace | W * K (knowledge theta_w plus K - 1 spamming shares) |
| ds | W * K * (K - 1) + K - 1 (a confusion matrix per worker plus the class prior) |

BIC = log-likelihood - (parameters / 2) * log(items): items are the independent
observations of a latent class model (each item's labels come from one hidden class), as
in poLCA. A fit is **admissible** only when every class it infers is, on average, the
answer labellers give most often for items of that class; otherwise EM has turned a
class into a cluster of some other structure (on fact_eval full DS gives 13% of the
items a class that labellers used for 0.1% of their labels) and its "truth" is no
longer the label. The ground truth is never read.
"""

from __future__ import annotations

import numpy as np

from tandem.quality.stats.encoding import IntArray, Labels, keep_last
from tandem.quality.stats.labels import Aggregation, majority_vote

CANDIDATES = ("one-coin", "mace", "ds")  # simplest first: ties keep the simpler model


def n_parameters(method: str, data: Labels) -> int:
    """Free parameters of a candidate model on this data."""
    w, k = data.n_workers, data.n_classes
    counts = {"one-coin": w, "mace": w * k, "ds": w * k * (k - 1) + k - 1}
    return counts[method]


def bic(result: Aggregation, data: Labels) -> float:
    """Schwarz's criterion on the marginal log-likelihood; larger is better."""
    ll = result.log_likelihood if result.log_likelihood is not None else -np.inf
    penalty = 0.5 * n_parameters(result.method, data) * np.log(max(data.n_items, 1))
    return float(ll - penalty)


def admissible(data: Labels, label: IntArray) -> bool:
    """True when each class the fit answers with is the label most given to its items."""
    k = data.n_classes
    given = np.bincount(label[data.item] * k + data.label, minlength=k * k).reshape(k, k)
    answered = given.sum(axis=1) > 0  # rows: the inferred class, columns: labels given
    return bool(np.all(given.argmax(axis=1)[answered] == np.arange(k)[answered]))


def select(data: Labels) -> Aggregation:
    """Fit the candidates and return the admissible one with the best BIC (see module)."""
    from tandem.quality.stats.labels import aggregate

    data = keep_last(data)
    if data.size < 2.5 * data.n_items:
        # with two votes or fewer per item no model can tell a good worker from a bad one
        return majority_vote(data)
    fits = [aggregate(data, method) for method in CANDIDATES]
    valid = [fit for fit in fits if admissible(data, fit.label)]
    if not valid:
        return majority_vote(data)
    return max(valid, key=lambda fit: bic(fit, data))  # max keeps the first (simplest) tie
