"""Pay periods: ISO weeks by default, or a calendar month, or an explicit date range."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tandem.kit.errors import ValidationFailed, field_error


@dataclass(frozen=True)
class Period:
    """Days `start` to `end` inclusive, in UTC."""

    start: date
    end: date

    @property
    def label(self) -> str:
        iso = self.start.isocalendar()
        if self.start.weekday() == 0 and self.end == self.start + timedelta(days=6):
            return f"{iso.year}-W{iso.week:02d}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time(0), UTC)

    @property
    def ends_at(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.end + timedelta(days=1), time(0), UTC)


def week_of(day: date) -> Period:
    """The ISO week (Monday to Sunday) containing `day`."""
    monday = day - timedelta(days=day.weekday())
    return Period(monday, monday + timedelta(days=6))


def parse_period(text: str) -> Period:
    """`2026-W47`, `2026-11` or `2026-11-01..2026-11-15`; ValidationFailed otherwise."""
    text = text.strip()
    try:
        if match := re.fullmatch(r"(\d{4})-W(\d{2})", text):
            monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
            return Period(monday, monday + timedelta(days=6))
        if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
            first = date(int(match[1]), int(match[2]), 1)
            following = (first + timedelta(days=32)).replace(day=1)
            return Period(first, following - timedelta(days=1))
        if match := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
            start, end = date.fromisoformat(match[1]), date.fromisoformat(match[2])
            if start <= end:
                return Period(start, end)
    except ValueError:
        pass
    raise ValidationFailed(
        f"unknown period {text!r}",
        errors=[field_error(["period"], "use 2026-W47, 2026-11 or 2026-11-01..2026-11-15")],
    )
