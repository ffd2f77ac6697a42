"""The `auto` rule: BIC among admissible fits; simpler models on simple data."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.quality.stats import Labels, aggregate, choose_method
from tandem.quality.stats.selection import admissible, bic, n_parameters


def _workers(seed: int, confusion: np.ndarray, items: int = 1_500, per_item: int = 5):
    """Labels from workers who each draw from their own confusion[w, true, label] rows."""
    rng = np.random.default_rng(seed)
    n_workers, k = confusion.shape[0], confusion.shape[1]
    truth = rng.integers(0, k, items)
    item = np.repeat(np.arange(items), per_item)
    worker = np.concatenate([rng.choice(n_workers, per_item, replace=False) for _ in truth])
    cumulative = confusion[worker, truth[item]].cumsum(axis=1)
    label = (rng.random(len(item))[:, None] > cumulative).sum(axis=1)
    return Labels(item, worker, np.minimum(label, k - 1), items, n_workers, k), truth


def _one_coin(seed: int, n_workers: int = 20, k: int = 4) -> np.ndarray:
    p = np.random.default_rng(seed).uniform(0.5, 0.9, n_workers)[:, None, None]
    eye = np.eye(k)[None]
    return np.asarray(p * eye + (1 - p) / (k - 1) * (1 - eye))


def test_one_coin_workers_get_the_simpler_model():
    data, _ = _workers(1, _one_coin(1))
    assert choose_method(data) == "one-coin"


def test_strongly_asymmetric_workers_get_full_dawid_skene():
    # every worker mistakes class 1 for class 0 most of the time, and nothing else
    confusion = np.tile(np.eye(3), (15, 1, 1))
    confusion[:, 1] = [0.45, 0.55, 0.0]
    data, truth = _workers(2, confusion)
    assert choose_method(data) == "ds"
    assert (aggregate(data, "auto").label == truth).mean() > 0.95


def test_auto_names_the_model_it_used():
    data, _ = _workers(3, _one_coin(3))
    assert aggregate(data, "auto").method == "auto:one-coin"


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), asymmetric=st.booleans())
def test_choice_ignores_names_and_row_order(seed: int, asymmetric: bool):
    confusion = _one_coin(seed, 12, 3)
    if asymmetric:
        confusion[:, 1] = [0.45, 0.55, 0.0]
    data, _ = _workers(seed, confusion, items=600)
    rng = np.random.default_rng(seed)
    classes, workers = rng.permutation(3), rng.permutation(12)
    items, rows = rng.permutation(600), rng.permutation(data.size)
    renamed = Labels(
        items[data.item][rows], workers[data.worker][rows], classes[data.label][rows], 600, 12, 3
    )
    assert choose_method(renamed) == choose_method(data)


def test_a_class_nobody_labels_as_itself_is_not_admissible():
    # items inferred as class 1 were mostly labelled 0: class 1 is a cluster, not a label
    data = Labels(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]), np.array([0, 0, 1, 1]), 2, 2, 2)
    assert admissible(data, np.array([0, 1]))
    assert not admissible(data, np.array([1, 1]))


def test_bic_charges_each_parameter_half_a_log_item():
    data, _ = _workers(4, _one_coin(4, 10, 3), items=200)
    fit = aggregate(data, "ds")
    assert n_parameters("ds", data) == 10 * 3 * 2 + 2
    assert fit.log_likelihood is not None
    assert bic(fit, data) == fit.log_likelihood - 0.5 * 62 * np.log(200)
