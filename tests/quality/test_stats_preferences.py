"""Bradley-Terry recovers planted strengths; ratings correct annotator bias."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from tandem.quality.stats.preferences import bradley_terry, collapse, rankings_to_pairs
from tandem.quality.stats.ratings import aggregate_ratings


def _battles(seed: int, n: int, m: int, tie_share: float = 0.1):
    rng = np.random.default_rng(seed)
    strength = rng.normal(0.0, 1.0, n)
    a = rng.integers(0, n, m)
    b = rng.integers(0, n - 1, m)
    b = b + (b >= a)
    p = 1.0 / (1.0 + np.exp(-(strength[a] - strength[b])))
    outcome = (rng.random(m) < p).astype(float)
    outcome[rng.random(m) < tie_share] = 0.5
    return strength, a, b, outcome


def test_bradley_terry_recovers_planted_strengths_at_scale():
    # the size: 10,000 items, 1,000,000 comparisons (about 2 s here)
    strength, a, b, outcome = _battles(1, 10_000, 1_000_000)
    ranking = bradley_terry(a, b, outcome, 10_000, rounds=0)
    assert spearmanr(ranking.elo, strength).statistic >= 0.98
    assert ranking.elo.mean() == pytest.approx(1000.0)


def test_bootstrap_intervals_cover_the_estimate_and_mostly_the_truth():
    strength, a, b, outcome = _battles(2, 30, 6_000, tie_share=0.0)
    ranking = bradley_terry(a, b, outcome, 30, rounds=60, seed=3)
    assert np.all(ranking.lower <= ranking.elo) and np.all(ranking.elo <= ranking.upper)
    truth = 1000 + 400 / np.log(10) * (strength - strength.mean())
    covered = (ranking.lower <= truth) & (truth <= ranking.upper)
    assert covered.mean() >= 0.8


def test_collapse_merges_both_orders_and_splits_ties():
    pairs = collapse(np.array([0, 1, 0]), np.array([1, 0, 1]), np.array([1.0, 1.0, 0.5]), 2)
    assert pairs.a.tolist() == [0] and pairs.b.tolist() == [1]
    assert pairs.wins_a.tolist() == [1.5] and pairs.wins_b.tolist() == [1.5]


def test_rankings_become_every_implied_pair():
    winners, losers = rankings_to_pairs([[2, 0, 1], [1, 2]])
    assert list(zip(winners.tolist(), losers.tolist(), strict=True)) == [
        (2, 0),
        (2, 1),
        (0, 1),
        (1, 2),
    ]


def test_rating_bias_correction_beats_raw_means():
    rng = np.random.default_rng(5)
    items, workers = 400, 20
    true_mean = rng.uniform(1, 5, items)
    bias = rng.normal(0, 1.0, workers)
    item = np.repeat(np.arange(items), 3)
    worker = np.concatenate([rng.choice(workers, 3, replace=False) for _ in range(items)])
    rating = true_mean[item] + bias[worker] + rng.normal(0, 0.3, len(item))
    fit = aggregate_ratings(item, worker, rating, items, workers)
    raw = np.bincount(item, rating) / 3
    assert np.abs(fit.mean - true_mean).mean() < 0.6 * np.abs(raw - true_mean - bias.mean()).mean()
    assert np.corrcoef(fit.bias, bias)[0, 1] > 0.9
