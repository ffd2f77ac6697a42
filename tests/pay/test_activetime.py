"""Active-time rules, periods, splits and FX conversion: pure functions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.kit.errors import ValidationFailed
from tandem.pay.activetime import credit_seconds, night_seconds
from tandem.pay.fx import FxTable, convert_minor
from tandem.pay.periods import parse_period
from tandem.pay.policy import load_policy
from tandem.pay.text import split_by_share

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ZONES = ["UTC", "Europe/Berlin", "Asia/Kolkata", "America/New_York", "Pacific/Auckland"]


def test_a_beat_credits_the_gap_up_to_the_idle_cutoff() -> None:
    assert credit_seconds(T0, T0 + timedelta(seconds=30)) == 30
    assert credit_seconds(T0, T0 + timedelta(seconds=120)) == 120
    assert credit_seconds(T0, T0 + timedelta(seconds=121)) is None
    assert credit_seconds(T0, T0 - timedelta(seconds=5)) == 0


def test_night_is_22_to_6_in_the_experts_own_zone() -> None:
    # 20:00-23:00 UTC is 21:00-24:00 in Berlin (winter): two night hours there, one in UTC
    start, end = datetime(2026, 1, 10, 20, tzinfo=UTC), datetime(2026, 1, 10, 23, tzinfo=UTC)
    assert night_seconds(start, end, "Europe/Berlin") == 2 * 3600
    assert night_seconds(start, end, "UTC") == 3600
    # a whole local day holds exactly 8 night hours (no DST change on that day)
    day = datetime(2026, 1, 10, tzinfo=UTC)
    assert night_seconds(day, day + timedelta(days=1), "Asia/Kolkata") == 8 * 3600


@given(
    st.integers(min_value=0, max_value=400 * 24 * 3600),
    st.integers(min_value=0, max_value=3 * 24 * 3600),
    st.integers(min_value=0, max_value=3 * 24 * 3600),
    st.sampled_from(ZONES),
)
def test_night_seconds_add_up_over_a_split_interval(offset: int, a: int, b: int, zone: str) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=offset)
    mid, end = start + timedelta(seconds=a), start + timedelta(seconds=a + b)
    whole = night_seconds(start, end, zone)
    assert 0 <= whole <= a + b
    assert abs(whole - night_seconds(start, mid, zone) - night_seconds(mid, end, zone)) <= 1


def test_periods_parse_weeks_months_and_ranges() -> None:
    week = parse_period("2026-W02")
    assert (week.start, week.end, week.label) == (date(2026, 1, 5), date(2026, 1, 11), "2026-W02")
    month = parse_period("2026-02")
    assert (month.start, month.end) == (date(2026, 2, 1), date(2026, 2, 28))
    assert parse_period("2026-01-05..2026-01-11").label == "2026-W02"
    assert month.ends_at == datetime(2026, 3, 1, tzinfo=UTC)
    for bad in ("2026-W60", "2026-13", "2026-02-10..2026-02-01", "soon"):
        with pytest.raises(ValidationFailed) as caught:
            parse_period(bad)
        assert caught.value.errors[0]["loc"] == ["period"]


@given(st.integers(0, 10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=30))
def test_split_by_share_is_exact_and_proportional(total: int, weights: list[int]) -> None:
    parts = split_by_share(total, weights)
    if sum(weights) == 0:
        assert parts == [0] * len(weights)
        return
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - total * weight / sum(weights)) < 1 + 1e-9


def test_fx_uses_the_latest_rate_on_or_before_the_day_and_inverses() -> None:
    table = FxTable.of(
        [
            ("EUR", "USD", date(2026, 1, 1), Decimal("1.10")),
            ("EUR", "USD", date(2026, 2, 1), Decimal("1.20")),
        ]
    )
    assert table.convert(1000, "EUR", "USD", date(2026, 1, 31)) == 1100
    assert table.convert(1000, "EUR", "USD", date(2026, 2, 1)) == 1200
    assert table.convert(1200, "USD", "EUR", date(2026, 2, 2)) == 1000
    with pytest.raises(ValidationFailed):
        table.convert(1000, "EUR", "USD", date(2025, 12, 31))
    with pytest.raises(ValidationFailed):
        table.convert(1000, "EUR", "GBP", date(2026, 2, 2))


def test_conversion_scales_between_minor_unit_exponents() -> None:
    # 10.00 USD at 150.555 JPY per USD is 1,506 JPY (JPY has no minor unit), half up
    assert convert_minor(1000, Decimal("150.555"), "USD", "JPY") == 1506
    assert convert_minor(1506, Decimal(1) / Decimal("150.555"), "JPY", "USD") == 1000
    assert convert_minor(-1000, Decimal("1.5"), "EUR", "USD") == -1500


def test_the_policy_file_is_validated_and_picks_the_wage_in_force(tmp_path: Path) -> None:
    policy = load_policy()
    de = policy.minimum_for("DE", date(2026, 6, 1))
    assert de is not None and (de.currency, de.hourly_minor) == ("EUR", 1390)
    assert policy.minimum_for("DE", date(2025, 6, 1)).hourly_minor == 1282  # type: ignore[union-attr]
    fallback = policy.minimum_for("ZZ", date(2026, 6, 1))
    assert fallback is not None and fallback.country == "*"
    bad = tmp_path / "policy.json"
    bad.write_text('{"minimum_wages": [{"country": "Germany", "currency": "EUR", '
                   '"hourly_minor": -1, "valid_from": "2026-01-01"}]}')  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        load_policy(bad)
    locs = {tuple(e["loc"]) for e in caught.value.errors}
    assert locs == {("minimum_wages", "0", "country"), ("minimum_wages", "0", "hourly_minor")}
