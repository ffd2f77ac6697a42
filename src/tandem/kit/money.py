"""Money: integer minor units with an ISO 4217 currency; never floats."""

from __future__ import annotations

from dataclasses import dataclass

# Minor-unit exponents that differ from 2 (ISO 4217).
_EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "IDR": 2, "BHD": 3, "KWD": 3, "TND": 3}


def exponent(currency: str) -> int:
    """Digits after the decimal point for a currency."""
    return _EXPONENTS.get(currency.upper(), 2)


@dataclass(frozen=True)
class Money:
    """An amount in minor units."""

    minor: int
    currency: str

    def __str__(self) -> str:
        exp = exponent(self.currency)
        sign = "-" if self.minor < 0 else ""
        whole, frac = divmod(abs(self.minor), 10**exp)
        return (
            f"{sign}{whole:,}.{frac:0{exp}d} {self.currency}"
            if exp
            else f"{sign}{whole:,} {self.currency}"
        )


def hourly_rate_minor(amount_minor: int, seconds: float) -> int:
    """The effective hourly rate in minor units, rounded down (0 when no time)."""
    if seconds <= 0:
        return 0
    return int(amount_minor * 3600 // seconds)


def prorate_minor(rate_per_hour_minor: int, seconds: float) -> int:
    """Pay for `seconds` at an hourly rate, rounded half up to a minor unit."""
    return int((rate_per_hour_minor * int(seconds) + 1800) // 3600)
