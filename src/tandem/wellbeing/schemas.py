"""Well-being API shapes."""

from __future__ import annotations

from pydantic import BaseModel


class SignalsOut(BaseModel):
    """An expert's own burnout signals; nobody else sees them."""

    weekly_hours: list[float]
    night_share: float
    days_since_rest: int
    seconds_per_item_now: float
    seconds_per_item_before: float
    rejection_rate_now: float
    rejection_rate_before: float
    summary: list[str]


class MyWellbeingOut(BaseModel):
    """The policy that binds the caller, where they stand, and their signals."""

    policy: dict[str, object]
    hours_today: float
    hours_this_week: float
    night_hours_this_week: float
    weekly_cap_hours: float
    signals: SignalsOut


class HoursBucket(BaseModel):
    label: str
    # None: fewer than three people, hidden so nobody can be singled out
    experts: int | None


class OrgWellbeingOut(BaseModel):
    """Aggregates only: how many people worked how much, and how often caps were hit."""

    experts: int
    buckets: list[HoursBucket]
    cap_hits: int | None
    night_share: float
