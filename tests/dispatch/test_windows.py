"""Availability windows in the expert's own zone, across midnight and DST changes."""

from __future__ import annotations

from datetime import UTC, datetime

from tandem.dispatch.windows import next_day_windows, seconds_in, windows_between

EVERY_DAY_9_TO_13 = [{"weekday": d, "start": "09:00", "end": "13:00"} for d in range(7)]


def test_jakarta_morning_is_utc_small_hours() -> None:
    now = datetime(2026, 3, 1, 19, 0, tzinfo=UTC)  # 02:00 in Jakarta on 2 March
    windows = next_day_windows(EVERY_DAY_9_TO_13, "Asia/Jakarta", now)
    assert windows == [(datetime(2026, 3, 2, 2, tzinfo=UTC), datetime(2026, 3, 2, 6, tzinfo=UTC))]


def test_a_window_in_progress_is_clipped_to_now() -> None:
    now = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)  # 11:30 in Berlin (CET)
    windows = next_day_windows(EVERY_DAY_9_TO_13, "Europe/Berlin", now)
    assert windows[0] == (now, datetime(2026, 3, 2, 12, tzinfo=UTC))
    # the rest of today, and tomorrow's window up to the 24-hour horizon
    assert seconds_in(windows) == 1.5 * 3600 + 2.5 * 3600


def test_night_window_crosses_midnight() -> None:
    night = [{"weekday": 4, "start": "22:00", "end": "02:00"}]  # Friday 22:00 -> Sat 02:00
    start = datetime(2026, 3, 6, 0, 0, tzinfo=UTC)
    windows = windows_between(night, "UTC", start, datetime(2026, 3, 8, tzinfo=UTC))
    assert windows == [(datetime(2026, 3, 6, 22, tzinfo=UTC), datetime(2026, 3, 7, 2, tzinfo=UTC))]


def test_new_york_spring_forward_shortens_a_window_across_the_gap() -> None:
    # 8 March 2026: clocks jump from 02:00 to 03:00 in New York
    early = [{"weekday": 6, "start": "01:00", "end": "05:00"}]
    windows = windows_between(
        early,
        "America/New_York",
        datetime(2026, 3, 8, tzinfo=UTC),
        datetime(2026, 3, 9, tzinfo=UTC),
    )
    assert seconds_in(windows) == 3 * 3600
    assert windows[0][0] == datetime(2026, 3, 8, 6, tzinfo=UTC)  # 01:00 EST


def test_berlin_fall_back_lengthens_a_window_across_the_change() -> None:
    # 25 October 2026: clocks go back from 03:00 to 02:00 in Berlin
    early = [{"weekday": 6, "start": "01:00", "end": "05:00"}]
    windows = windows_between(
        early,
        "Europe/Berlin",
        datetime(2026, 10, 24, tzinfo=UTC),
        datetime(2026, 10, 26, tzinfo=UTC),
    )
    assert seconds_in(windows) == 5 * 3600
