"""Fair shares: split a supply in proportion to weights, never above anyone's cap."""

from __future__ import annotations

import math
from collections.abc import Sequence


def _water_fill(weights: Sequence[float], caps: Sequence[int], total: float) -> list[float]:
    shares = [0.0] * len(weights)
    open_ = {i for i, (w, c) in enumerate(zip(weights, caps, strict=True)) if w > 0 and c > 0}
    left = total
    while open_ and left > 1e-9:
        weight_sum = sum(weights[i] for i in open_)
        capped = {i for i in open_ if left * weights[i] / weight_sum >= caps[i]}
        if not capped:
            for i in open_:
                shares[i] = left * weights[i] / weight_sum
            break
        # whoever would exceed their cap gets exactly the cap; the rest is split again
        for i in capped:
            shares[i] = float(caps[i])
            left -= caps[i]
        open_ -= capped
    return shares


def fair_targets(weights: Sequence[float], caps: Sequence[int], total: int) -> list[int]:
    """Whole-number targets proportional to weights, each within its cap, summing to
    min(total, sum of caps of those with weight); leftovers go to the largest remainders."""
    usable = sum(c for w, c in zip(weights, caps, strict=True) if w > 0 and c > 0)
    goal = min(total, usable)
    shares = _water_fill(weights, caps, float(goal))
    targets = [min(caps[i], math.floor(s + 1e-9)) for i, s in enumerate(shares)]
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - targets[i]), i))
    short = goal - sum(targets)
    for i in order:
        if short <= 0:
            break
        if weights[i] > 0 and targets[i] < caps[i]:
            targets[i] += 1
            short -= 1
    return targets
