"""Bradley-Terry with ties for pairwise preferences, and rankings turned into pairs.

Comparisons are collapsed to one row per unordered pair {a, b} with the wins of each
side, a tie counting half a win to each (as in Chatbot Arena). The log-likelihood
sum w_ab log sigmoid(s_a - s_b) is maximised by Newton-CG: the Hessian is a weighted
graph Laplacian, applied as a gather and two bincounts, so no matrix is ever formed. A tiny ridge
(1e-6 per item) pins the free shift, and scores are centred. Scores are reported on the
Elo scale: 1000 + 400 * log10(e) * s. Intervals are bootstrap quantiles (2.5%, 97.5%)
from a one-step Poisson bootstrap of the collapsed counts (each redrawn as Poisson(count)).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse.linalg as spla

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
    if not np.all((outcome == 0.0) | (outcome == 0.5) | (outcome == 1.0)):
        raise ValueError("an outcome is 1 (left won), 0 (right won) or 0.5 (a tie)")
    lo = np.minimum(left, right)
    # half-wins of the lower id (0, 1 or 2) ride in the two low bits: one plain sort
    half_wins = np.where(left == lo, outcome, 1.0 - outcome) * 2.0
    packed = np.sort(((lo * n_items + np.maximum(left, right)) << 2) | half_wins.astype(np.int64))
    key = packed >> 2
    starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
    wins_lo = np.add.reduceat(packed & 3, starts) / 2.0 if len(key) else np.zeros(0)
    total = np.diff(np.append(starts, len(key))).astype(np.float64)
    unique = key[starts]
    return Pairs(unique // n_items, unique % n_items, wins_lo, total - wins_lo, n_items)


def _spread(p: Pairs, per_pair: FloatArray) -> FloatArray:
    """D^T x for the pair-item incidence D (+1 at a, -1 at b): two bincounts."""
    return np.asarray(
        np.bincount(p.a, per_pair, p.n_items) - np.bincount(p.b, per_pair, p.n_items),
        dtype=np.float64,
    )


def fit_scores(
    pairs: Pairs,
    start: FloatArray | None = None,
    *,
    tol: float = 1e-6,
    max_steps: int = 50,
    cg_rtol: float = 1e-3,
) -> FloatArray:
    """Maximum-likelihood strengths (natural-log units, centred) by Newton with Jacobi-PCG."""
    total = pairs.wins_a + pairs.wins_b
    s = np.zeros(pairs.n_items) if start is None else start.copy()
    for _ in range(max_steps):
        sig = 1.0 / (1.0 + np.exp(s[pairs.b] - s[pairs.a]))
        grad = _spread(pairs, pairs.wins_a - total * sig) - RIDGE * s
        if np.abs(grad).max() <= tol * max(total.max(), 1.0):
            break
        h = total * sig * (1.0 - sig)
        deg = np.bincount(pairs.a, h, pairs.n_items) + np.bincount(pairs.b, h, pairs.n_items)
        diag = np.asarray(deg, dtype=np.float64) + RIDGE

        def hess(v: FloatArray, h: FloatArray = h) -> FloatArray:
            return _spread(pairs, h * (v[pairs.a] - v[pairs.b])) + RIDGE * v

        op = spla.LinearOperator((pairs.n_items,) * 2, matvec=hess, dtype=np.float64)
        pre = spla.LinearOperator((pairs.n_items,) * 2, matvec=lambda v, d=diag: v / d)
        step, _ = spla.cg(op, grad, M=pre, rtol=cg_rtol, maxiter=200)
        s = s + step
    return s - s.mean()


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


def _bootstrap(
    pairs: Pairs, scores: FloatArray, rounds: int, rng: np.random.Generator
) -> FloatArray:
    # Poisson bootstrap: each cell is redrawn as Poisson(its count), same mean and variance.
    # Each round takes one Newton step from the full-data fit (the one-step bootstrap: the
    # step is H^-1 times the resampled score, first-order equal to refitting, ~3x cheaper).
    draws = np.empty((rounds, pairs.n_items))
    for r in range(rounds):
        wins_a = rng.poisson(pairs.wins_a).astype(np.float64)
        wins_b = rng.poisson(pairs.wins_b).astype(np.float64)
        sample = Pairs(pairs.a, pairs.b, wins_a, wins_b, pairs.n_items)
        draws[r] = to_elo(fit_scores(sample, scores, max_steps=1, cg_rtol=1e-2))
    return draws


def rankings_to_pairs(rankings: Sequence[Sequence[int] | IntArray]) -> tuple[IntArray, IntArray]:
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
