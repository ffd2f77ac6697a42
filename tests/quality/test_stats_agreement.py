"""Agreement statistics against the `krippendorff` package and first principles."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.quality.stats import Labels
from tandem.quality.stats.agreement import (
    LEVELS,
    alpha_from_matrix,
    cohen_kappa_pairs,
    fleiss_kappa,
    krippendorff_alpha,
)


def _matrix(seed: int, coders: int, units: int, values: int, missing: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    data = rng.integers(1, values + 1, (coders, units)).astype(float)
    data[rng.random(data.shape) < missing] = np.nan
    return data


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 100_000),
    coders=st.integers(2, 6),
    units=st.integers(2, 60),
    values=st.integers(2, 6),
    missing=st.floats(0.0, 0.5),
)
@pytest.mark.parametrize("level", LEVELS)
def test_alpha_equals_the_krippendorff_package(level, seed, coders, units, values, missing):
    data = _matrix(seed, coders, units, values, missing)
    try:
        # on data with no expected disagreement the package divides 0 by 0: its NaN is
        # compared below, so numpy's warning about it is noise
        with np.errstate(invalid="ignore", divide="ignore"):
            expected = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    except ValueError:  # the package refuses degenerate data (one value, nothing pairable)
        return
    coder, unit = np.nonzero(~np.isnan(data))
    ours = krippendorff_alpha(unit, data[coder, unit], level, chunk=7)
    if np.isnan(expected):
        assert np.isnan(ours)
        return
    assert ours == pytest.approx(expected, abs=1e-9)
    assert alpha_from_matrix(data, level, chunk=5) == pytest.approx(expected, abs=1e-9)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), coders=st.integers(2, 5))
@pytest.mark.parametrize("level", LEVELS)
def test_alpha_is_one_on_perfect_agreement(level, seed, coders):
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 6, 50).astype(float)
    truth[:2] = [1.0, 5.0]  # at least two values, or alpha is undefined
    data = np.tile(truth, (coders, 1))
    data[rng.random(data.shape) < 0.2] = np.nan
    data[:2, :2] = truth[:2]
    assert alpha_from_matrix(data, level) == pytest.approx(1.0)


def _labels(rows: list[tuple[int, int, int]], classes: int) -> Labels:
    item, worker, label = (np.array(col, dtype=np.int64) for col in zip(*rows, strict=True))
    return Labels(item, worker, label, int(item.max()) + 1, int(worker.max()) + 1, classes)


def test_fleiss_kappa_matches_the_textbook_formula():
    rng = np.random.default_rng(1)
    counts = rng.multinomial(4, [0.5, 0.3, 0.2], 30)
    rows = [(i, w, c) for i in range(30) for w, c in enumerate(np.repeat(np.arange(3), counts[i]))]
    p_j = counts.sum(0) / counts.sum()
    p_i = ((counts**2).sum(1) - 4) / 12
    expected = (p_i.mean() - (p_j**2).sum()) / (1 - (p_j**2).sum())
    assert fleiss_kappa(_labels(rows, 3)) == pytest.approx(expected)


def test_cohen_kappa_per_pair_matches_the_definition():
    a = [0, 0, 1, 1, 0, 1, 1, 0]
    b = [0, 1, 1, 1, 0, 0, 1, 0]
    rows = [(i, 0, x) for i, x in enumerate(a)] + [(i, 1, x) for i, x in enumerate(b)]
    p_o = np.mean(np.equal(a, b))
    p_e = np.mean(a) * np.mean(b) + (1 - np.mean(a)) * (1 - np.mean(b))
    pairs = cohen_kappa_pairs(_labels(rows, 2))
    assert pairs.common.tolist() == [8]
    assert pairs.kappa[0] == pytest.approx((p_o - p_e) / (1 - p_e))
    assert pairs.mean() == pytest.approx(pairs.kappa[0])


def test_pairwise_kappa_without_any_shared_items_is_empty_not_an_error() -> None:
    from tandem.quality.stats.encoding import encode

    data, *_ = encode(["i1", "i2", "i3"], ["w1", "w2", "w3"], ["x", "y", "x"])
    result = cohen_kappa_pairs(data)
    assert len(result.kappa) == 0
