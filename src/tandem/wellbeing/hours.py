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


def worked(db: Session, expert: Expert, policy: WellbeingPolicy, now: datetime) -> Worked:
    """Hours worked so far, and the weekly cap that applies after rotation."""
    week_start = local_week_start(now, expert.time_zone)
    day_start = local_day_start(now, expert.time_zone)
    # one read covers this week and the weeks that decide rotation: this runs at every claim
    first = week_start - policy.rotation_weeks * WEEK
    everything = repository.sessions_between(db, expert.id, first, now + timedelta(seconds=1))
    rows = [r for r in everything if r[0] >= week_start]
    sessions = [(r[0], r[1], int(r[2])) for r in rows]
    pause = timedelta(minutes=policy.break_minutes)
    stretch, last = _stretch(sessions, now, pause)
    past = _per_week([r for r in everything if r[0] < week_start], first, policy.rotation_weeks)
    rotation = all(h > policy.rotation_threshold_hours for h in past)
    return Worked(
        day=sum(r[2] for r in rows if r[0] >= day_start),
        week=sum(int(r[2]) for r in rows),
        night_week=sum(int(r[3]) for r in rows),
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
