"""The clock: real in production, fake in tests. Every time read goes through here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SystemClock:
    """Wall-clock UTC time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when if when.tzinfo else when.replace(tzinfo=UTC)

    def advance(self, **kwargs: float) -> datetime:
        self._now += timedelta(**kwargs)
        return self._now


_current: SystemClock | FakeClock = SystemClock()


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware."""
    return _current.now()


def use_clock(clock: SystemClock | FakeClock) -> None:
    """Swap the process clock (tests use FakeClock)."""
    global _current
    _current = clock


def current_clock() -> SystemClock | FakeClock:
    return _current
