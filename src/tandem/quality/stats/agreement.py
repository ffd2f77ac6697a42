"""Agreement: Krippendorff's alpha, Fleiss' kappa, pairwise Cohen's kappa.

Alpha is computed from the coincidence matrix, built chunk by chunk over units so that
memory stays at (chunk x values) whatever the number of units. Units with fewer than two
values are not pairable and are left out (missing data), as Krippendorff prescribes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from tandem.quality.stats.encoding import FloatArray, IntArray, Labels, keep_last

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")
CHUNK = 1 << 16


def _coincidences(unit: IntArray, value: IntArray, n_values: int, chunk: int) -> FloatArray:
    """o[c, k]: pairable value pairs (c, k) within units, each unit weighted 1/(m_u - 1)."""
    out = np.zeros((n_values, n_values))
    if len(unit) == 0:
        return out
    order = np.argsort(unit, kind="stable")
    unit, value = unit[order], value[order]
    bounds = np.searchsorted(unit, np.arange(0, int(unit[-1]) + chunk + 1, chunk))
    for lo, hi in itertools.pairwise(bounds):
        if hi <= lo:
            continue
        local = unit[lo:hi] - unit[lo]
        span = int(local[-1]) + 1
        counts = np.bincount(local * n_values + value[lo:hi], minlength=span * n_values)
        counts = counts.reshape(span, n_values).astype(np.float64)
        m = counts.sum(axis=1)
        weight = np.divide(1.0, m - 1.0, out=np.zeros_like(m), where=m > 1)
        scaled = counts * weight[:, np.newaxis]
        out += counts.T @ scaled
        out -= np.diag(scaled.sum(axis=0))
    return out


def _distances(values: FloatArray, n_v: FloatArray, level: Level) -> FloatArray:
    a, b = values[:, np.newaxis], values[np.newaxis, :]
    if level == "nominal":
        return (a != b).astype(np.float64)
    if level == "interval":
        return np.asarray((a - b) ** 2, dtype=np.float64)
    if level == "ratio":
        total = a + b
        return np.divide(a - b, total, out=np.zeros_like(total), where=total != 0) ** 2
    # ordinal: the values between c and k (inclusive) minus half of the two ends
    cum = np.concatenate([[0.0], np.cumsum(n_v)])
    i = np.arange(len(values))
    lo, hi = np.minimum(i[:, None], i[None, :]), np.maximum(i[:, None], i[None, :])
    between = cum[hi + 1] - cum[lo]
    return np.asarray((between - (n_v[lo] + n_v[hi]) / 2.0) ** 2, dtype=np.float64)


def krippendorff_alpha(
    unit: IntArray,
    value: npt.NDArray[np.float64] | IntArray,
    level: Level = "nominal",
    *,
    chunk: int = CHUNK,
) -> float:
    """Alpha from (unit, value) pairs, one per coder's value; NaN values are missing."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    value = np.asarray(value, dtype=np.float64)
    present = ~np.isnan(value)
    unit, value = np.asarray(unit, dtype=np.int64)[present], value[present]
    if len(value) == 0:
        return float("nan")
    domain, code = np.unique(value, return_inverse=True)
    o = _coincidences(unit, code.astype(np.int64), len(domain), chunk)
    n_v = o.sum(axis=1)
    n = n_v.sum()
    if n <= 1 or len(domain) < 2:
        return float("nan")
    delta = _distances(domain, n_v, level)
    expected = float(n_v @ delta @ n_v)
    if expected == 0:
        return float("nan")
    return 1.0 - (n - 1.0) * float((o * delta).sum()) / expected


def alpha_from_matrix(
    reliability: npt.NDArray[np.float64], level: Level = "nominal", *, chunk: int = CHUNK
) -> float:
    """Alpha from a coders x units matrix with NaN for missing (the `krippendorff` layout)."""
    data = np.asarray(reliability, dtype=np.float64)
    domain = np.unique(data[~np.isnan(data)])
    n_units = data.shape[1]
    o = np.zeros((len(domain), len(domain)))
    for lo in range(0, n_units, chunk):
        block = data[:, lo : lo + chunk]
        coder, unit = np.nonzero(~np.isnan(block))
        code = np.searchsorted(domain, block[coder, unit])
        o += _coincidences(unit.astype(np.int64), code.astype(np.int64), len(domain), chunk)
    n_v = o.sum(axis=1)
    n = n_v.sum()
    delta = _distances(domain, n_v, level)
    expected = float(n_v @ delta @ n_v)
    if n <= 1 or expected == 0:
        return float("nan")
    return 1.0 - (n - 1.0) * float((o * delta).sum()) / expected


def fleiss_kappa(data: Labels) -> float:
    """Fleiss' kappa over items with at least two labels (varying label counts allowed)."""
    data = keep_last(data)
    counts = data.counts()
    m = counts.sum(axis=1)
    keep = m >= 2
    counts, m = counts[keep], m[keep]
    if len(m) == 0:
        return float("nan")
    p_item = ((counts**2).sum(axis=1) - m) / (m * (m - 1.0))
    shares = counts.sum(axis=0) / m.sum()
    p_e = float((shares**2).sum())
    if p_e >= 1.0:
        return float("nan")
    return (float(p_item.mean()) - p_e) / (1.0 - p_e)


@dataclass(frozen=True)
class PairwiseKappa:
    """Cohen's kappa per pair of workers who labelled at least `min_common` items alike."""

    worker_a: IntArray
    worker_b: IntArray
    common: IntArray
    kappa: FloatArray

    def mean(self) -> float:
        """Mean kappa over pairs, weighted by the items they share."""
        ok = ~np.isnan(self.kappa)
        if not ok.any():
            return float("nan")
        return float(np.average(self.kappa[ok], weights=self.common[ok]))


def cohen_kappa_pairs(data: Labels, *, min_common: int = 2) -> PairwiseKappa:
    """Cohen's kappa for every pair of workers, from sparse co-labelling products."""
    data = keep_last(data)
    k, w = data.n_classes, data.n_workers
    ones = np.ones(data.size)
    any_label = sp.csr_matrix((ones, (data.item, data.worker)), shape=(data.n_items, w))
    per_class = [
        sp.csr_matrix(
            (ones[data.label == c], (data.item[data.label == c], data.worker[data.label == c])),
            shape=(data.n_items, w),
        )
        for c in range(k)
    ]
    common = sp.triu(any_label.T @ any_label, k=1).tocoo()
    a, b, n = common.row, common.col, common.data
    keep = n >= min_common
    a, b, n = a[keep], b[keep], n[keep]
    if len(a) == 0:  # nobody labelled the same items: no pairs to compare
        empty = np.zeros(0, dtype=np.int64)
        return PairwiseKappa(empty, empty, empty, np.zeros(0))
    agree = np.zeros(len(a))
    chance = np.zeros(len(a))
    for c in range(k):
        both = per_class[c].T @ per_class[c]
        a_marg = per_class[c].T @ any_label  # a said c on items b also labelled
        agree += np.asarray(both[a, b]).ravel()
        chance += np.asarray(a_marg[a, b]).ravel() * np.asarray(a_marg[b, a]).ravel()
    p_o, p_e = agree / n, chance / n**2
    kappa = np.divide(p_o - p_e, 1.0 - p_e, out=np.full(len(a), np.nan), where=p_e < 1.0)
    return PairwiseKappa(a.astype(np.int64), b.astype(np.int64), n.astype(np.int64), kappa)
