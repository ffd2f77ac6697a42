"""Fair shares: proportional to weight, within caps, nothing lost or invented."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tandem.dispatch.fair_share import fair_targets

people = st.lists(
    st.tuples(st.floats(0, 50, allow_nan=False), st.integers(0, 500)), min_size=1, max_size=40
)


@given(people, st.integers(0, 20_000))
def test_targets_respect_caps_and_hand_out_everything_they_can(
    rows: list[tuple[float, int]], total: int
) -> None:
    weights, caps = [w for w, _ in rows], [c for _, c in rows]
    targets = fair_targets(weights, caps, total)
    usable = sum(c for w, c in rows if w > 0)
    assert sum(targets) == min(total, usable)
    assert all(0 <= t <= c for t, c in zip(targets, caps, strict=True))
    assert all(t == 0 for t, w in zip(targets, weights, strict=True) if w == 0)


@given(st.lists(st.floats(0.1, 10), min_size=2, max_size=30), st.integers(0, 5000))
def test_without_binding_caps_shares_follow_weights_within_one(
    weights: list[float], total: int
) -> None:
    targets = fair_targets(weights, [10**9] * len(weights), total)
    for weight, target in zip(weights, targets, strict=True):
        assert abs(target - total * weight / sum(weights)) < 1 + 1e-6


def test_a_capped_persons_rest_goes_to_the_others() -> None:
    assert fair_targets([1, 1, 1], [10, 100, 100], 90) == [10, 40, 40]
