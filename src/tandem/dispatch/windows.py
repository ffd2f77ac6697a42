"""Declared weekly availability, in the expert's local time, turned into UTC intervals."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

Window = tuple[datetime, datetime]
HORIZON = timedelta(hours=24)


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _at(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    # "24:00" and windows past midnight land on the next day
    day = day + timedelta(days=minutes // (24 * 60))
    minutes %= 24 * 60
    return datetime.combine(day, time(minutes // 60, minutes % 60), zone)


def _local_window(day: date, entry: dict[str, Any], zone: ZoneInfo) -> Window:
    begin, finish = _minutes(entry["start"]), _minutes(entry["end"])
    if finish <= begin:
        finish += 24 * 60
    start, end = _at(day, begin, zone), _at(day, finish, zone)
    # wall-clock times are converted one by one, so a DST change inside a window
    # makes it an hour longer or shorter, as it is for the person living it
    return start.astimezone(UTC), end.astimezone(UTC)


def windows_between(
    availability: list[dict[str, Any]], time_zone: str, start: datetime, end: datetime
) -> list[Window]:
    """The expert's declared windows that overlap [start, end), clipped to it, in UTC."""
    zone = ZoneInfo(time_zone)
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    found: list[Window] = []
    day = first
    while day <= last:
        for entry in availability:
            if entry["weekday"] == day.weekday():
                w_start, w_end = _local_window(day, entry, zone)
                if w_end > start and w_start < end:
                    found.append((max(w_start, start), min(w_end, end)))
        day += timedelta(days=1)
    return _merged(sorted(found))


def _merged(windows: list[Window]) -> list[Window]:
    merged: list[Window] = []
    for w_start, w_end in windows:
        if merged and w_start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], w_end))
        else:
            merged.append((w_start, w_end))
    return merged


def next_day_windows(
    availability: list[dict[str, Any]], time_zone: str, now: datetime
) -> list[Window]:
    """The expert's windows within the next 24 hours."""
    return windows_between(availability, time_zone, now, now + HORIZON)


def seconds_in(windows: list[Window]) -> float:
    return sum((end - start).total_seconds() for start, end in windows)


def inside(windows: list[Window], when: datetime) -> bool:
    return any(start <= when < end for start, end in windows)
