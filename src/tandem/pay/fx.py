"""Currency conversion with the dated FX table: decimal rates, one rounding, half up."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from tandem.kit.errors import ValidationFailed, field_error
from tandem.kit.money import exponent


@dataclass
class FxTable:
    """Rates per (base, quote) sorted by date; the rate on a day is the latest before it."""

    _rates: dict[tuple[str, str], list[tuple[date, Decimal]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str, date, Decimal]]) -> FxTable:
        table = cls()
        for base, quote, valid_on, rate in rows:
            table._rates[(base, quote)].append((valid_on, Decimal(rate)))
        for series in table._rates.values():
            series.sort()
        return table

    def rate(self, base: str, quote: str, on: date) -> Decimal:
        """Units of `quote` per unit of `base` on a day (inverse rates are used too)."""
        if base == quote:
            return Decimal(1)
        direct = self._latest((base, quote), on)
        if direct is not None:
            return direct
        inverse = self._latest((quote, base), on)
        if inverse is not None and inverse != 0:
            return Decimal(1) / inverse
        raise ValidationFailed(
            f"no FX rate {base}->{quote} on or before {on}",
            errors=[field_error(["fx_rate", f"{base}/{quote}"], f"add a rate valid on {on}")],
        )

    def _latest(self, pair: tuple[str, str], on: date) -> Decimal | None:
        series = self._rates.get(pair, [])
        index = bisect_right(series, (on, Decimal("Infinity")))
        return series[index - 1][1] if index else None

    def convert(self, amount_minor: int, base: str, quote: str, on: date) -> int:
        """`amount_minor` of `base` in minor units of `quote`, rounded half up once."""
        return convert_minor(amount_minor, self.rate(base, quote, on), base, quote)


def convert_minor(amount_minor: int, rate: Decimal, base: str, quote: str) -> int:
    """Minor units of `base` times `rate`, scaled between the two minor-unit exponents."""
    scale = Decimal(10) ** (exponent(quote) - exponent(base))
    return int((Decimal(amount_minor) * rate * scale).quantize(Decimal(1), ROUND_HALF_UP))
