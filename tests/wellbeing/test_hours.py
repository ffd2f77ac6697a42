"""The well-being sums the database makes equal a plain Python walk over every session."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from tandem.kit.clock import FakeClock
from tandem.wellbeing import repository
from tandem.wellbeing.hours import WEEK, this_week_window, worked
from tandem.wellbeing.policy import WellbeingPolicy, local_day_start, local_week_start
from tests import factories as f
from tests.statements import recorded


def _by_hand(rows: list, now: datetime, zone: str, policy: WellbeingPolicy) -> dict:
    """The sums as the gate defines them, computed from every row."""
    week, day = local_week_start(now, zone), local_day_start(now, zone)
    first = week - policy.rotation_weeks * WEEK
    this_week = [r for r in rows if week <= r[0] <= now]
    past = [0] * policy.rotation_weeks
    for r in rows:
        if first <= r[0] < week:
            past[int((r[0] - first) / WEEK)] += int(r[2])
    return {
        "day": sum(int(r[2]) for r in this_week if r[0] >= day),
        "week": sum(int(r[2]) for r in this_week),
        "night_week": sum(int(r[3]) for r in this_week),
        "past": past,
    }


def test_sums_match_a_walk_over_five_weeks_of_random_sessions(
    db: Session, clock: FakeClock
) -> None:
    org = f.org(db)
    proj = f.project(db, f.requester(db, org), org)
    who = f.expert(db, time_zone="Asia/Jakarta")
    rng = random.Random(7)
    now = clock.now()
    for _ in range(300):
        started = now - timedelta(minutes=rng.randrange(0, 5 * 7 * 24 * 60))
        f.work_session(db, who, proj, started, rng.randrange(60, 5400), night_seconds=60)
    policy = WellbeingPolicy(rotation_threshold_hours=20)
    expert = who.require_expert()
    done = worked(db, expert, policy, now)
    rows = repository.sessions_between(db, expert.id, now - 6 * WEEK, now + timedelta(days=1))
    expected = _by_hand(rows, now, expert.time_zone, policy)
    week = local_week_start(now, expert.time_zone)
    window = repository.HoursWindow(
        local_day_start(now, expert.time_zone), week, 3, week, now + timedelta(seconds=1)
    )
    past = repository.hours(db, expert.id, window).past_weeks
    got = {"day": done.day, "week": done.week, "night_week": done.night_week, "past": past}
    assert got == expected
    assert done.week > 0 and done.day <= done.week and min(past) > 0
    assert done.rotation == all(s / 3600 > 20 for s in past)


def test_this_weeks_hours_stand_in_until_rotation_could_bind(db: Session, clock: FakeClock) -> None:
    org = f.org(db)
    proj = f.project(db, f.requester(db, org), org)
    who = f.expert(db, time_zone="Europe/Berlin")
    expert = who.require_expert()
    clock.set(datetime(2026, 3, 13, 12, 0, tzinfo=UTC))  # a Friday
    now = clock.now()
    week = local_week_start(now, expert.time_zone)
    for back in range(1, 4):  # three long weeks before this one: rotation is due
        for day in range(5):
            f.work_session(db, who, proj, week - back * WEEK + timedelta(days=day), 9 * 3600)
    f.work_session(db, who, proj, week + timedelta(minutes=5), 20 * 3600)
    policy = WellbeingPolicy()  # rotation after 3 weeks over 40 h: cap 30 h instead of 48 h
    light = repository.hours(db, expert.id, this_week_window(expert, now))
    seen = recorded(db)
    assert light.past_weeks == []
    below = worked(db, expert, policy, now, light)
    assert seen == []  # 20 h this week: under 30 h the lowered cap cannot bind, no read
    assert (below.week, below.weekly_cap_hours) == (20 * 3600, 48)
    f.work_session(db, who, proj, week + timedelta(days=1), 11 * 3600)
    heavy = repository.hours(db, expert.id, this_week_window(expert, now))
    seen.clear()
    over = worked(db, expert, policy, now, heavy)
    assert len(seen) == 1  # 31 h: the weeks before are read, and rotation lowers the cap
    assert (over.week, over.rotation, over.weekly_cap_hours) == (31 * 3600, True, 30)
    assert over == worked(db, expert, policy, now)
