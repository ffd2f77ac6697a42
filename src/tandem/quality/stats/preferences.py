"""Bradley-Terry with ties for pairwise preferences, and rankings turned into pairs.

Comparisons are collapsed to one row per unordered pair {a, b} with the wins of each
side, a tie counting half a win to each (as in Chatbot Arena). The log-likelihood
sum w_ab log sigmoid(s_a - s_b) is maximised by Newton-CG: the Hessian is a weighted
graph Laplacian, applied with two bincounts, so no matrix is ever formed. A tiny ridge
(1e-6 per item) pins the free shift, and scores are centred. Scores are reported on the
Elo scale: 1000 + 400 * log10(e) * s. Intervals are bootstrap quantiles (2.5%, 97.5%)
over comparisons resampled with replacement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from tandem.quality.stats.encoding import FloatArray, IntArray

ELO_SCALE = 400.0 / np.log(10.0)
ELO_BASE = 1000.0
RIDGE = 1e-6


@dataclass(frozen=True)
class Pairs:
    """Collapsed comparisons: `wins_a` + `wins_b` comparisons between a[j] < b[j]."""

    a: IntArray
    b: IntArray
    wins_a: FloatArray
    wins_b: FloatArray
    n_items: int


@dataclass(frozen=True)
class Ranking:
    """Bradley-Terry scores on the Elo scale with 95% bootstrap intervals (NaN if none)."""

    elo: FloatArray
    lower: FloatArray
    upper: FloatArray
    comparisons: IntArray


def collapse(left: IntArray, right: IntArray, outcome: FloatArray, n_items: int) -> Pairs:
    """One row per pair; `outcome` is 1 when left won, 0 when right won, 0.5 for a tie."""
    left, right = np.asarray(left, np.int64), np.asarray(right, np.int64)
    outcome = np.asarray(outcome, np.float64)
    if np.any(left == right):
        raise ValueError("an item cannot be compared with itself")
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    lo_won = np.where(left == lo, outcome, 1.0 - outcome)
    key, inverse = np.unique(lo * n_items + hi, return_inverse=True)
    wins_lo = np.bincount(inverse, weights=lo_won, minlength=len(key))
    total = np.bincount(inverse, minlength=len(key)).astype(np.float64)
    return Pairs(key // n_items, key % n_items, wins_lo, total - wins_lo, n_items)


def _neg_ll(s: FloatArray, p: Pairs) -> tuple[float, FloatArray]:
    d = s[p.a] - s[p.b]
    log_a, log_b = -np.logaddexp(0.0, -d), -np.logaddexp(0.0, d)
    value = float(p.wins_a @ log_a + p.wins_b @ log_b) - 0.5 * RIDGE * float(s @ s)
    # d/dd: wins_a * (1 - sigma) - wins_b * sigma = wins_a - total * sigma
    g = p.wins_a - (p.wins_a + p.wins_b) * np.exp(log_a)
    grad = np.bincount(p.a, g, p.n_items) - np.bincount(p.b, g, p.n_items) - RIDGE * s
    return -value, -grad


def _hessp(s: FloatArray, v: FloatArray, p: Pairs) -> FloatArray:
    d = s[p.a] - s[p.b]
    sig = 1.0 / (1.0 + np.exp(-d))
    w = (p.wins_a + p.wins_b) * sig * (1.0 - sig) * (v[p.a] - v[p.b])
    return np.bincount(p.a, w, p.n_items) - np.bincount(p.b, w, p.n_items) + RIDGE * v


def fit_scores(pairs: Pairs, start: FloatArray | None = None) -> FloatArray:
    """Maximum-likelihood strengths (natural-log units, centred)."""
    x0 = np.zeros(pairs.n_items) if start is None else start
    fit = minimize(
        _neg_ll,
        x0,
        args=(pairs,),
        jac=True,
        hessp=_hessp,
        method="Newton-CG",
        options={"xtol": 1e-8, "maxiter": 100},
    )
    scores = np.asarray(fit.x, dtype=np.float64)
    return scores - scores.mean()


def to_elo(scores: FloatArray) -> FloatArray:
    """Natural-log strengths as Elo points around 1000."""
    return ELO_BASE + ELO_SCALE * (scores - scores.mean())


def bradley_terry(
    left: IntArray,
    right: IntArray,
    outcome: FloatArray,
    n_items: int,
    *,
    rounds: int = 100,
    seed: int = 0,
) -> Ranking:
    """Elo-scaled Bradley-Terry scores with bootstrap 95% intervals (`rounds` = 0: none)."""
    pairs = collapse(left, right, outcome, n_items)
    scores = fit_scores(pairs)
    seen = np.bincount(pairs.a, pairs.wins_a + pairs.wins_b, n_items) + np.bincount(
        pairs.b, pairs.wins_a + pairs.wins_b, n_items
    )
    lower = upper = np.full(n_items, np.nan)
    if rounds > 0:
        draws = _bootstrap(pairs, scores, rounds, np.random.default_rng(seed))
        lower, upper = np.quantile(draws, [0.025, 0.975], axis=0)
    return Ranking(to_elo(scores), lower, upper, np.rint(seen).astype(np.int64))


def _bootstrap(pairs: Pairs, scores: FloatArray, rounds: int, rng: np.random.Generator) -> FloatArray:
    # resample the 2 x pairs outcome cells; half wins (ties) are resampled as half counts
    cells = np.concatenate([pairs.wins_a, pairs.wins_b])
    total = cells.sum()
    half = len(pairs.a)
    draws = np.empty((rounds, pairs.n_items))
    for r in range(rounds):
        counts = rng.multinomial(int(round(2 * total)), 2 * cells / (2 * total)) / 2.0
        sample = Pairs(pairs.a, pairs.b, counts[:half], counts[half:], pairs.n_items)
        draws[r] = to_elo(fit_scores(sample, start=scores))
    return draws


def rankings_to_pairs(rankings: Sequence[Sequence[int]]) -> tuple[IntArray, IntArray]:
    """Every (better, worse) pair implied by each ranking (best first)."""
    winners: list[IntArray] = []
    losers: list[IntArray] = []
    for ranking in rankings:
        order = np.asarray(ranking, dtype=np.int64)
        i, j = np.triu_indices(len(order), k=1)
        winners.append(order[i])
        losers.append(order[j])
    if not winners:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(winners), np.concatenate(losers)
