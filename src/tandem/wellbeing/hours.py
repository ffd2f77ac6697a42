"""An expert's worked hours, in their own days and weeks, from work sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tandem.models import Expert
from tandem.wellbeing import repository
from tandem.wellbeing.policy import WellbeingPolicy, local_day_start, local_week_start

WEEK = timedelta(days=7)
STRETCH_LOOKBACK = timedelta(hours=24)


@dataclass(frozen=True)
class Worked:
    """Active seconds this local day and week, night seconds this week, the current stretch."""

    day: int
    week: int
    night_week: int
    stretch: int
    last_beat: datetime | None
    weekly_cap_hours: float
    rotation: bool


def _stretch(
    sessions: list[tuple[datetime, datetime, int]], now: datetime, pause: timedelta
) -> tuple[int, datetime | None]:
    """Active seconds of the run of sessions with no pause of `pause` or more, ending last."""
    total, last, cursor = 0, None, now
    for started, beat, active in reversed(sessions):
        if cursor - beat >= pause:
            break
        total += active
        last = last or beat
        cursor = started
    return total, last


def _window(expert: Expert, now: datetime, past_weeks: int) -> repository.HoursWindow:
    week_start = local_week_start(now, expert.time_zone)
    # sums of this day, this week and the weeks that decide rotation, plus the sessions of
    # the last day for the current stretch (a stretch with no 10-minute pause for a whole
    # day is long past any break rule)
    return repository.HoursWindow(
        day_start=local_day_start(now, expert.time_zone),
        week_start=week_start,
        past_weeks=past_weeks,
        recent_start=max(week_start, now - STRETCH_LOOKBACK),
        end=now + timedelta(seconds=1),
    )


def this_week_window(expert: Expert, now: datetime) -> repository.HoursWindow:
    """The window of today's and this week's hours, without the weeks before."""
    return _window(expert, now, 0)


def _rotation_could_bind(this_week: repository.HoursRead, policy: WellbeingPolicy) -> bool:
    # below the lower of the two weekly caps, whether rotation lowered the cap changes nothing
    lowest_cap = min(policy.weekly_cap_hours, policy.rotation_cap_hours)
    return this_week.week >= lowest_cap * 3600


def worked(
    db: Session,
    expert: Expert,
    policy: WellbeingPolicy,
    now: datetime,
    this_week: repository.HoursRead | None = None,
) -> Worked:
    """Hours worked so far, and the weekly cap that applies after rotation.

    `this_week`: today's and this week's hours when the caller read them already (the claim
    does, in its own read); the weeks before are then read only when rotation could bind.
    """
    read = this_week
    if read is None or _rotation_could_bind(read, policy):
        read = repository.hours(db, expert.id, _window(expert, now, policy.rotation_weeks))
    stretch, last = _stretch(read.recent, now, timedelta(minutes=policy.break_minutes))
    rotation = bool(read.past_weeks) and all(
        s / 3600 > policy.rotation_threshold_hours for s in read.past_weeks
    )
    return Worked(
        day=read.day,
        week=read.week,
        night_week=read.night_week,
        stretch=stretch,
        last_beat=last,
        weekly_cap_hours=min(policy.weekly_cap_hours, policy.rotation_cap_hours)
        if rotation
        else policy.weekly_cap_hours,
        rotation=rotation,
    )


def weekly_hours(db: Session, expert: Expert, week_start: datetime, weeks: int) -> list[float]:
    """Active hours in each of the `weeks` local weeks before `week_start`, oldest first."""
    first = week_start - weeks * WEEK
    return _per_week(repository.sessions_between(db, expert.id, first, week_start), first, weeks)


def _per_week(rows: list[Any], first: datetime, weeks: int) -> list[float]:
    totals = [0.0] * weeks
    for started, _, active, _ in rows:
        index = int((started - first) / WEEK)
        totals[min(index, weeks - 1)] += int(active) / 3600
    return totals
