"""Active time rules: heartbeats, the idle cutoff and the local night split. Pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

HEARTBEAT_SECONDS = 30
IDLE_CUTOFF_SECONDS = 120
NIGHT_START = time(22, 0)
NIGHT_END = time(6, 0)


def credit_seconds(last_beat_at: datetime, now: datetime) -> int | None:
    """Seconds a beat adds to its session; None when the gap exceeds the idle cutoff."""
    gap = (now - last_beat_at).total_seconds()
    if gap > IDLE_CUTOFF_SECONDS:
        return None
    return max(0, int(gap))


def night_seconds(start: datetime, end: datetime, time_zone: str) -> int:
    """How many seconds of [start, end) fall between 22:00 and 06:00 local time."""
    if end <= start:
        return 0
    zone = ZoneInfo(time_zone)
    local_day = start.astimezone(zone).date() - timedelta(days=1)
    total = 0.0
    while True:
        night_from = datetime.combine(local_day, NIGHT_START, zone).astimezone(UTC)
        if night_from >= end:
            break
        night_to = datetime.combine(local_day + timedelta(days=1), NIGHT_END, zone)
        overlap = min(end, night_to.astimezone(UTC)) - max(start, night_from)
        total += max(0.0, overlap.total_seconds())
        local_day += timedelta(days=1)
    return int(total)
