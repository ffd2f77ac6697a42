"""Fair allocation: work reserved inside each expert's own hours, in proportion to them."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.dispatch.allocator import allocate
from tandem.dispatch.service import next_assignment
from tandem.dispatch.windows import next_day_windows
from tandem.kit.clock import FakeClock
from tandem.kit.errors import NoWorkAvailable
from tandem.models import Assignment, Item, Project
from tandem.models.enums import AssignmentStatus, ProjectStatus
from tandem.projects.service import change_status
from tandem.work.schemas import SubmitIn
from tandem.work.service import submit
from tests import factories as f

ZONES = ("Asia/Jakarta", "Europe/Berlin", "America/New_York")
DAYTIME = [{"weekday": d, "start": "09:00", "end": "13:00"} for d in range(7)]
# 02:00 in Jakarta on Monday 2 March 2026
RELEASE = datetime(2026, 3, 1, 19, 0, tzinfo=UTC)
NO_GOLD = {"gold_rate": 0.0, "pool_claims_per_hour": 1000}


def _setup(db: Session, experts: int, items: int) -> tuple[Actor, Project, list[Actor]]:
    org = f.org(db)
    owner = f.requester(db, org)
    proj = f.project(db, owner, org, overlap=1, status=ProjectStatus.DRAFT, quality_policy=NO_GOLD)
    f.items(db, proj, items)
    people = [f.expert(db, time_zone=ZONES[n % 3], availability=DAYTIME) for n in range(experts)]
    return owner, proj, people


def _work_one(db: Session, who: Actor, project_id: int) -> Assignment | None:
    try:
        a = next_assignment(db, who, project_id)
    except NoWorkAvailable:
        return None
    submit(db, who, a.id, SubmitIn(response=f.good_response(), active_seconds=100), f"k{a.id}")
    return a


def test_thirty_experts_in_three_zones_get_fair_shares_inside_their_own_windows(
    db: Session, clock: FakeClock
) -> None:
    clock.set(RELEASE)
    owner, proj, people = _setup(db, experts=30, items=3000)
    change_status(db, owner, proj.id, ProjectStatus.LIVE)  # go-live allocates
    windows = {
        p.user.id: next_day_windows(DAYTIME, p.require_expert().time_zone, RELEASE) for p in people
    }
    received: Counter[int] = Counter()
    for _ in range(48):  # a day in half-hour steps; every expert polls every step
        now = clock.now()
        for person in people:
            in_window = any(s <= now < e for s, e in windows[person.user.id])
            for _ in range(15 if in_window else 1):  # 30 min / 2-minute items
                done = _work_one(db, person, proj.id)
                if done is None:
                    break
                assert in_window, f"{person.user.email} got work outside their window at {now}"
                received[person.user.id] += 1
        clock.advance(minutes=30)
    fair = 3000 / 30
    shares = [received[p.user.id] for p in people]
    assert all(abs(s - fair) <= 0.1 * fair for s in shares), shares
    assert sum(shares) == 3000


def test_allocation_is_idempotent_and_stale_reservations_are_released(
    db: Session, clock: FakeClock
) -> None:
    clock.set(RELEASE)
    _, proj, _ = _setup(db, experts=3, items=90)
    proj.status = ProjectStatus.LIVE
    first = allocate(db, proj, clock.now())
    assert first.reserved == 90 and first.experts == 3
    again = allocate(db, proj, clock.now())
    assert again.reserved == 0 and again.released == 0
    # a day later, unused reservations (window end + grace passed) go back
    clock.advance(hours=25)
    later = allocate(db, proj, clock.now())
    assert later.released == 90
    held = db.scalar(
        select(func.count(Assignment.id)).where(
            Assignment.project_id == proj.id, Assignment.status == AssignmentStatus.RESERVED
        )
    )
    assert held == later.reserved
    takens = db.scalars(select(Item.taken).where(Item.project_id == proj.id)).all()
    assert sum(takens) == held


def test_capacity_caps_reservations_and_the_rest_stays_in_the_open_pool(
    db: Session, clock: FakeClock
) -> None:
    clock.set(RELEASE)
    _, proj, _ = _setup(db, experts=2, items=500)
    proj.status = ProjectStatus.LIVE
    proj.time_estimate_seconds = 600  # 4-hour window -> 24 items each
    result = allocate(db, proj, clock.now())
    assert result.reserved == 48
    assert result.open_pool_slots == 452


def test_reservations_are_visible_to_their_expert_with_window_and_pay(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    clock.set(RELEASE)
    _, proj, people = _setup(db, experts=3, items=30)
    proj.status = ProjectStatus.LIVE
    allocate(db, proj, clock.now())
    jakarta = people[0]
    body = client.get("/api/v1/me/reservations", headers=f.token_headers(db, jakarta)).json()
    assert len(body) == 1
    assert body[0]["items"] == 10 and body[0]["project_id"] == proj.id
    assert body[0]["window_start"].startswith("2026-03-02T02:00")
    assert body[0]["estimated_pay_minor"] == 10 * 100
    # before the window opens, `next` explains when the work is held for
    early = client.post(f"/api/v1/projects/{proj.id}/next", headers=f.token_headers(db, jakarta))
    assert early.status_code == 404 and "reserved for you" in early.json()["detail"]
    clock.set(RELEASE + timedelta(hours=7, minutes=5))
    opened = client.post(f"/api/v1/projects/{proj.id}/next", headers=f.token_headers(db, jakarta))
    assert opened.status_code == 200
