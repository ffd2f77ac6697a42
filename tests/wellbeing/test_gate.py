"""The dispatcher refuses work that breaks the well-being policy, in the expert's own time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.dispatch.service import WorkRefused, next_assignment
from tandem.dispatch.windows import windows_between
from tandem.kit.clock import FakeClock
from tandem.models import Organization, Project
from tandem.wellbeing.gate import reservable_windows
from tandem.work.schemas import SubmitIn
from tandem.work.service import submit
from tests import factories as f

POLICY = {"gold_rate": 0.0, "pool_claims_per_hour": 1000}


@pytest.fixture
def setup(db: Session) -> tuple[Organization, Project]:
    org = f.org(db)
    owner = f.requester(db, org)
    proj = f.project(db, owner, org, overlap=1, quality_policy=POLICY)
    f.items(db, proj, 5)
    return org, proj


def _local(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)  # type: ignore[misc]


def _worked(
    db: Session, who: Actor, proj: Project, start: datetime, hours: float, **kw: int
) -> None:
    # one session per hour, back to back: a long stretch of real-looking work
    for h in range(int(hours)):
        f.work_session(db, who, proj, start + timedelta(hours=h), 3600, **kw)


def _refusal(db: Session, who: Actor, proj: Project) -> str:
    with pytest.raises(WorkRefused) as caught:
        next_assignment(db, who, proj.id)
    return caught.value.reason_code


def test_weekly_cap_refuses_new_work_but_an_open_item_can_be_finished(
    db: Session, setup: tuple, clock: FakeClock
) -> None:
    _, proj = setup
    berlin = f.expert(db, time_zone="Europe/Berlin")
    proj.time_estimate_seconds = 1200  # a one-hour lease
    clock.set(_local("Europe/Berlin", 2026, 3, 13, 16, 20))  # Friday, 47.4 h done
    open_item = next_assignment(db, berlin, proj.id)
    for day in range(5):  # Mon-Fri, 9.6 h a day
        _worked(db, berlin, proj, _local("Europe/Berlin", 2026, 3, 9 + day, 7, 0), 9)
        f.work_session(db, berlin, proj, _local("Europe/Berlin", 2026, 3, 9 + day, 16, 30), 2160)
    clock.set(_local("Europe/Berlin", 2026, 3, 13, 17, 10))  # 48 h done, item still open
    assert next_assignment(db, berlin, proj.id).id == open_item.id  # still yours to finish
    submit(db, berlin, open_item.id, SubmitIn(response=f.good_response()), "done")
    assert _refusal(db, berlin, proj) == "weekly_cap"
    clock.set(_local("Europe/Berlin", 2026, 3, 16, 9, 0))  # Monday: a new week
    assert next_assignment(db, berlin, proj.id).expert_id == berlin.require_expert().id


def test_daily_cap_counts_the_experts_own_day(db: Session, setup: tuple, clock: FakeClock) -> None:
    _, proj = setup
    jakarta = f.expert(db, time_zone="Asia/Jakarta")
    _worked(db, jakarta, proj, _local("Asia/Jakarta", 2026, 3, 10, 6, 0), 10)
    clock.set(_local("Asia/Jakarta", 2026, 3, 10, 18, 0))
    assert _refusal(db, jakarta, proj) == "daily_cap"
    clock.set(_local("Asia/Jakarta", 2026, 3, 11, 0, 30))  # after local midnight: a new day
    assert next_assignment(db, jakarta, proj.id) is not None


def test_a_break_after_ninety_minutes_of_continuous_work(
    db: Session, setup: tuple, clock: FakeClock
) -> None:
    _, proj = setup
    ny = f.expert(db, time_zone="America/New_York")
    start = _local("America/New_York", 2026, 3, 10, 9, 0)
    for n in range(6):  # 6 x 15 min back to back, ending 10:30
        f.work_session(db, ny, proj, start + timedelta(minutes=15 * n), 900)
    clock.set(start + timedelta(minutes=92))
    assert _refusal(db, ny, proj) == "break"
    clock.set(start + timedelta(minutes=101))
    assert next_assignment(db, ny, proj.id) is not None


def test_night_work_is_limited_to_eight_hours_a_week(
    db: Session, setup: tuple, clock: FakeClock
) -> None:
    _, proj = setup
    owl = f.expert(db, time_zone="Europe/Berlin")
    for night in range(4):  # 2 h of night work on each of four nights
        begin = _local("Europe/Berlin", 2026, 3, 9 + night, 22, 0)
        _worked(db, owl, proj, begin, 2, night_seconds=3600)
    clock.set(_local("Europe/Berlin", 2026, 3, 13, 23, 0))
    assert _refusal(db, owl, proj) == "night_cap"
    clock.set(_local("Europe/Berlin", 2026, 3, 14, 10, 0))  # daytime is fine
    assert next_assignment(db, owl, proj.id) is not None


def test_quiet_week_of_the_organization_hands_out_nothing(
    client: TestClient, db: Session, setup: tuple, clock: FakeClock
) -> None:
    org, proj = setup
    org.settings = {"wellbeing": {"quiet_first_week_of_quarter": True}}
    db.flush()
    expert = f.expert(db, time_zone="Asia/Jakarta")
    clock.set(_local("Asia/Jakarta", 2026, 4, 1, 10, 0))  # 1 April: first week of Q2
    refused = client.post(f"/api/v1/projects/{proj.id}/next", headers=f.token_headers(db, expert))
    assert refused.status_code == 409
    assert refused.json()["reason"] == "quiet_week" and "quiet week" in refused.json()["detail"]
    clock.set(_local("Asia/Jakarta", 2026, 4, 8, 10, 0))
    assert (
        client.post(
            f"/api/v1/projects/{proj.id}/next", headers=f.token_headers(db, expert)
        ).status_code
        == 200
    )


def test_rotation_lowers_the_cap_after_three_long_weeks(
    db: Session, setup: tuple, clock: FakeClock
) -> None:
    _, proj = setup
    busy = f.expert(db, time_zone="America/New_York")
    for week in range(3):  # 3 weeks of 45 h (5 days x 9 h)
        for day in range(5):
            begin = _local("America/New_York", 2026, 2, 16, 8, 0) + timedelta(days=7 * week + day)
            _worked(db, busy, proj, begin, 9)
    _worked(db, busy, proj, _local("America/New_York", 2026, 3, 9, 8, 0), 9)
    _worked(db, busy, proj, _local("America/New_York", 2026, 3, 10, 8, 0), 9)
    _worked(db, busy, proj, _local("America/New_York", 2026, 3, 11, 8, 0), 9)
    _worked(db, busy, proj, _local("America/New_York", 2026, 3, 12, 8, 0), 3)
    clock.set(_local("America/New_York", 2026, 3, 12, 14, 0))  # 30 h this week
    assert _refusal(db, busy, proj) == "weekly_cap"


def test_an_expert_may_tighten_but_not_loosen_their_caps(
    client: TestClient, db: Session, setup: tuple
) -> None:
    expert = f.expert(db)
    headers = f.token_headers(db, expert)
    tight = client.put("/api/v1/me/wellbeing/caps", headers=headers, json={"weekly_cap_hours": 30})
    assert tight.status_code == 200 and tight.json()["weekly_cap_hours"] == 30
    loose = client.put("/api/v1/me/wellbeing/caps", headers=headers, json={"weekly_cap_hours": 70})
    assert loose.json()["weekly_cap_hours"] == 48  # the platform's cap still binds
    bad = client.put("/api/v1/me/wellbeing/caps", headers=headers, json={"weekly_cap_hours": -1})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"][:2] == [
        "expert",
        "weekly_cap_hours",
    ]


def test_allocator_windows_skip_the_night_and_stop_at_the_cap(
    db: Session, setup: tuple, clock: FakeClock
) -> None:
    _, proj = setup
    late = f.expert(db, time_zone="Europe/Berlin", caps={"daily_cap_hours": 3})
    evening = [{"weekday": 1, "start": "18:00", "end": "23:30"}]  # Tuesday
    clock.set(_local("Europe/Berlin", 2026, 3, 10, 12, 0))
    windows = windows_between(
        evening, "Europe/Berlin", clock.now(), clock.now() + timedelta(days=1)
    )
    kept = reservable_windows(db, late.require_expert(), proj, windows, clock.now())
    assert kept == [
        (_local("Europe/Berlin", 2026, 3, 10, 18, 0), _local("Europe/Berlin", 2026, 3, 10, 21, 0))
    ]


def test_spring_forward_and_fall_back_keep_local_days_right(
    db: Session, setup: tuple, clock: FakeClock
) -> None:
    _, proj = setup
    ny = f.expert(db, time_zone="America/New_York")
    # Sunday 8 March 2026 has 23 hours in New York; 10 h worked that local day
    _worked(db, ny, proj, _local("America/New_York", 2026, 3, 8, 3, 30), 10)
    clock.set(_local("America/New_York", 2026, 3, 8, 23, 30))
    assert _refusal(db, ny, proj) == "daily_cap"
    clock.set(_local("America/New_York", 2026, 3, 9, 0, 5))
    assert next_assignment(db, ny, proj.id) is not None
    berlin = f.expert(db, time_zone="Europe/Berlin")
    # Sunday 25 October 2026 has 25 hours in Berlin: night is still 22:00-06:00 local
    evening = [{"weekday": 5, "start": "20:00", "end": "08:00"}]
    clock.set(_local("Europe/Berlin", 2026, 10, 24, 12, 0))
    windows = windows_between(
        evening, "Europe/Berlin", clock.now(), clock.now() + timedelta(days=1)
    )
    kept = reservable_windows(db, berlin.require_expert(), proj, windows, clock.now())
    assert kept == [
        (
            _local("Europe/Berlin", 2026, 10, 24, 20, 0),
            _local("Europe/Berlin", 2026, 10, 24, 22, 0),
        ),
        (_local("Europe/Berlin", 2026, 10, 25, 6, 0), _local("Europe/Berlin", 2026, 10, 25, 8, 0)),
    ]
