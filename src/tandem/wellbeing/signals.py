"""Burnout signals, private to the expert, and an organization's aggregate-only view."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from tandem.models import Expert
from tandem.wellbeing import repository
from tandem.wellbeing.hours import WEEK, weekly_hours
from tandem.wellbeing.policy import WellbeingPolicy, local_week_start
from tandem.wellbeing.schemas import HoursBucket, OrgWellbeingOut, SignalsOut

TREND_WEEKS = 8
REST_LOOKBACK_DAYS = 60
SMALLEST_GROUP = 3  # buckets with fewer people are shown as "fewer than 3"
BUCKETS = ((0, 10), (10, 20), (20, 30), (30, 40), (40, 48), (48, 1000))


def _days_since_rest(db: Session, expert: Expert, now: datetime) -> int:
    zone = ZoneInfo(expert.time_zone)
    start = now - timedelta(days=REST_LOOKBACK_DAYS)
    worked_days = {
        r[0].astimezone(zone).date()
        for r in repository.sessions_between(db, expert.id, start, now)
        if int(r[2]) > 0
    }
    today = now.astimezone(zone).date()
    for back in range(1, REST_LOOKBACK_DAYS):
        if today - timedelta(days=back) not in worked_days:
            return back - 1
    return REST_LOOKBACK_DAYS


def expert_signals(
    db: Session, expert: Expert, policy: WellbeingPolicy, now: datetime
) -> SignalsOut:
    """Weekly hours trend, night share, rest days, pace and rejections, with a summary."""
    week_start = local_week_start(now, expert.time_zone)
    trend = weekly_hours(db, expert, week_start + WEEK, TREND_WEEKS)
    month = repository.sessions_between(db, expert.id, now - 4 * WEEK, now)
    active = sum(int(r[2]) for r in month)
    night = sum(int(r[3]) for r in month)
    recent = repository.submission_stats(db, expert.id, now - WEEK, now)
    before = repository.submission_stats(db, expert.id, now - 5 * WEEK, now - WEEK)
    out = SignalsOut(
        weekly_hours=[round(h, 2) for h in trend],
        night_share=round(night / active, 3) if active else 0.0,
        days_since_rest=_days_since_rest(db, expert, now),
        seconds_per_item_now=round(recent[1], 1),
        seconds_per_item_before=round(before[1], 1),
        rejection_rate_now=round(recent[2] / recent[0], 3) if recent[0] else 0.0,
        rejection_rate_before=round(before[2] / before[0], 3) if before[0] else 0.0,
        summary=[],
    )
    out.summary = summary(out, policy)
    return out


def summary(signals: SignalsOut, policy: WellbeingPolicy) -> list[str]:
    """Plain-language sentences about the week: what is fine and what deserves a look."""
    this_week = signals.weekly_hours[-1]
    notes = [f"You worked {this_week:.1f} hours this week (cap {policy.weekly_cap_hours:g})."]
    past = signals.weekly_hours[-4:-1]
    if len(past) == 3 and all(h > policy.rotation_threshold_hours for h in past):
        notes.append("Three long weeks in a row: this week's cap is lower so you can recover.")
    elif len(past) >= 2 and past[-1] > past[0] * 1.25 and past[-1] > 20:
        notes.append("Your weekly hours have been climbing; consider a lighter week.")
    if signals.night_share > 0.25:
        notes.append(f"{signals.night_share:.0%} of your recent work was at night (22:00-06:00).")
    if signals.days_since_rest >= 6:
        notes.append(f"You have worked {signals.days_since_rest} days in a row; plan a day off.")
    if (
        signals.seconds_per_item_before
        and signals.seconds_per_item_now > 1.3 * signals.seconds_per_item_before
    ):
        notes.append("Items are taking you longer than before, which can be a sign of fatigue.")
    if signals.rejection_rate_now > signals.rejection_rate_before + 0.1:
        notes.append("More of your work was rejected this week than before; check the feedback.")
    if len(notes) == 1:
        notes.append("Your hours and pace look sustainable. Keep it up.")
    return notes


def org_view(db: Session, org_id: int, now: datetime, cap_hours: float) -> OrgWellbeingOut:
    """Last seven days on the org's projects: hours distribution and cap hits, no names."""
    rows = repository.org_expert_hours(db, org_id, now - WEEK, now)
    buckets = []
    for low, high in BUCKETS:
        count = sum(1 for _, active, _ in rows if low <= active / 3600 < high)
        label = f"{low}-{high} h" if high < 1000 else f"{low}+ h"
        buckets.append(
            HoursBucket(
                label=label, experts=count if count >= SMALLEST_GROUP or count == 0 else None
            )
        )
    hits = sum(1 for _, active, _ in rows if active >= cap_hours * 3600)
    return OrgWellbeingOut(
        experts=len(rows),
        buckets=buckets,
        cap_hits=hits if hits >= SMALLEST_GROUP or hits == 0 else None,
        night_share=round(sum(r[2] for r in rows) / max(1, sum(r[1] for r in rows)), 3),
    )
