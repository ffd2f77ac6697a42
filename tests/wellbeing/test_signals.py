"""Burnout signals are the expert's own; operators see aggregates with small groups hidden."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tandem.kit.clock import FakeClock
from tandem.models.enums import Role
from tests import factories as f

MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_my_wellbeing_reports_hours_trend_nights_and_rest(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    org = f.org(db)
    proj = f.project(db, f.requester(db, org), org)
    me = f.expert(db)
    for day in range(16):  # 16 days straight, 6 h a day, 1 h of it at night
        f.work_session(db, me, proj, MONDAY + timedelta(days=day), 6 * 3600, night_seconds=3600)
    clock.set(MONDAY + timedelta(days=16, hours=12))
    body = client.get("/api/v1/me/wellbeing", headers=f.token_headers(db, me)).json()
    signals = body["signals"]
    assert signals["weekly_hours"][-3:] == [42.0, 42.0, 12.0]
    assert signals["days_since_rest"] == 16
    assert abs(signals["night_share"] - 1 / 6) < 0.01
    assert any("days in a row" in line for line in signals["summary"])
    assert body["hours_this_week"] == 12.0 and body["weekly_cap_hours"] == 48


def test_operators_see_buckets_and_cap_hits_never_individuals(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    org = f.org(db)
    admin = f.requester(db, org, Role.ADMIN)
    proj = f.project(db, admin, org)
    people = [f.expert(db) for _ in range(5)]
    for n, person in enumerate(people):
        hours = 50 if n < 3 else 5  # three at the cap, two light
        for h in range(hours):
            f.work_session(db, person, proj, MONDAY + timedelta(hours=h), 3600)
    clock.set(MONDAY + timedelta(days=5))
    body = client.get(f"/api/v1/orgs/{org.id}/wellbeing", headers=f.token_headers(db, admin)).json()
    assert body["experts"] == 5 and body["cap_hits"] == 3
    counts = {b["label"]: b["experts"] for b in body["buckets"]}
    assert counts["48+ h"] == 3 and counts["0-10 h"] is None  # two people: hidden
    assert all(p.user.email not in str(body) for p in people)
    other = f.requester(db, f.org(db))
    denied = client.get(f"/api/v1/orgs/{org.id}/wellbeing", headers=f.token_headers(db, other))
    assert denied.status_code == 404
