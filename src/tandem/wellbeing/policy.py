"""The well-being policy: platform defaults, an organization's override, an expert's own.

An organization may change any setting; an expert may only tighten their own (a lower
cap, an earlier or longer break), never loosen what the platform or organization set.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tandem.kit.errors import ValidationFailed, field_error

NIGHT_START_HOUR = 22
NIGHT_END_HOUR = 6
# settings where a smaller number is stricter; an expert may only lower these
LOWER_IS_STRICTER = (
    "weekly_cap_hours",
    "daily_cap_hours",
    "break_after_minutes",
    "night_cap_hours",
    "rotation_cap_hours",
)


class WellbeingPolicy(BaseModel):
    """Caps, breaks, night limits, quiet weeks and rotation (ILO C1: 48 h a week)."""

    model_config = ConfigDict(extra="forbid")

    weekly_cap_hours: float = Field(default=48, gt=0, le=80)
    daily_cap_hours: float = Field(default=10, gt=0, le=16)
    break_after_minutes: int = Field(default=90, ge=15, le=600)
    break_minutes: int = Field(default=10, ge=1, le=120)
    night_cap_hours: float = Field(default=8, ge=0, le=80)
    rotation_threshold_hours: float = Field(default=40, gt=0, le=80)
    rotation_weeks: int = Field(default=3, ge=1, le=12)
    rotation_cap_hours: float = Field(default=30, gt=0, le=80)
    # ISO weeks such as "2026-W14", and/or the first ISO week of every quarter
    quiet_weeks: list[str] = Field(default_factory=list)
    quiet_first_week_of_quarter: bool = False

    def is_quiet(self, day: date) -> bool:
        """Whether `day` (a local date) falls in one of the organization's quiet weeks."""
        year, week, _ = day.isocalendar()
        if f"{year}-W{week:02d}" in self.quiet_weeks:
            return True
        if not self.quiet_first_week_of_quarter:
            return False
        quarter_start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        first_monday = quarter_start - timedelta(days=quarter_start.weekday())
        return first_monday <= day < first_monday + timedelta(days=7)


def _validated(data: dict[str, Any], where: str) -> dict[str, Any]:
    try:
        return WellbeingPolicy.model_validate(data).model_dump(exclude_unset=True)
    except ValidationError as exc:
        errors = [field_error([where, *e["loc"]], e["msg"]) for e in exc.errors()]
        raise ValidationFailed(f"invalid well-being settings in {where}", errors=errors) from None


def effective_policy(org_settings: dict[str, Any], expert_caps: dict[str, Any]) -> WellbeingPolicy:
    """Platform defaults, then the organization's override, then the expert's tightening."""
    merged = WellbeingPolicy().model_dump()
    merged.update(_validated(dict(org_settings.get("wellbeing", {})), "organization"))
    own = _validated(
        {k: v for k, v in expert_caps.items() if k in WellbeingPolicy.model_fields}, "expert"
    )
    for key, value in own.items():
        if key in LOWER_IS_STRICTER:
            merged[key] = min(merged[key], value)
        elif key == "break_minutes":
            merged[key] = max(merged[key], value)
    return WellbeingPolicy.model_validate(merged)


def local_week_start(now: datetime, zone: str) -> datetime:
    """Monday 00:00 of `now`'s week in the expert's zone, as an aware datetime."""
    local = now.astimezone(ZoneInfo(zone))
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, datetime.min.time(), ZoneInfo(zone))


def local_day_start(now: datetime, zone: str) -> datetime:
    local = now.astimezone(ZoneInfo(zone))
    return datetime.combine(local.date(), datetime.min.time(), ZoneInfo(zone))


def is_night(when: datetime, zone: str) -> bool:
    hour = when.astimezone(ZoneInfo(zone)).hour
    return hour >= NIGHT_START_HOUR or hour < NIGHT_END_HOUR
