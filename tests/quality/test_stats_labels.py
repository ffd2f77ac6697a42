"""Property tests for label aggregation: truth from perfect workers, name invariance."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.quality.stats import METHODS, Labels, aggregate, choose_method, encode, keep_last
from tandem.quality.stats.labels import majority_vote


def _crowd(seed: int, items: int, workers: int, classes: int, per_item: int, skill: float):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, classes, items)
    item = np.repeat(np.arange(items), per_item)
    worker = np.concatenate([rng.choice(workers, per_item, replace=False) for _ in range(items)])
    accuracy = rng.uniform(skill, 1.0, workers)
    right = rng.random(len(item)) < accuracy[worker]
    noise = (truth[item] + rng.integers(1, classes, len(item))) % classes
    label = np.where(right, truth[item], noise)
    return truth, item, worker, label


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    classes=st.integers(2, 5),
    per_item=st.integers(1, 5),
)
@pytest.mark.parametrize("method", METHODS)
def test_perfect_annotators_give_the_truth(method: str, seed: int, classes: int, per_item: int):
    truth, item, worker, label = _crowd(seed, 40, 8, classes, per_item, skill=1.0)
    data = Labels(item, worker, label, 40, 8, classes)
    result = aggregate(data, method)
    assert np.array_equal(result.label, truth)
    assert np.all(result.confidence >= 0.9)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), classes=st.integers(2, 4))
@pytest.mark.parametrize("method", METHODS)
def test_renaming_labels_changes_nothing(method: str, seed: int, classes: int):
    _, item, worker, label = _crowd(seed, 60, 10, classes, 3, skill=0.4)
    perm = np.random.default_rng(seed).permutation(classes)
    names = np.array([f"class-{c}" for c in range(classes)])
    runs = []
    for mapping in (np.arange(classes), perm):
        coded, items, _, label_names = encode(item, worker, names[mapping[label]])
        result = aggregate(coded, method)
        by_item = dict(zip(items, (label_names[c] for c in result.label), strict=True))
        # map the permuted names back so both runs speak the same language
        inverse = {names[mapping[c]]: names[c] for c in range(classes)}
        runs.append({i: inverse[v] for i, v in by_item.items()})
    assert runs[0] == runs[1]


def test_majority_tie_goes_to_the_label_more_common_overall():
    # item 0 is a 1-1 tie between "b" (seen first) and "a", which is more common overall
    coded, _, _, names = encode([0, 0, 1, 1, 2], [0, 1, 0, 1, 0], ["b", "a", "a", "a", "b"])
    result = majority_vote(coded)
    assert names[result.label[0]] == "a"
    assert result.confidence[0] == pytest.approx(0.5)


def test_repeated_labels_keep_the_last():
    data = Labels(np.array([0, 0, 0]), np.array([0, 0, 1]), np.array([1, 0, 0]), 1, 2, 2)
    kept = keep_last(data)
    assert kept.size == 2
    assert majority_vote(data).confidence[0] == pytest.approx(1.0)


def test_workers_who_are_better_than_chance_beat_majority_vote():
    truth, item, worker, label = _crowd(7, 2_000, 30, 3, 5, skill=0.3)
    data = Labels(item, worker, label, 2_000, 30, 3)
    mv = (majority_vote(data).label == truth).mean()
    for method in ("ds", "one-coin", "glad", "mace"):
        assert (aggregate(data, method).label == truth).mean() >= mv - 0.01, method


def test_auto_falls_back_to_majority_with_few_labels_per_item():
    _, item, worker, label = _crowd(3, 100, 10, 3, 2, skill=0.5)
    assert choose_method(Labels(item, worker, label, 100, 10, 3)) == "mv"
    _, item, worker, label = _crowd(3, 500, 10, 3, 5, skill=0.5)
    assert choose_method(Labels(item, worker, label, 500, 10, 3)) != "mv"


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="unknown method"):
        aggregate(
            Labels(np.zeros(1, np.int64), np.zeros(1, np.int64), np.zeros(1, np.int64), 1, 1, 1),
            "x",
        )
