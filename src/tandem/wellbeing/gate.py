"""The well-being gate dispatch asks before handing out or reserving work.

`refusal` answers "may this expert start a new item now?" with a reason code and a plain
message; `reservable_windows` trims the expert's windows so that the allocator never
reserves work that would push them past a cap, into their night or into a quiet week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from tandem.models import Expert, Project
from tandem.wellbeing import repository
from tandem.wellbeing.hours import Worked, worked
from tandem.wellbeing.policy import (
    NIGHT_END_HOUR,
    NIGHT_START_HOUR,
    WellbeingPolicy,
    effective_policy,
    is_night,
)

Window = tuple[datetime, datetime]


@dataclass(frozen=True)
class Refusal:
    """Why no new work is handed out right now: a stable code and a plain message."""

    code: str
    message: str


def policy_for(
    db: Session, expert: Expert, project: Project, org_settings: dict[str, Any] | None = None
) -> WellbeingPolicy:
    """The policy that binds this expert on this project's organization."""
    if org_settings is None:
        org_settings = repository.org_settings(db, project.org_id)
    return effective_policy(org_settings, expert.caps)


def refusal(
    db: Session,
    expert: Expert,
    project: Project,
    now: datetime,
    org_settings: dict[str, Any] | None = None,
    this_week: repository.HoursRead | None = None,
) -> Refusal | None:
    """A reason to hand the expert no new work now, or None.

    `org_settings`, `this_week`: the organization's settings and this week's hours, when
    the caller read them already (tandem.dispatch.claims.project_for_claim does).
    """
    policy = policy_for(db, expert, project, org_settings)
    local = now.astimezone(ZoneInfo(expert.time_zone))
    if policy.is_quiet(local.date()):
        return Refusal("quiet_week", "This is a quiet week: no new work is handed out. Rest well.")
    done = worked(db, expert, policy, now, this_week)
    return _cap_refusal(policy, done, expert.time_zone, now)


def _cap_refusal(policy: WellbeingPolicy, done: Worked, zone: str, now: datetime) -> Refusal | None:
    if done.week >= done.weekly_cap_hours * 3600:
        why = " (lowered after three long weeks in a row)" if done.rotation else ""
        return Refusal(
            "weekly_cap", f"You reached this week's cap of {done.weekly_cap_hours:g} hours{why}."
        )
    if done.day >= policy.daily_cap_hours * 3600:
        return Refusal("daily_cap", f"You reached today's cap of {policy.daily_cap_hours:g} hours.")
    if is_night(now, zone) and done.night_week >= policy.night_cap_hours * 3600:
        return Refusal(
            "night_cap",
            f"You did {policy.night_cap_hours:g} hours of night work this week; "
            "new work resumes at 06:00.",
        )
    if done.stretch >= policy.break_after_minutes * 60 and done.last_beat is not None:
        back = done.last_beat + timedelta(minutes=policy.break_minutes)
        if now < back:
            return Refusal(
                "break",
                f"Time for a {policy.break_minutes}-minute break after "
                f"{policy.break_after_minutes} minutes of work; "
                f"back at {back.astimezone(ZoneInfo(zone)):%H:%M}.",
            )
    return None


def _boundaries(start: datetime, end: datetime, zone: ZoneInfo) -> list[datetime]:
    """Local midnights, 06:00s and 22:00s strictly inside (start, end), in order."""
    found: list[datetime] = []
    day = start.astimezone(zone).date()
    while True:
        for hour in (0, NIGHT_END_HOUR, NIGHT_START_HOUR):
            moment = datetime.combine(day, time(hour), zone).astimezone(start.tzinfo)
            if moment >= end:
                return sorted(found)
            if moment > start:
                found.append(moment)
        day += timedelta(days=1)


def _pieces(window: Window, zone: ZoneInfo) -> list[Window]:
    cuts = [window[0], *_boundaries(window[0], window[1], zone), window[1]]
    return [(a, b) for a, b in pairwise(cuts) if b > a]


def reservable_windows(
    db: Session, expert: Expert, project: Project, windows: list[Window], now: datetime
) -> list[Window]:
    """The parts of the expert's windows work may be reserved in: day, not quiet, under caps."""
    policy = policy_for(db, expert, project)
    zone = ZoneInfo(expert.time_zone)
    done = worked(db, expert, policy, now)
    budget = _Budget(policy, done, now, zone)
    kept: list[Window] = []
    for window in windows:
        for start, end in _pieces(window, zone):
            local = start.astimezone(zone)
            if is_night(start, expert.time_zone) or policy.is_quiet(local.date()):
                continue
            granted = budget.take(start, (end - start).total_seconds())
            if granted > 0:
                kept.append((start, start + timedelta(seconds=granted)))
    return kept


class _Budget:
    """Seconds still allowed per local day and week; the current ones start from work done."""

    def __init__(
        self, policy: WellbeingPolicy, done: Worked, now: datetime, zone: ZoneInfo
    ) -> None:
        self.policy, self.zone = policy, zone
        today = now.astimezone(zone).date()
        self.day_left = {today: policy.daily_cap_hours * 3600 - done.day}
        week = today.isocalendar()[:2]
        self.week_left = {week: done.weekly_cap_hours * 3600 - done.week}

    def take(self, start: datetime, seconds: float) -> float:
        day = start.astimezone(self.zone).date()
        week = day.isocalendar()[:2]
        day_left = self.day_left.setdefault(day, self.policy.daily_cap_hours * 3600)
        week_left = self.week_left.setdefault(week, self.policy.weekly_cap_hours * 3600)
        granted = max(0.0, min(seconds, day_left, week_left))
        self.day_left[day] -= granted
        self.week_left[week] -= granted
        return granted
