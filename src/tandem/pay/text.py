"""Small pure helpers for readable reasons and exact splits."""

from __future__ import annotations


def hours_text(seconds: int) -> str:
    """`3 h 05 min`."""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    return f"{hours} h {rest // 60:02d} min"


def split_by_share(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` exactly (largest remainder, ties to the first)."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    base = [total * w // weight_sum for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % weight_sum), i))
    for i in remainders[: total - sum(base)]:
        base[i] += 1
    return base
